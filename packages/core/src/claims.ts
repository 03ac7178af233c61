import type { Task } from "@switchyard/contract";
import { CoreError, notFound } from "./errors.ts";
import { appendEvent } from "./events.ts";
import { LOCK_OF_HOST_SQL } from "./hosts.ts";
import { claimerOf, type Kernel, lockHost } from "./kernel.ts";
import { requeueStatus } from "./links.ts";
import { HANDED_IN_SQL } from "./proofs.ts";
import { RETRY_DUE_SQL } from "./rate-limits.ts";
import { int, NO_CLAIM_SQL, type TaskRow, toTask } from "./rows.ts";
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

/** One cap a claim must stay within: fewer than `max` running, counting `extra` besides the board's rows. */
export interface Cap {
  max: number;
  /** Workers the rows do not show: live processes of ended runs, workers on other boards. */
  extra?: number;
}

/**
 * The caps a dispatcher's claim is checked against inside its transaction (SPEC §13): with
 * many dispatchers on one board, counts read before the claim could be stale by the time it
 * commits, so the claim re-counts the board's running tasks under the board's write lock.
 */
export interface ClaimCaps {
  /** `dispatch.max_in_progress`: every running task on the board, whichever host runs it. */
  total?: Cap;
  /** `profiles.<name>.max_in_progress`: the board's running tasks of the task's profile. */
  profile?: Cap;
  /** `dispatch.host_max_in_progress`: running tasks claimed by this host. */
  host?: Cap;
}

export interface ClaimOptions {
  ttl?: number;
  claimer?: string;
  /** Refuse (null, with `refusedFor`) a claim that would go over a cap. */
  caps?: ClaimCaps;
  /** Set to the cap that refused the claim, when one did. */
  refusedFor?: { cap: keyof ClaimCaps | null };
}

/** Which cap, if any, a new claim of a task of `profile` would exceed, counted in the transaction. */
async function capReached(k: Kernel, profile: string | null, caps: ClaimCaps): Promise<keyof ClaimCaps | null> {
  const prefix = `${k.host}:`;
  const row = await k.db.get<{ total: number; profile: number | null; host: number | null }>(
    `SELECT COUNT(*) AS total,
            SUM(CASE WHEN assignee = ? THEN 1 ELSE 0 END) AS profile,
            SUM(CASE WHEN substr(claim_lock, 1, ?) = ? THEN 1 ELSE 0 END) AS host
       FROM tasks WHERE status = 'running'`,
    [profile, prefix.length, prefix],
  );
  const counts = { total: Number(row?.total ?? 0), profile: Number(row?.profile ?? 0), host: Number(row?.host ?? 0) };
  for (const name of ["total", "profile", "host"] as const) {
    const cap = caps[name];
    if (cap && counts[name] + (cap.extra ?? 0) >= cap.max) return name;
  }
  return null;
}

/**
 * The compare-and-swap claim (reference §3.1): one conditional UPDATE that only matches a
 * ready, unlocked task whose rate-limit backoff (`retry_after`, decision 013) is over. The
 * winner gets a new `running` run and a `claimed` event; a loser gets null. A stray open run
 * left by an earlier bug is closed as `reclaimed` first.
 */
export async function claimTask(k: Kernel, id: string, options: ClaimOptions = {}): Promise<Task | null> {
  const ttl = options.ttl ?? DEFAULT_CLAIM_TTL_SECONDS;
  const lock = options.claimer ?? claimerOf(k);
  return k.write(async (k) => {
    const now = k.clock.now();
    const expires = now + ttl;
    if (options.caps) {
      const assignee = await k.db.get<{ assignee: string | null }>("SELECT assignee FROM tasks WHERE id = ?", [id]);
      const cap = assignee ? await capReached(k, assignee.assignee, options.caps) : null;
      if (options.refusedFor) options.refusedFor.cap = cap;
      if (cap) return null;
    }
    const won = await k.db.get<TaskRow>(
      `UPDATE tasks
          SET status = 'running', claim_lock = ?, claim_expires = ?, started_at = COALESCE(started_at, ?),
              worker_pid = NULL, retry_after = NULL
        WHERE id = ? AND status = 'ready' AND claim_lock IS NULL AND ${RETRY_DUE_SQL}
        RETURNING *`,
      [lock, expires, now, id, now],
    );
    if (!won) return null;
    if (won.current_run_id !== null) {
      await closeRun(k, won.current_run_id, { outcome: "reclaimed", error: "invariant recovery on re-claim" });
    }
    const run = await k.db.get<{ id: number }>(
      `INSERT INTO task_runs (task_id, profile, step_key, status, claim_lock, claim_expires,
                             max_runtime_seconds, started_at)
       VALUES (?, ?, ?, 'running', ?, ?, ?, ?) RETURNING id`,
      [id, won.assignee, won.current_step_key, lock, expires, won.max_runtime_seconds, now],
    );
    const runId = Number(run?.id);
    await k.db.run("UPDATE tasks SET current_run_id = ? WHERE id = ?", [runId, id]);
    await appendEvent(k, id, "claimed", { lock, expires, run_id: runId }, runId);
    // The row as the claim left it, without reading it again inside the write lock.
    return toTask({ ...won, current_run_id: runId });
  });
}

/**
 * A claim a person or an agent in a terminal asks for (`switchyard claim`): the claim, or a
 * `claim_conflict` refusal saying who holds the task.
 */
export async function claimOrRefuse(k: Kernel, id: string, options: ClaimOptions = {}): Promise<Task> {
  const claimed = await claimTask(k, id, options);
  if (claimed) return claimed;
  const task = await getTask(k, id);
  if (!task) throw notFound(id);
  if (task.status === "ready" && !task.claim_lock && task.retry_after !== null && task.retry_after > k.clock.now()) {
    const wait = task.retry_after - k.clock.now();
    throw new CoreError(
      "claim_conflict",
      `cannot claim ${id}: its worker was rate-limited; it can be claimed again in ${wait}s (at ${new Date(task.retry_after * 1000).toISOString()})`,
      { task_id: id },
    );
  }
  const lock = task.claim_lock ? `, claimed by ${task.claim_lock}` : "";
  throw new CoreError("claim_conflict", `cannot claim ${id}: it is ${task.status}${lock}`, { task_id: id });
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

/** What a heartbeat leaves on the task: the claim's new expiry, and the run it belongs to. */
export type Heartbeat = Pick<Task, "id" | "status" | "current_run_id" | "claim_expires" | "last_heartbeat_at">;

/**
 * A worker's liveness ping: records the time, extends the claim to now + ttl (SPEC §3.1) and
 * appends `heartbeat`. Only a running task can heartbeat, and only from its current run.
 * Returns the claim as the heartbeat left it, not the whole task: a worker heartbeats often, and
 * nothing it is told back needs more (reading the whole row costs as much as the update).
 */
export async function heartbeatWorker(k: Kernel, id: string, options: HeartbeatOptions = {}): Promise<Heartbeat> {
  const ttl = options.ttl ?? DEFAULT_CLAIM_TTL_SECONDS;
  const runId = options.runId ?? null;
  return k.write(async (k) => {
    const now = k.clock.now();
    // One conditional UPDATE does the common case: a running task of this run (any run without
    // a run id). Extends, never shortens: a claim taken with a longer TTL keeps its expiry.
    const row = await k.db.get<Heartbeat>(
      `UPDATE tasks SET last_heartbeat_at = ?,
                        claim_expires = CASE WHEN COALESCE(claim_expires, 0) > ? THEN claim_expires ELSE ? END
        WHERE id = ? AND status = 'running' AND (CAST(? AS BIGINT) IS NULL OR current_run_id = ?)
        RETURNING id, status, current_run_id, claim_expires, last_heartbeat_at`,
      [now, now + ttl, now + ttl, id, runId, runId],
    );
    if (!row) {
      const task = await getTask(k, id);
      if (!task) throw notFound(id);
      // A worker whose run was taken away must hear "superseded" (stop), whatever the status now is.
      assertCurrentRun(task, runId, "heartbeat");
      throw new CoreError("invalid_transition", `could not heartbeat ${id}: it is ${task.status}, not running`, {
        task_id: id,
      });
    }
    const beat: Heartbeat = {
      id: row.id,
      status: row.status,
      current_run_id: int(row.current_run_id),
      claim_expires: int(row.claim_expires),
      last_heartbeat_at: int(row.last_heartbeat_at),
    };
    if (beat.current_run_id !== null) {
      await k.db.run(
        "UPDATE task_runs SET last_heartbeat_at = ?, claim_expires = ? WHERE id = ? AND ended_at IS NULL",
        [now, beat.claim_expires, beat.current_run_id],
      );
    }
    const note = options.note?.trim();
    await appendEvent(k, id, "heartbeat", note ? { note } : null, beat.current_run_id);
    return beat;
  });
}

/**
 * Extends a claim held by `claimer` (reference `heartbeat_claim`). Returns whether the caller
 * still owns the claim.
 */
export async function heartbeatClaim(
  k: Kernel,
  id: string,
  ttl: number,
  claimer: string = claimerOf(k),
): Promise<boolean> {
  return k.write(async (k) => {
    const expires = k.clock.now() + ttl;
    const changed =
      (await k.db.run("UPDATE tasks SET claim_expires = ? WHERE id = ? AND status = 'running' AND claim_lock = ?", [
        expires,
        id,
        claimer,
      ])) > 0;
    if (changed) {
      await k.db.run(
        "UPDATE task_runs SET claim_expires = ? WHERE id = (SELECT current_run_id FROM tasks WHERE id = ?) AND ended_at IS NULL",
        [expires, id],
      );
    }
    return changed;
  });
}

/** Records the pid of the worker started for a run, and appends `spawned`. */
export async function setWorkerPid(k: Kernel, id: string, runId: number, pid: number): Promise<boolean> {
  return k.write(async (k) => {
    const changed =
      (await k.db.run("UPDATE tasks SET worker_pid = ? WHERE id = ? AND status = 'running' AND current_run_id = ?", [
        pid,
        id,
        runId,
      ])) > 0;
    if (!changed) return false;
    await k.db.run("UPDATE task_runs SET worker_pid = ? WHERE id = ?", [pid, runId]);
    await appendEvent(k, id, "spawned", { pid }, runId);
    return true;
  });
}

/**
 * Every running task whose claim has expired goes back to ready (todo while a parent is
 * unfinished), its run closed as `reclaimed` (reference §3.3). So does every task claimed by a
 * host whose lease has passed (SPEC §13): the host is gone, and its `host_lost` is named in the
 * event. A stale claim is not a failure.
 * Returns the workers that lost their run, so the caller can stop the ones on this host.
 */
export async function releaseStaleClaims(k: Kernel): Promise<WorkerRef[]> {
  return k.write(async (k) => {
    const now = k.clock.now();
    const stale = await k.db.all<{
      id: string;
      claim_lock: string | null;
      worker_pid: number | null;
      current_run_id: number | null;
      started_at: number | null;
      lost_host: string | null;
    }>(
      `SELECT t.id, t.claim_lock, t.worker_pid, t.current_run_id, r.started_at,
              (SELECT MIN(h.id) FROM hosts h WHERE h.expires_at < ? AND ${LOCK_OF_HOST_SQL}) AS lost_host
         FROM tasks t
         LEFT JOIN task_runs r ON r.id = t.current_run_id
        WHERE t.status = 'running' AND NOT ${HANDED_IN_SQL("t")}
          AND ((t.claim_expires IS NOT NULL AND t.claim_expires < ?)
               OR EXISTS (SELECT 1 FROM hosts h WHERE h.expires_at < ? AND ${LOCK_OF_HOST_SQL}))`,
      [now, now, now],
    );
    const released: WorkerRef[] = [];
    for (const t of stale) {
      const status = await requeueStatus(k, t.id);
      const changes = await k.db.run(
        `UPDATE tasks SET status = ?, ${NO_CLAIM_SQL}
          WHERE id = ? AND status = 'running' AND claim_lock IS NOT DISTINCT FROM ?`,
        [status, t.id, t.claim_lock],
      );
      if (changes === 0) continue;
      if (t.current_run_id !== null) {
        const why = t.lost_host ? `host_lease_expired host=${t.lost_host}` : `stale_lock=${t.claim_lock}`;
        await closeRun(k, t.current_run_id, { outcome: "reclaimed", error: why });
      }
      await appendEvent(
        k,
        t.id,
        "reclaimed",
        { stale_lock: t.claim_lock, status, ...(t.lost_host ? { host_lost: t.lost_host } : {}) },
        t.current_run_id,
      );
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
