import { execFileSync, spawn } from "node:child_process";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../processes.ts";
import { type Figure, figure, median, nowMs, p95, progress, round } from "../report.ts";
import { dbPathOf, freshHome, rawOpen, seedMixedBoard } from "../seed.ts";

/**
 * Figure 6: wall time of one `switchyard list --json` and one `switchyard complete <id>` process
 * (the real `apps/cli/bin/switchyard.mjs`, bundle already built) on a 1,000-task and a
 * 100,000-task board, median of several runs; against a plain Node process doing the same with
 * bare better-sqlite3 (`workers/bare-cli.mjs`) to an identical copy of the board (a write by
 * another program makes the CLI's next open check the whole file again: decision 022), and
 * beside an empty `node -e ""` (Node's own start-up). What the integrity check
 * (`PRAGMA quick_check`) costs on each board, and the first CLI call after the board was written
 * by something else (which runs it), are in the details.
 *
 * Then `switchyard mcp` (a worker's server, SWITCHYARD_TASK set) on the 1k board: spawn to the
 * answer to `initialize`, and `kanban_show` round trips; against a bare MCP server made with the
 * same SDK whose `kanban_show` reads the same rows with bare better-sqlite3 (`workers/bare-mcp.mjs`).
 */

const TASKS = 1_000;
const RUNS = 15;
const BIG_TASKS = 100_000;
const BIG_RUNS = 7;
const MCP_SESSIONS = 9;
const MCP_CALLS = 40;
const bin = join(repoRoot, "apps", "cli", "bin", "switchyard.mjs");
const bare = join(repoRoot, "bench", "src", "workers", "bare-cli.mjs");
const bareMcp = join(repoRoot, "bench", "src", "workers", "bare-mcp.mjs");

function timed(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const t = nowMs();
  execFileSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  return nowMs() - t;
}

interface Board {
  /** The board the CLI works on (in the home of `env`). */
  path: string;
  /** An identical copy for the bare baseline. */
  barePath: string;
  ready: string[];
  env: NodeJS.ProcessEnv;
}

/** A board of `tasks` with enough ready tasks to complete one per run, and the env pointing at it. */
async function board(tasks: number, runs: number): Promise<Board> {
  const home = await freshHome();
  const path = dbPathOf(home);
  seedMixedBoard(path, tasks);
  const barePath = `${path}.bare`;
  copyFileSync(path, barePath);
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
  return { path, barePath, ready, env };
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

/** One `switchyard mcp` (or bare) session: spawn to the `initialize` answer, then `kanban_show` round trips. */
async function mcpSession(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  task: string,
  calls: number,
): Promise<{ initializeMs: number; callMs: number[] }> {
  const started = nowMs();
  const child = spawn(process.execPath, args, { env, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const waiting = new Map<number, (message: { error?: unknown; result?: { isError?: boolean } }) => void>();
  let buffer = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    buffer += d;
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const message = JSON.parse(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      waiting.get(message.id)?.(message);
    }
  });
  const send = (message: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);
  const request = (id: number, method: string, params: object) =>
    new Promise<void>((resolve, reject) => {
      waiting.set(id, (m) => (m.error || m.result?.isError ? reject(new Error(JSON.stringify(m))) : resolve()));
      send({ id, method, params });
      void exited.then(() => reject(new Error(`the MCP server exited: ${stderr}`)));
    });
  await request(0, "initialize", {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "bench", version: "1" },
  });
  const initializeMs = nowMs() - started;
  send({ method: "notifications/initialized" });
  const callMs: number[] = [];
  for (let i = 1; i <= calls; i++) {
    const t = nowMs();
    await request(i, "tools/call", { name: "kanban_show", arguments: { task_id: task } });
    callMs.push(nowMs() - t);
  }
  child.stdin.end();
  await exited;
  return { initializeMs, callMs };
}

export async function cliFigures(quick: boolean): Promise<Figure[]> {
  const runs = quick ? 3 : RUNS;
  const small = await board(quick ? 100 : TASKS, runs);
  const { env } = small;

  progress("cli: building the bundle if it is stale (not measured)");
  timed([bin, "--version"], env);
  const firstSmall = timed([bin, "list", "--json"], env);
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
    listBare.push(timed([bare, "list", small.barePath], env));
    complete.push(timed([bin, "complete", small.ready[2 * i] as string, "--summary", "finished"], env));
    completeBare.push(timed([bare, "complete", small.barePath, small.ready[2 * i + 1] as string], env));
  }
  const nodeMs = round(median(node));
  const checkSmall = round(quickCheckMs(small.barePath));

  // switchyard mcp for one task of the 1k board, beside the bare server.
  const sessions = quick ? 3 : MCP_SESSIONS;
  const task = small.ready[small.ready.length - 1] as string;
  const mcpEnv = { ...env, SWITCHYARD_TASK: task };
  progress(`cli: ${sessions} MCP sessions of ${MCP_CALLS} kanban_show calls each`);
  const mcpInit: number[] = [];
  const mcpInitBare: number[] = [];
  const mcpCalls: number[] = [];
  const mcpCallsBare: number[] = [];
  for (let i = 0; i < sessions; i++) {
    const real = await mcpSession([bin, "mcp"], mcpEnv, task, MCP_CALLS);
    const bareOne = await mcpSession([bareMcp, small.barePath], env, task, MCP_CALLS);
    mcpInit.push(real.initializeMs);
    mcpInitBare.push(bareOne.initializeMs);
    mcpCalls.push(...real.callMs);
    mcpCallsBare.push(...bareOne.callMs);
  }

  // The same calls on a board a hundred times larger: what grows with the board is per-call cost.
  const bigTasks = quick ? 2_000 : BIG_TASKS;
  progress(`cli: seeding ${bigTasks} tasks for list and complete on a large board`);
  const big = await board(bigTasks, BIG_RUNS);
  const firstBig = timed([bin, "complete", big.ready[2 * BIG_RUNS] as string, "--summary", "finished"], big.env);
  const completeBig: number[] = [];
  const completeBigBare: number[] = [];
  const listBig: number[] = [];
  const listBigBare: number[] = [];
  for (let i = 0; i < BIG_RUNS; i++) {
    completeBig.push(timed([bin, "complete", big.ready[2 * i] as string, "--summary", "finished"], big.env));
    completeBigBare.push(timed([bare, "complete", big.barePath, big.ready[2 * i + 1] as string], big.env));
    listBig.push(timed([bin, "list", "--json"], big.env));
    listBigBare.push(timed([bare, "list", big.barePath], big.env));
  }
  const checkBig = round(quickCheckMs(big.barePath));
  const bigName = `${bigTasks / 1000}k`;
  return [
    figure("cli_list_json_1k", median(list), "ms", median(listBare), {
      tasks: TASKS,
      runs,
      node_startup_ms: nodeMs,
      quick_check_ms: checkSmall,
      first_call_after_outside_write_ms: round(firstSmall),
    }),
    figure("cli_complete_1k", median(complete), "ms", median(completeBare), {
      tasks: TASKS,
      runs,
      node_startup_ms: nodeMs,
      quick_check_ms: checkSmall,
    }),
    figure(`cli_list_json_${bigName}`, median(listBig), "ms", median(listBigBare), {
      tasks: bigTasks,
      runs: BIG_RUNS,
      quick_check_ms: checkBig,
    }),
    figure(`cli_complete_${bigName}`, median(completeBig), "ms", median(completeBigBare), {
      tasks: bigTasks,
      runs: BIG_RUNS,
      quick_check_ms: checkBig,
      first_call_after_outside_write_ms: round(firstBig),
    }),
    figure("mcp_initialize", median(mcpInit), "ms", median(mcpInitBare), {
      sessions,
      node_startup_ms: nodeMs,
      p95: round(p95(mcpInit)),
    }),
    figure("mcp_tool_call_kanban_show", median(mcpCalls), "ms", median(mcpCallsBare), {
      tasks: TASKS,
      calls: mcpCalls.length,
      p95: round(p95(mcpCalls)),
      baseline_p95: round(p95(mcpCallsBare)),
    }),
  ];
}
