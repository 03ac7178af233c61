import { runTogether } from "../processes.ts";
import { type Figure, figure, median, progress } from "../report.ts";
import { cloneBoard, dbPathOf, freshHome, rawOpen, seedReadyTasks } from "../seed.ts";

/**
 * Figure 1: claim + heartbeat + complete throughput on one board file of ready tasks, with 1, 2
 * and 4 worker processes, through the kernel and as the same writes in bare SQL; and the count
 * of double claims, which must be 0.
 */

interface WorkerReport {
  pid: number;
  won: string[];
  lost: number;
  start: number;
  end: number;
}

interface Outcome extends ClaimOutcome {
  seconds: number;
}

/** Tasks claimed more than once: by two workers' reports, by two `claimed` events, or by two runs. */
function doubleClaims(path: string, reports: WorkerReport[]): { double: number; completed: number } {
  const won = reports.flatMap((r) => r.won);
  const reportDupes = won.length - new Set(won).size;
  const db = rawOpen(path);
  try {
    const twiceClaimed = db
      .prepare(
        "SELECT COUNT(*) AS n FROM (SELECT task_id FROM task_events WHERE kind = 'claimed' GROUP BY task_id HAVING COUNT(*) > 1)",
      )
      .get() as { n: number };
    const twiceRun = db
      .prepare("SELECT COUNT(*) AS n FROM (SELECT task_id FROM task_runs GROUP BY task_id HAVING COUNT(*) > 1)")
      .get() as { n: number };
    const completed = db.prepare("SELECT COUNT(*) AS n FROM tasks WHERE status = 'done'").get() as { n: number };
    return { double: reportDupes + Number(twiceClaimed.n) + Number(twiceRun.n), completed: Number(completed.n) };
  } finally {
    db.close();
  }
}

async function runOnce(template: string, mode: "kernel" | "raw", workers: number): Promise<Outcome> {
  const home = await cloneBoard(template);
  const reports = await runTogether<WorkerReport>(
    Array.from({ length: workers }, (_, i) => ({
      script: "claim-worker.ts",
      args: [mode, home.root, String(i), String(workers)],
    })),
  );
  const start = Math.min(...reports.map((r) => r.start));
  const end = Math.max(...reports.map((r) => r.end));
  const seconds = (end - start) / 1000;
  const { double, completed } = doubleClaims(dbPathOf(home), reports);
  const won = reports.reduce((n, r) => n + r.won.length, 0);
  return {
    tasksPerSecond: won / seconds,
    completed,
    doubleClaims: double,
    lostClaims: reports.reduce((n, r) => n + r.lost, 0),
    seconds,
  };
}

/** Rounds of every configuration, interleaved, so load from elsewhere on the machine hits them alike. */
const ROUNDS = 3;

/** What one run of a claim configuration measured (SQLite or PostgreSQL). */
export interface ClaimOutcome {
  tasksPerSecond: number;
  completed: number;
  doubleClaims: number;
  lostClaims: number;
}

/**
 * Runs every configuration (worker count × kernel or bare SQL) `ROUNDS` times, interleaved;
 * returns the outcomes by `mode:workers`.
 */
export async function claimRounds<O extends ClaimOutcome>(
  label: string,
  workerCounts: readonly number[],
  run: (mode: "raw" | "kernel", workers: number) => Promise<O>,
): Promise<Map<string, O[]>> {
  const runs = new Map<string, O[]>();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const workers of workerCounts) {
      for (const mode of ["raw", "kernel"] as const) {
        progress(`${label}: round ${round}, ${workers} process(es), ${mode === "raw" ? "bare SQL" : "kernel"}`);
        const key = `${mode}:${workers}`;
        runs.set(key, [...(runs.get(key) ?? []), await run(mode, workers)]);
      }
    }
  }
  return runs;
}

/** The figure of one worker count: the kernel's median against bare SQL's, with every round's counts. */
export function claimFigure<O extends ClaimOutcome>(
  name: string,
  runs: Map<string, O[]>,
  workers: number,
  tasks: number,
  extra: (kernel: O[], raw: O[]) => Record<string, unknown> = () => ({}),
): Figure {
  const kernel = runs.get(`kernel:${workers}`) ?? [];
  const raw = runs.get(`raw:${workers}`) ?? [];
  const sum = (list: O[], pick: (o: O) => number) => list.reduce((n, o) => n + pick(o), 0);
  return figure(
    name,
    median(kernel.map((o) => o.tasksPerSecond)),
    "tasks/s",
    median(raw.map((o) => o.tasksPerSecond)),
    {
      workers,
      tasks,
      rounds: kernel.length,
      each_round: kernel.map((o) => Math.round(o.tasksPerSecond)),
      baseline_each_round: raw.map((o) => Math.round(o.tasksPerSecond)),
      completed_every_round: kernel.every((o) => o.completed === tasks),
      double_claims: sum(kernel, (o) => o.doubleClaims),
      lost_claims: sum(kernel, (o) => o.lostClaims),
      baseline_double_claims: sum(raw, (o) => o.doubleClaims),
      ...extra(kernel, raw),
    },
  );
}

export async function claimFigures(tasks: number): Promise<Figure[]> {
  progress(`claims: seeding ${tasks} ready tasks`);
  const template = dbPathOf(await freshHome());
  seedReadyTasks(template, tasks, "bench");
  const workerCounts = [1, 2, 4];
  const runs = await claimRounds("claims", workerCounts, (mode, workers) => runOnce(template, mode, workers));
  return workerCounts.map((workers) => claimFigure(`claim_heartbeat_complete_${workers}p`, runs, workers, tasks));
}
