import { tmpdir } from "node:os";
import { join } from "node:path";
import { boardPaths, claimTask, completeTask, heartbeatWorker, openKernel, resolveHome } from "@switchyard/core";
import pg from "pg";
import { type ClaimWorker, PICK, runClaimLoop, WINDOW } from "./claim-loop.ts";

/**
 * One worker of the PostgreSQL claim benchmark (claim-worker.ts on a board in PostgreSQL): claims
 * a ready task, heartbeats it once and completes it, until no ready task is left. `kernel` mode
 * goes through @switchyard/core on a home whose database URL is set; `raw` mode issues the same
 * writes as bare SQL on one `pg` connection, one transaction per step, each holding the board's
 * advisory lock as the driver's write transactions do (the single-writer rule without the
 * kernel). Picks as claim-worker.ts does: at random among the first ready tasks.
 *
 * argv: <kernel|raw> <database url> <lock space> <lock key> <worker index> <worker count>
 */
const [mode, url = "", spaceArg, keyArg, indexArg, countArg] = process.argv.slice(2);
const lockSpace = Number(spaceArg);
const lockKey = Number(keyArg);
const index = Number(indexArg);
const count = Number(countArg);
/** The schema of the `default` board (core's `schemaOf`). */
const SCHEMA = "board_default";

async function kernelWork(): Promise<ClaimWorker> {
  // Nothing is written under the home's root: the board is the database's `board_default` schema.
  const home = resolveHome({
    SWITCHYARD_HOME: join(tmpdir(), "switchyard-bench-pg-home"),
    SWITCHYARD_DATABASE_URL: url,
  });
  const k = await openKernel(boardPaths(home, "default"), { host: "benchhost" });
  if (k.dialect !== "postgres") throw new Error(`expected a PostgreSQL board, got ${k.dialect}`);
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

async function rawWork(): Promise<ClaimWorker> {
  const db = new pg.Client({ connectionString: url, options: `-c search_path=${SCHEMA}` });
  await db.connect();
  const lock = `benchhost:${process.pid}`;
  // Named statements: parsed once per connection, as the SQLite baseline prepares its statements.
  const q = (name: string, text: string, values: unknown[]) => db.query({ name, text, values });
  const now = () => Math.floor(Date.now() / 1000);
  /** One write transaction under the board's advisory lock, as the driver's `write`. */
  async function tx<T>(fn: () => Promise<T>): Promise<T> {
    await db.query("BEGIN");
    try {
      await q("lock", "SELECT pg_advisory_xact_lock($1, $2)", [lockSpace, lockKey]);
      const result = await fn();
      await db.query("COMMIT");
      return result;
    } catch (err) {
      await db.query("ROLLBACK").catch(() => {});
      throw err;
    }
  }
  const event = (id: string, run: number, kind: string, payload: unknown, t: number) =>
    q("event", "INSERT INTO task_events (task_id, run_id, kind, payload, created_at) VALUES ($1, $2, $3, $4, $5)", [
      id,
      run,
      kind,
      JSON.stringify(payload),
      t,
    ]);
  const claim = (id: string) =>
    tx(async (): Promise<number | null> => {
      const t = now();
      const won = await q(
        "claim",
        `UPDATE tasks SET status = 'running', claim_lock = $1, claim_expires = $2,
                          started_at = COALESCE(started_at, $3), worker_pid = NULL
          WHERE id = $4 AND status = 'ready' AND claim_lock IS NULL
          RETURNING assignee, max_runtime_seconds, current_step_key`,
        [lock, t + 900, t, id],
      );
      const row = won.rows[0] as
        | { assignee: string | null; max_runtime_seconds: string | null; current_step_key: string | null }
        | undefined;
      if (!row) return null;
      const inserted = await q(
        "new_run",
        `INSERT INTO task_runs (task_id, profile, step_key, status, claim_lock, claim_expires, max_runtime_seconds,
                                started_at)
         VALUES ($1, $2, $3, 'running', $4, $5, $6, $7) RETURNING id`,
        [id, row.assignee, row.current_step_key, lock, t + 900, row.max_runtime_seconds, t],
      );
      const run = Number((inserted.rows[0] as { id: string }).id);
      await q("point_run", "UPDATE tasks SET current_run_id = $1 WHERE id = $2", [run, id]);
      await event(id, run, "claimed", { lock, expires: t + 900, run_id: run }, t);
      return run;
    });
  const beat = (id: string, run: number) =>
    tx(async () => {
      const t = now();
      await q(
        "beat_task",
        "UPDATE tasks SET last_heartbeat_at = $1, claim_expires = $2 WHERE id = $3 AND status = 'running' AND current_run_id = $4",
        [t, t + 900, id, run],
      );
      await q("beat_run", "UPDATE task_runs SET last_heartbeat_at = $1, claim_expires = $2 WHERE id = $3", [
        t,
        t + 900,
        run,
      ]);
      await event(id, run, "heartbeat", { note: "working" }, t);
    });
  const complete = (id: string, run: number) =>
    tx(async () => {
      const t = now();
      await q(
        "finish_task",
        `UPDATE tasks SET status = 'done', result = $1, completed_at = $2, claim_lock = NULL, claim_expires = NULL,
                          worker_pid = NULL, current_run_id = NULL, spawn_failures = 0
          WHERE id = $3 AND current_run_id = $4`,
        ["done", t, id, run],
      );
      await q(
        "finish_run",
        `UPDATE task_runs SET status = 'done', outcome = 'completed', ended_at = $1, summary = $2, claim_expires = NULL
          WHERE id = $3`,
        [t, "finished the work", run],
      );
      await event(id, run, "completed", { result_len: 4, summary: "finished the work" }, t);
      await q("children", "SELECT child_id FROM task_links WHERE parent_id = $1", [id]);
    });
  return {
    pick: async () =>
      ((await q("pick", PICK.replace("?", "$1"), [count * WINDOW])).rows as Array<{ id: string }>).map((r) => r.id),
    async work(id) {
      const run = await claim(id);
      if (run === null) return false;
      await beat(id, run);
      await complete(id, run);
      return true;
    },
    close: () => db.end(),
  };
}

const worker = mode === "raw" ? await rawWork() : await kernelWork();
await runClaimLoop(worker, index);
