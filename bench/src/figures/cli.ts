import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../processes.ts";
import { type Figure, figure, median, nowMs, progress, round } from "../report.ts";
import { dbPathOf, freshHome, rawOpen, seedMixedBoard } from "../seed.ts";

/**
 * Figure 6: wall time of one `switchyard list --json` and one `switchyard complete <id>` process
 * (the real `apps/cli/bin/switchyard.mjs`, bundle already built) on a 1,000-task board, median
 * of several runs; against a plain Node process doing the same to the board with bare
 * better-sqlite3 (`workers/bare-cli.mjs`), and beside an empty `node -e ""` (Node's own start-up).
 * Also `complete` on a 100k-task board, with what the first-open integrity check
 * (`PRAGMA quick_check`, decision 001) costs on each board.
 */

const TASKS = 1_000;
const RUNS = 15;
const BIG_TASKS = 100_000;
const BIG_RUNS = 7;
const bin = join(repoRoot, "apps", "cli", "bin", "switchyard.mjs");
const bare = join(repoRoot, "bench", "src", "workers", "bare-cli.mjs");

function timed(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const t = nowMs();
  execFileSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  return nowMs() - t;
}

/** A board of `tasks` with enough ready tasks to complete one per run, and the env pointing at it. */
async function board(tasks: number, runs: number): Promise<{ path: string; ready: string[]; env: NodeJS.ProcessEnv }> {
  const home = await freshHome();
  const path = dbPathOf(home);
  seedMixedBoard(path, tasks);
  const db = rawOpen(path);
  const ready = (
    db.prepare("SELECT id FROM tasks WHERE status = 'ready' ORDER BY id").all() as Array<{ id: string }>
  ).map((r) => r.id);
  db.close();
  if (ready.length < 2 * (runs + 1)) throw new Error(`the seeded board has too few ready tasks (${ready.length})`);
  const env: NodeJS.ProcessEnv = { ...process.env, SWITCHYARD_HOME: home.root };
  for (const name of [
    "SWITCHYARD_DB",
    "SWITCHYARD_BOARD",
    "HERMES_KANBAN_DB",
    "HERMES_KANBAN_BOARD",
    "SWITCHYARD_TASK",
    "SWITCHYARD_RUN_ID",
  ]) {
    delete env[name];
  }
  return { path, ready, env };
}

/** What `PRAGMA quick_check` (run by every process on its first open of a board) costs on this board. */
function quickCheckMs(path: string): number {
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    const db = rawOpen(path);
    const t = nowMs();
    db.pragma("quick_check");
    samples.push(nowMs() - t);
    db.close();
  }
  return median(samples);
}

export async function cliFigures(quick: boolean): Promise<Figure[]> {
  const runs = quick ? 3 : RUNS;
  const { path, ready, env } = await board(quick ? 100 : TASKS, runs);

  progress("cli: building the bundle if it is stale (not measured)");
  timed([bin, "--version"], env);
  const node: number[] = [];
  const list: number[] = [];
  const listBare: number[] = [];
  const complete: number[] = [];
  const completeBare: number[] = [];
  progress(`cli: ${runs} runs of each command`);
  for (let i = 0; i < runs; i++) {
    // Interleaved, so a burst of load from elsewhere hits every command alike.
    node.push(timed(["-e", ""], env));
    list.push(timed([bin, "list", "--json"], env));
    listBare.push(timed([bare, "list", path], env));
    complete.push(timed([bin, "complete", ready[2 * i] as string, "--summary", "finished"], env));
    completeBare.push(timed([bare, "complete", path, ready[2 * i + 1] as string], env));
  }
  const nodeMs = round(median(node));
  const checkSmall = round(quickCheckMs(path));

  // The same call on a board a hundred times larger: what grows with the board is per-call cost.
  const bigTasks = quick ? 2_000 : BIG_TASKS;
  progress(`cli: seeding ${bigTasks} tasks for complete on a large board`);
  const big = await board(bigTasks, BIG_RUNS);
  const completeBig: number[] = [];
  const completeBigBare: number[] = [];
  for (let i = 0; i < BIG_RUNS; i++) {
    completeBig.push(timed([bin, "complete", big.ready[2 * i] as string, "--summary", "finished"], big.env));
    completeBigBare.push(timed([bare, "complete", big.path, big.ready[2 * i + 1] as string], big.env));
  }
  return [
    figure("cli_list_json_1k", median(list), "ms", median(listBare), {
      tasks: TASKS,
      runs,
      node_startup_ms: nodeMs,
      quick_check_ms: checkSmall,
    }),
    figure("cli_complete_1k", median(complete), "ms", median(completeBare), {
      tasks: TASKS,
      runs,
      node_startup_ms: nodeMs,
      quick_check_ms: checkSmall,
    }),
    figure(`cli_complete_${bigTasks / 1000}k`, median(completeBig), "ms", median(completeBigBare), {
      tasks: bigTasks,
      runs: BIG_RUNS,
      quick_check_ms: round(quickCheckMs(big.path)),
    }),
  ];
}
