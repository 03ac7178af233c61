import type { Task } from "@switchyard/contract";
import { CoreError, notFound } from "./errors.ts";
import { appendEvent } from "./events.ts";
import { claimerOf, type Kernel, lockHost } from "./kernel.ts";
import { requeueStatus } from "./links.ts";
import { type TaskRow, toTask } from "./rows.ts";
import { closeRun } from "./runs.ts";
import { getTask } from "./tasks.ts";

export const DEFAULT_CLAIM_TTL_SECONDS = 900;

/** A worker process that belonged to a run, for stopping it once its run is over. */
export interface WorkerRef {
  task_id: string;
  run_id: number | null;
  pid: number | null;
  lock: string | null;
  /** When the run started (Unix seconds), to tell our worker from a process that reused its pid. */
  started_at?: number | null;
}

export interface ClaimOptions {
  ttl?: number;
  claimer?: string;
}

/**
 * The compare-and-swap claim (reference §3.1): one conditional UPDATE that only matches a
 * ready, unlocked task. The winner gets a new `running` run and a `claimed` event; a loser gets
 * null. A stray open run left by an earlier bug is closed as `reclaimed` first.
 */
export function claimTask(k: Kernel, id: string, options: ClaimOptions = {}): Task | null {
  const ttl = options.ttl ?? DEFAULT_CLAIM_TTL_SECONDS;
  const lock = options.claimer ?? claimerOf(k);
  return k.write(() => {
    const now = k.clock.now();
    const expires = now + ttl;
    const won = k
      .stmt(
        `UPDATE tasks
            SET status = 'running', claim_lock = ?, claim_expires = ?, started_at = COALESCE(started_at, ?),
                worker_pid = NULL
          WHERE id = ? AND status = 'ready' AND claim_lock IS NULL
          RETURNING *`,
      )
      .get(lock, expires, now, id) as TaskRow | undefined;
    if (!won) return null;
    if (won.current_run_id !== null) {
      closeRun(k, won.current_run_id, { outcome: "reclaimed", error: "invariant recovery on re-claim" });
    }
    const runId = Number(
      k
        .stmt(
          `INSERT INTO task_runs (task_id, profile, step_key, status, claim_lock, claim_expires,
                                 max_runtime_seconds, started_at)
           VALUES (?, ?, ?, 'running', ?, ?, ?, ?)`,
        )
        .run(id, won.assignee, won.current_step_key, lock, expires, won.max_runtime_seconds, now).lastInsertRowid,
    );
    k.stmt("UPDATE tasks SET current_run_id = ? WHERE id = ?").run(runId, id);
    appendEvent(k, id, "claimed", { lock, expires, run_id: runId }, runId);
    // The row as the claim left it, without reading it again inside the write lock.
    return toTask({ ...won, current_run_id: runId });
  });
}

/**
 * Refuses a worker call from a run that is no longer the task's current run (SPEC §3.2).
 * Without a run id (a person at the CLI or dashboard) there is nothing to check.
 */
export function assertCurrentRun(task: Task, runId: number | null | undefined, verb: string): void {
  if (runId === null || runId === undefined) return;
  if (task.current_run_id !== runId) {
    throw new CoreError(
      "superseded",
      `cannot ${verb} ${task.id}: run ${runId} is no longer the task's current run (it was reclaimed, timed out or superseded); stop working on it`,
      { task_id: task.id },
    );
  }
}

export interface HeartbeatOptions {
  note?: string | null;
  runId?: number | null;
  /** How far the claim is extended from now; defaults to the claim TTL. */
  ttl?: number;
}

/**
 * A worker's liveness ping: records the time, extends the claim to now + ttl (SPEC §3.1) and
 * appends `heartbeat`. Only a running task can heartbeat, and only from its current run.
 */
export function heartbeatWorker(k: Kernel, id: string, options: HeartbeatOptions = {}): Task {
  const ttl = options.ttl ?? DEFAULT_CLAIM_TTL_SECONDS;
  const runId = options.runId ?? null;
  return k.write(() => {
    const now = k.clock.now();
    // One conditional UPDATE does the common case: a running task of this run (any run without
    // a run id). Extends, never shortens: a claim taken with a longer TTL keeps its expiry.
    const row = k
      .stmt(
        `UPDATE tasks SET last_heartbeat_at = ?, claim_expires = MAX(?, COALESCE(claim_expires, 0))
          WHERE id = ? AND status = 'running' AND (? IS NULL OR current_run_id = ?)
          RETURNING *`,
      )
      .get(now, now + ttl, id, runId, runId) as TaskRow | undefined;
    if (!row) {
      const task = getTask(k, id);
      if (!task) throw notFound(id);
      // A worker whose run was taken away must hear "superseded" (stop), whatever the status now is.
      assertCurrentRun(task, runId, "heartbeat");
      throw new CoreError("invalid_transition", `could not heartbeat ${id}: it is ${task.status}, not running`);
    }
    const task = toTask(row);
    if (task.current_run_id !== null) {
      k.stmt("UPDATE task_runs SET last_heartbeat_at = ?, claim_expires = ? WHERE id = ? AND ended_at IS NULL").run(
        now,
        task.claim_expires,
        task.current_run_id,
      );
    }
    const note = options.note?.trim();
    appendEvent(k, id, "heartbeat", note ? { note } : null, task.current_run_id);
    return task;
  });
}

/**
 * Extends a claim held by `claimer` (reference `heartbeat_claim`). Returns whether the caller
 * still owns the claim.
 */
export function heartbeatClaim(k: Kernel, id: string, ttl: number, claimer: string = claimerOf(k)): boolean {
  return k.write(() => {
    const expires = k.clock.now() + ttl;
    const changed =
      k
        .stmt("UPDATE tasks SET claim_expires = ? WHERE id = ? AND status = 'running' AND claim_lock = ?")
        .run(expires, id, claimer).changes > 0;
    if (changed) {
      k.stmt(
        "UPDATE task_runs SET claim_expires = ? WHERE id = (SELECT current_run_id FROM tasks WHERE id = ?) AND ended_at IS NULL",
      ).run(expires, id);
    }
    return changed;
  });
}

/** Records the pid of the worker started for a run, and appends `spawned`. */
export function setWorkerPid(k: Kernel, id: string, runId: number, pid: number): boolean {
  return k.write(() => {
    const changed =
      k
        .stmt("UPDATE tasks SET worker_pid = ? WHERE id = ? AND status = 'running' AND current_run_id = ?")
        .run(pid, id, runId).changes > 0;
    if (!changed) return false;
    k.stmt("UPDATE task_runs SET worker_pid = ? WHERE id = ?").run(pid, runId);
    appendEvent(k, id, "spawned", { pid }, runId);
    return true;
  });
}

/**
 * Every running task whose claim has expired goes back to ready (todo while a parent is
 * unfinished), its run closed as `reclaimed` (reference §3.3). A stale claim is not a failure.
 * Returns the workers that lost their run, so the caller can stop the ones on this host.
 */
export function releaseStaleClaims(k: Kernel): WorkerRef[] {
  return k.write(() => {
    const stale = k
      .stmt(
        `SELECT t.id, t.claim_lock, t.worker_pid, t.current_run_id, r.started_at FROM tasks t
           LEFT JOIN task_runs r ON r.id = t.current_run_id
          WHERE t.status = 'running' AND t.claim_expires IS NOT NULL AND t.claim_expires < ?`,
      )
      .all(k.clock.now()) as Array<{
      id: string;
      claim_lock: string | null;
      worker_pid: number | null;
      current_run_id: number | null;
      started_at: number | null;
    }>;
    const released: WorkerRef[] = [];
    const release = k.stmt(
      `UPDATE tasks SET status = ?, claim_lock = NULL, claim_expires = NULL, worker_pid = NULL,
                        current_run_id = NULL
        WHERE id = ? AND status = 'running' AND claim_lock IS ?`,
    );
    for (const t of stale) {
      if (release.run(requeueStatus(k, t.id), t.id, t.claim_lock).changes === 0) continue;
      if (t.current_run_id !== null) {
        closeRun(k, t.current_run_id, { outcome: "reclaimed", error: `stale_lock=${t.claim_lock}` });
      }
      appendEvent(k, t.id, "reclaimed", { stale_lock: t.claim_lock }, t.current_run_id);
      released.push({
        task_id: t.id,
        run_id: t.current_run_id,
        pid: t.worker_pid,
        lock: t.claim_lock,
        started_at: t.started_at,
      });
    }
    return released;
  });
}

/** True when a `host:pid` lock was taken on this host (pids elsewhere mean nothing here). */
export function isLocalLock(k: Kernel, lock: string | null): boolean {
  return lockHost(lock) === k.host;
}
