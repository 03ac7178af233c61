import {
  boardPaths,
  DEFAULT_BOARD,
  dispatchOnce,
  type Kernel,
  openKernel,
  recomputeReady,
  type StopResult,
  TASK_ORDER,
  type WorkerLiveness,
} from "@switchyard/core";
import type { Database, Transaction } from "better-sqlite3";
import { type Figure, figure, median, p95, progress, round, sampleTimed } from "../report.ts";
import { dbPathOf, freshHome, rawOpen, seedDag } from "../seed.ts";

/**
 * Figure 3: one dispatcher tick and one ready recomputation through the kernel, on a board of
 * 10k tasks with five parents each (seven in ten done, the rest todo, about a sixth of those
 * promotable). Before each measured run the board is put back as seeded, so every run does the
 * same work: the recomputation promotes the same tasks, and the tick promotes them and claims and
 * "spawns" four (a fake spawn returns a pid; fake process control says every pid is alive).
 * Baselines: the same statements as bare SQL, on their own connection.
 */

const PROFILE = "coder";
const SPAWN = 4;

/** What puts the board back as seeded: nothing ready or running, and no row newer than the seed. */
const RESET = {
  bounds:
    "SELECT (SELECT COALESCE(MAX(id), 0) FROM task_runs) AS run, (SELECT COALESCE(MAX(id), 0) FROM task_events) AS event",
  tasks: `UPDATE tasks SET status = 'todo', claim_lock = NULL, claim_expires = NULL, worker_pid = NULL,
                           current_run_id = NULL, started_at = NULL, workspace_path = NULL
           WHERE status IN ('ready', 'running')`,
  runs: "DELETE FROM task_runs WHERE id > ?",
  events: "DELETE FROM task_events WHERE id > ?",
} as const;

interface Bounds {
  run: number;
  event: number;
}

/** The reset on a bare connection (the baselines' own). */
function bareResetter(db: Database): () => void {
  const { run, event } = db.prepare(RESET.bounds).get() as Bounds;
  const tasks = db.prepare(RESET.tasks);
  const runs = db.prepare(RESET.runs);
  const events = db.prepare(RESET.events);
  return db.transaction(() => {
    tasks.run();
    runs.run(run);
    events.run(event);
  });
}

/**
 * The same reset through the kernel's own connection, so the kernel's measured runs start as
 * the baselines' do: with the connection's page cache warm (a commit from another connection
 * would empty it).
 */
async function kernelResetter(k: Kernel): Promise<() => Promise<void>> {
  const bounds = (await k.db.get<Bounds>(RESET.bounds)) as Bounds;
  return () =>
    k.write(async (k) => {
      await k.db.run(RESET.tasks);
      await k.db.run(RESET.runs, [bounds.run]);
      await k.db.run(RESET.events, [bounds.event]);
    });
}

const fakeProcesses: WorkerLiveness = {
  isAlive: () => true,
  groupAlive: () => true,
  startedAt: () => null,
};

/** Nothing is stopped in a tick of this board (no run ends); a stop would find the fake process gone. */
const fakeStop = async (): Promise<StopResult> => ({ stopped: true, sigkill: false });

/** The recomputation as bare SQL: the same UPDATE … RETURNING and one event per promoted task. */
function bareRecompute(db: Database): Transaction<() => number> {
  const promote = db.prepare(
    `UPDATE tasks SET status = 'ready'
      WHERE status = 'todo'
        AND NOT EXISTS (SELECT 1 FROM task_links l JOIN tasks p ON p.id = l.parent_id
                         WHERE l.child_id = tasks.id AND p.status NOT IN ('done', 'archived'))
      RETURNING id`,
  );
  const event = db.prepare(
    "INSERT INTO task_events (task_id, run_id, kind, payload, created_at) VALUES (?, NULL, 'promoted', NULL, ?)",
  );
  return db.transaction(() => {
    const now = Math.floor(Date.now() / 1000);
    const rows = promote.all() as Array<{ id: string }>;
    for (const r of rows) event.run(r.id, now);
    return rows.length;
  });
}

/**
 * A tick as bare SQL: the reads of the tick's checks (stale claims, live workers, overdue runs,
 * lingering workers), the recomputation, the ready queue in dispatch order, and four claims with
 * their spawn records, each its own IMMEDIATE transaction as in the kernel.
 */
function bareTick(db: Database): () => void {
  const recompute = bareRecompute(db);
  const lingering = db.prepare(
    "SELECT task_id, id, worker_pid, claim_lock FROM task_runs WHERE ended_at IS NOT NULL AND ended_at >= ? AND worker_pid IS NOT NULL",
  );
  const stale = db.prepare(
    "SELECT id FROM tasks WHERE status = 'running' AND claim_expires IS NOT NULL AND claim_expires < ?",
  );
  const live = db.prepare(
    "SELECT id, worker_pid, claim_lock FROM tasks WHERE status = 'running' AND worker_pid IS NOT NULL",
  );
  const overdue = db.prepare(
    `SELECT t.id FROM tasks t JOIN task_runs r ON r.id = t.current_run_id
      WHERE t.status = 'running' AND t.max_runtime_seconds IS NOT NULL AND t.worker_pid IS NOT NULL
        AND ? - r.started_at >= t.max_runtime_seconds`,
  );
  const ready = db.prepare(
    `SELECT id, assignee FROM tasks WHERE status = 'ready' AND claim_lock IS NULL ORDER BY ${TASK_ORDER}`,
  );
  const running = db.prepare("SELECT assignee, COUNT(*) AS n FROM tasks WHERE status = 'running' GROUP BY assignee");
  const claim = db.prepare(
    `UPDATE tasks SET status = 'running', claim_lock = ?, claim_expires = ?, started_at = COALESCE(started_at, ?)
      WHERE id = ? AND status = 'ready' AND claim_lock IS NULL RETURNING assignee, max_runtime_seconds`,
  );
  const newRun = db.prepare(
    `INSERT INTO task_runs (task_id, profile, status, claim_lock, claim_expires, max_runtime_seconds, started_at)
     VALUES (?, ?, 'running', ?, ?, ?, ?)`,
  );
  const point = db.prepare("UPDATE tasks SET current_run_id = ? WHERE id = ?");
  const workspace = db.prepare("UPDATE tasks SET workspace_path = ? WHERE id = ?");
  const pid = db.prepare("UPDATE tasks SET worker_pid = ? WHERE id = ? AND current_run_id = ?");
  const runPid = db.prepare("UPDATE task_runs SET worker_pid = ? WHERE id = ?");
  const event = db.prepare(
    "INSERT INTO task_events (task_id, run_id, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)",
  );
  const lock = "benchhost:1";
  const claimTx = db.transaction((id: string, now: number) => {
    const won = claim.get(lock, now + 900, now, id) as
      | { assignee: string; max_runtime_seconds: number | null }
      | undefined;
    if (!won) return null;
    const run = Number(newRun.run(id, won.assignee, lock, now + 900, won.max_runtime_seconds, now).lastInsertRowid);
    point.run(run, id);
    event.run(id, run, "claimed", JSON.stringify({ lock, expires: now + 900, run_id: run }), now);
    return run;
  });
  const workspaceTx = db.transaction((id: string) => workspace.run(`/tmp/ws/${id}`, id));
  const spawnedTx = db.transaction((id: string, run: number, now: number) => {
    pid.run(4242, id, run);
    runPid.run(4242, run);
    event.run(id, run, "spawned", JSON.stringify({ pid: 4242 }), now);
  });
  const staleTx = db.transaction((now: number) => stale.all(now));
  return () => {
    const now = Math.floor(Date.now() / 1000);
    lingering.all(now - 600);
    staleTx.immediate(now);
    live.all();
    overdue.all(now);
    recompute.immediate();
    const queue = ready.all() as Array<{ id: string; assignee: string }>;
    running.all();
    lingering.all(now - 600);
    let spawned = 0;
    for (const t of queue) {
      if (spawned >= SPAWN) break;
      const run = claimTx.immediate(t.id, now);
      if (run === null) continue;
      workspaceTx.immediate(t.id);
      spawnedTx.immediate(t.id, run, now);
      spawned++;
    }
  };
}

async function kernelTick(k: Kernel): Promise<number> {
  let pid = 100_000;
  const result = await dispatchOnce(k, {
    spawn: () => pid++,
    isSpawnable: (profile) => profile === PROFILE,
    proc: fakeProcesses,
    stop: fakeStop,
    capacity: { maxInProgress: SPAWN },
  });
  if (result.spawned.length !== SPAWN) {
    throw new Error(`the tick spawned ${result.spawned.length} tasks, expected ${SPAWN}`);
  }
  return result.promoted;
}

export async function dispatchFigures(quick: boolean): Promise<Figure[]> {
  const tasks = quick ? 1_000 : 10_000;
  const reps = quick ? 5 : 15;
  progress(`dispatch: seeding ${tasks} tasks with 5 parents each`);
  const home = await freshHome();
  const path = dbPathOf(home);
  seedDag(path, tasks, PROFILE);
  const k = await openKernel(boardPaths(home, DEFAULT_BOARD));
  const reset = await kernelResetter(k);
  const db = rawOpen(path);
  const bareReset = bareResetter(db);

  let promoted = 0;
  const recompute = await sampleTimed(reps, async () => {
    await reset();
    const t = performance.now();
    promoted = await recomputeReady(k);
    return performance.now() - t;
  });
  const recomputeBare = bareRecompute(db);
  const recomputeBareMs = await sampleTimed(reps, () => {
    bareReset();
    const t = performance.now();
    recomputeBare.immediate();
    return performance.now() - t;
  });

  const tick = await sampleTimed(reps, async () => {
    await reset();
    const t = performance.now();
    await kernelTick(k);
    return performance.now() - t;
  });
  const tickBare = bareTick(db);
  const tickBareMs = await sampleTimed(reps, () => {
    bareReset();
    const t = performance.now();
    tickBare();
    return performance.now() - t;
  });
  await reset();
  db.close();
  await k.close();

  return [
    figure("ready_recompute_10k", median(recompute), "ms", median(recomputeBareMs), {
      tasks,
      parents_per_task: 5,
      promoted,
      samples: reps,
    }),
    figure("dispatcher_tick_10k", median(tick), "ms", median(tickBareMs), {
      tasks,
      parents_per_task: 5,
      spawned: SPAWN,
      promoted,
      samples: reps,
      p95: round(p95(tick)),
      baseline_p95: round(p95(tickBareMs)),
    }),
  ];
}
