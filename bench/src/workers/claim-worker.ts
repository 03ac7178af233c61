import { boardPaths, claimTask, completeTask, heartbeatWorker, openKernel, resolveHome } from "@switchyard/core";
import BetterSqlite3 from "better-sqlite3";
import { WAL_AUTOCHECKPOINT_PAGES } from "../seed.ts";
import { type ClaimWorker, PICK, runClaimLoop, WINDOW } from "./claim-loop.ts";

/**
 * One worker of the claim benchmark: claims a ready task, heartbeats it once and completes it,
 * until no ready task is left. `kernel` mode goes through @switchyard/core; `raw` mode issues the
 * same writes as bare SQL statements (the baseline). Each worker picks at random among the first
 * ready tasks, and the compare-and-swap settles collisions.
 *
 * argv: <kernel|raw> <home> <worker index> <worker count>
 */
const [mode, homeRoot, indexArg, countArg] = process.argv.slice(2);
const index = Number(indexArg);
const count = Number(countArg);
const home = resolveHome({ SWITCHYARD_HOME: homeRoot ?? "" });
const path = boardPaths(home, "default").dbPath;

async function kernelWork(): Promise<ClaimWorker> {
  const k = await openKernel(boardPaths(home, "default"), { host: "benchhost" });
  return {
    pick: async () => (await k.db.all<{ id: string }>(PICK, [count * WINDOW])).map((r) => r.id),
    async work(id) {
      const task = await claimTask(k, id, { ttl: 900 });
      if (!task) return false;
      await heartbeatWorker(k, id, { runId: task.current_run_id, note: "working" });
      await completeTask(k, id, { runId: task.current_run_id, result: "done", summary: "finished the work" });
      return true;
    },
    close: () => k.close(),
  };
}

function rawWork(): ClaimWorker {
  const db = new BetterSqlite3(path, { timeout: 30_000 });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`); // the kernel's settings, for a like-for-like baseline
  const lock = `benchhost:${process.pid}`;
  const next = db.prepare(PICK);
  const claim = db.prepare(
    `UPDATE tasks SET status = 'running', claim_lock = ?, claim_expires = ?, started_at = COALESCE(started_at, ?),
                      worker_pid = NULL
      WHERE id = ? AND status = 'ready' AND claim_lock IS NULL
      RETURNING assignee, max_runtime_seconds, current_step_key`,
  );
  const newRun = db.prepare(
    `INSERT INTO task_runs (task_id, profile, step_key, status, claim_lock, claim_expires, max_runtime_seconds, started_at)
     VALUES (?, ?, ?, 'running', ?, ?, ?, ?)`,
  );
  const pointRun = db.prepare("UPDATE tasks SET current_run_id = ? WHERE id = ?");
  const event = db.prepare(
    "INSERT INTO task_events (task_id, run_id, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)",
  );
  const beatTask = db.prepare(
    "UPDATE tasks SET last_heartbeat_at = ?, claim_expires = ? WHERE id = ? AND status = 'running' AND current_run_id = ?",
  );
  const beatRun = db.prepare("UPDATE task_runs SET last_heartbeat_at = ?, claim_expires = ? WHERE id = ?");
  const finishTask = db.prepare(
    `UPDATE tasks SET status = 'done', result = ?, completed_at = ?, claim_lock = NULL, claim_expires = NULL,
                      worker_pid = NULL, current_run_id = NULL, spawn_failures = 0
      WHERE id = ? AND current_run_id = ?`,
  );
  const finishRun = db.prepare(
    `UPDATE task_runs SET status = 'done', outcome = 'completed', ended_at = ?, summary = ?, claim_expires = NULL
      WHERE id = ?`,
  );
  const children = db.prepare("SELECT child_id FROM task_links WHERE parent_id = ?");
  const now = () => Math.floor(Date.now() / 1000);

  const claimTx = db.transaction((id: string): number | null => {
    const t = now();
    const won = claim.get(lock, t + 900, t, id) as
      | { assignee: string | null; max_runtime_seconds: number | null; current_step_key: string | null }
      | undefined;
    if (!won) return null;
    const run = Number(
      newRun.run(id, won.assignee, won.current_step_key, lock, t + 900, won.max_runtime_seconds, t).lastInsertRowid,
    );
    pointRun.run(run, id);
    event.run(id, run, "claimed", JSON.stringify({ lock, expires: t + 900, run_id: run }), t);
    return run;
  });
  const beatTx = db.transaction((id: string, run: number) => {
    const t = now();
    beatTask.run(t, t + 900, id, run);
    beatRun.run(t, t + 900, run);
    event.run(id, run, "heartbeat", JSON.stringify({ note: "working" }), t);
  });
  const completeTx = db.transaction((id: string, run: number) => {
    const t = now();
    finishTask.run("done", t, id, run);
    finishRun.run(t, "finished the work", run);
    event.run(id, run, "completed", JSON.stringify({ result_len: 4, summary: "finished the work" }), t);
    children.all(id);
  });
  return {
    pick: () => (next.all(count * WINDOW) as Array<{ id: string }>).map((r) => r.id),
    work(id) {
      const run = claimTx.immediate(id);
      if (run === null) return false;
      beatTx.immediate(id, run);
      completeTx.immediate(id, run);
      return true;
    },
    close: () => {
      db.close();
    },
  };
}

const worker = mode === "raw" ? rawWork() : await kernelWork();
await runClaimLoop(worker, index);
