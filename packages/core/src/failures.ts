import type { CheckResult, ReceiptVerdict, RunOutcome, SavedWork } from "@switchyard/contract";
import { agentSessionOf, agentVerdict } from "./agents.ts";
import { isLocalLock, type WorkerRef } from "./claims.ts";
import { workerDeadlines } from "./deadlines.ts";
import { appendEvent } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { requeueStatus } from "./links.ts";
import {
  type ExitFacts,
  exitFingerprint,
  FINGERPRINT_KEY,
  notePausingFailure,
  PAUSE_AFTER_FAILURES,
} from "./pauses.ts";
import { isHandedIn } from "./proofs.ts";
import {
  type Backoff,
  DEFAULT_BACKOFF,
  RATE_LIMIT_EXIT_CODE,
  type RateLimitOutcome,
  recordRateLimit,
} from "./rate-limits.ts";
import { NO_CLAIM_SQL } from "./rows.ts";
import { closeRun } from "./runs.ts";
import { saveWorkInProgress } from "./wip.ts";

/** SPEC §3.4: one counter for every kind of failure; at the limit the task is blocked. */
export const DEFAULT_FAILURE_LIMIT = 3;

const ERROR_MAX = 500;

export type FailureKind = "spawn_failed" | "crashed" | "timed_out" | "protocol_violation" | "unverified";

export interface Failure {
  kind: FailureKind;
  /** Human-readable cause, stored (truncated) in `last_spawn_error` and the run's error. */
  error: string;
  /** The run that failed; the failure is ignored if the task has moved on from it. */
  runId: number | null;
  pid?: number | null;
  claimer?: string | null;
  exitCode?: number | null;
  signal?: string | null;
  elapsedSeconds?: number;
  limitSeconds?: number;
  sigkill?: boolean;
  /**
   * How the failure looked (exit code and last log line, or the spawn error, normalised):
   * identical ones across a profile's runs pause the profile (pauses.ts). Kept in the run's metadata.
   */
  fingerprint?: string | null;
  /**
   * For a worker started with the board's tools wired in (SPEC §14): whether its agent connected
   * and the tools it called, kept in the failure's event payload.
   */
  agent?: { connected: boolean; tools: string[] } | null;
  /** The worker's last log lines, kept in the event payload when its agent never connected. */
  logTail?: readonly string[];
  /** `unverified`: the board's checks of a handed-in completion that refused it (SPEC §12). */
  unverified?: {
    refused: ReceiptVerdict[];
    verified: ReceiptVerdict[];
    checks: CheckResult[];
    summary_preview: string | null;
  };
  /** `timed_out`: the worker's uncommitted changes, saved before it was stopped. */
  wip?: SavedWork | null;
}

export interface FailureOutcome {
  task_id: string;
  failures: number;
  /** `retry`: back to ready; `gave_up`: blocked at the limit. */
  result: "retry" | "gave_up";
  /** The profile this failure paused on the board (decision 013). */
  paused_profile?: string;
}

function truncate(text: string): string {
  return text.length > ERROR_MAX ? `${text.slice(0, ERROR_MAX - 1)}…` : text;
}

/**
 * Counts one failure of a running task's current run (reference §3.5 with SPEC §3.4): below the
 * limit the task goes back to ready (todo while a parent is unfinished) and the run closes with
 * the failure's kind; at the limit the task is blocked, the run closes as `gave_up` and
 * `gave_up` is appended. The limit is the task's `max_retries` when set, else `limit`
 * (`dispatch.failure_limit`). A failure with a fingerprint may pause its profile (pauses.ts).
 * Returns null when the task is no longer running that run (it completed, was reclaimed, …).
 */
export async function recordFailure(
  k: Kernel,
  taskId: string,
  failure: Failure,
  limit = DEFAULT_FAILURE_LIMIT,
  pauseAfter = PAUSE_AFTER_FAILURES,
): Promise<FailureOutcome | null> {
  return k.write(async (k) => {
    const row = await k.db.get<{
      status: string;
      spawn_failures: number;
      current_run_id: number | null;
      claim_lock: string | null;
      max_retries: number | null;
    }>("SELECT status, spawn_failures, current_run_id, claim_lock, max_retries FROM tasks WHERE id = ?", [taskId]);
    if (row?.status !== "running") return null;
    if (failure.runId !== null && row.current_run_id !== failure.runId) return null;
    const failures = Number(row.spawn_failures ?? 0) + 1;
    const error = truncate(failure.error);
    const gaveUp = failures >= (row.max_retries === null ? limit : Number(row.max_retries));
    const status = gaveUp ? "blocked" : await requeueStatus(k, taskId);
    await k.db.run(
      `UPDATE tasks SET status = ?, ${NO_CLAIM_SQL}, spawn_failures = ?, last_spawn_error = ?,
                        last_heartbeat_at = CASE WHEN ? = 1 THEN NULL ELSE last_heartbeat_at END
        WHERE id = ?`,
      [status, failures, error, failure.kind === "timed_out" ? 1 : 0, taskId],
    );

    const fingerprint = failure.fingerprint ?? null;
    const payload = {
      ...failurePayload(failure, row.claim_lock, failures),
      ...(fingerprint ? { [FINGERPRINT_KEY]: fingerprint } : {}),
    };
    const runId = row.current_run_id;
    const outcome: RunOutcome = gaveUp ? "gave_up" : failure.kind;
    if (runId !== null) await closeRun(k, runId, { outcome, error, metadata: payload });
    if (failure.kind === "unverified") {
      // The refusal is the warning (and its audit) whether or not the task is given up.
      await appendFailureEvent(k, taskId, failure, { ...payload, status }, runId);
    }
    if (gaveUp) {
      await appendEvent(k, taskId, "gave_up", { failures, error, cause: failure.kind }, runId);
    } else if (failure.kind !== "unverified") {
      await appendFailureEvent(k, taskId, failure, { ...payload, status }, runId);
    }
    const paused =
      fingerprint && runId !== null ? await notePausingFailure(k, taskId, runId, fingerprint, pauseAfter) : null;
    return {
      task_id: taskId,
      failures,
      result: gaveUp ? "gave_up" : "retry",
      ...(paused ? { paused_profile: paused.profile } : {}),
    };
  });
}

/** What a failure's event says of the agent, when the worker was started with the board's tools. */
function agentPayload(f: Failure): Record<string, unknown> {
  if (!f.agent) return {};
  return {
    error: truncate(f.error),
    agent_connected: f.agent.connected,
    agent_tools: f.agent.tools,
    ...(!f.agent.connected && f.logTail && f.logTail.length > 0 ? { log_tail: [...f.logTail] } : {}),
  };
}

function failurePayload(f: Failure, claimLock: string | null, failures: number): Record<string, unknown> {
  switch (f.kind) {
    case "spawn_failed":
      return { error: truncate(f.error), failures };
    case "crashed":
      return {
        pid: f.pid ?? null,
        claimer: f.claimer ?? claimLock,
        failures,
        exit_code: f.exitCode ?? null,
        signal: f.signal ?? null,
        ...agentPayload(f),
      };
    case "timed_out":
      return {
        pid: f.pid ?? null,
        elapsed_seconds: f.elapsedSeconds ?? 0,
        limit_seconds: f.limitSeconds ?? 0,
        sigkill: f.sigkill ?? false,
        failures,
        ...(f.wip ? { wip: f.wip } : {}),
      };
    case "unverified":
      return { phase: "verify", ...f.unverified, failures };
    case "protocol_violation":
      return {
        pid: f.pid ?? null,
        exit_code: f.exitCode ?? null,
        signal: f.signal ?? null,
        failures,
        ...agentPayload(f),
      };
  }
}

async function appendFailureEvent(
  k: Kernel,
  taskId: string,
  f: Failure,
  payload: Record<string, unknown>,
  runId: number | null,
): Promise<void> {
  switch (f.kind) {
    case "spawn_failed":
      await appendEvent(k, taskId, "spawn_failed", payload as { error: string; failures: number }, runId);
      return;
    case "crashed":
      await appendEvent(k, taskId, "crashed", payload as { pid: number | null; claimer: string | null }, runId);
      return;
    case "timed_out":
      await appendEvent(
        k,
        taskId,
        "timed_out",
        payload as { pid: number | null; elapsed_seconds: number; limit_seconds: number; sigkill: boolean },
        runId,
      );
      return;
    case "protocol_violation":
      await appendEvent(
        k,
        taskId,
        "protocol_violation",
        payload as { pid: number | null; exit_code: number | null; signal: string | null; failures: number },
        runId,
      );
      return;
    case "unverified":
      await appendEvent(
        k,
        taskId,
        "completion_blocked_unverified",
        payload as {
          phase: "verify";
          refused: ReceiptVerdict[];
          verified: ReceiptVerdict[];
          summary_preview: string | null;
        },
        runId,
      );
      return;
  }
}

/** Running tasks with a worker pid claimed on this host: the ones whose liveness we can judge. */
export async function localWorkers(k: Kernel): Promise<WorkerRef[]> {
  const rows = await k.db.all<{
    id: string;
    current_run_id: number | null;
    worker_pid: number;
    claim_lock: string | null;
    started_at: number | null;
  }>(
    `SELECT t.id, t.current_run_id, t.worker_pid, t.claim_lock, r.started_at FROM tasks t
       LEFT JOIN task_runs r ON r.id = t.current_run_id
      WHERE t.status = 'running' AND t.worker_pid IS NOT NULL`,
  );
  return rows
    .filter((r) => isLocalLock(k, r.claim_lock))
    .map((r) => ({
      task_id: r.id,
      run_id: r.current_run_id,
      pid: Number(r.worker_pid),
      lock: r.claim_lock,
      started_at: r.started_at,
    }));
}

/**
 * Crash detection (reference §3.4): a local worker whose pid is gone (or a zombie) fails its
 * run as `crashed`, which counts towards the limit. Returns the outcomes.
 */
export async function detectCrashedWorkers(
  k: Kernel,
  isAlive: (pid: number, worker: WorkerRef) => boolean,
  limit = DEFAULT_FAILURE_LIMIT,
): Promise<FailureOutcome[]> {
  const out: FailureOutcome[] = [];
  for (const w of await localWorkers(k)) {
    if (w.pid === null || isAlive(w.pid, w)) continue;
    const r = await recordFailure(
      k,
      w.task_id,
      { kind: "crashed", error: `pid ${w.pid} not alive`, runId: w.run_id, pid: w.pid, claimer: w.lock },
      limit,
    );
    if (r) out.push(r);
  }
  return out;
}

/** A worker's exit as the host saw it: pid, exit code or signal, and the last line of its log. */
export interface WorkerExit extends ExitFacts {
  pid: number;
  /**
   * The worker was started with the board's tools wired in (a preset's per-run MCP
   * configuration, SPEC §14): whether its agent connected is then part of the verdict.
   */
  agentExpected?: boolean;
  /** Its last log lines since it started, quoted when its agent never connected. */
  logTail?: readonly string[];
}

/** What the failure policy needs besides the exit: the failure limit, the pause threshold and the rate-limit backoff. */
export interface ExitPolicy {
  limit?: number;
  /** `dispatch.pause_after_failures` (0 never pauses). */
  pauseAfter?: number;
  backoff?: Backoff;
}

/**
 * A worker process that exited while its run was still open: exit 75 is a rate limit (a backoff,
 * not a failure: rate-limits.ts); a clean exit (code 0) without completing or blocking is a
 * protocol violation, anything else a crash (SPEC §3.4, §3.15). Failures carry the exit's
 * fingerprint, so identical ones of a profile pause it.
 */
export async function recordWorkerExit(
  k: Kernel,
  taskId: string,
  runId: number,
  exit: WorkerExit,
  policy: ExitPolicy = {},
): Promise<FailureOutcome | RateLimitOutcome | null> {
  const limit = policy.limit ?? DEFAULT_FAILURE_LIMIT;
  // A worker that handed its completion in is expected to exit: the board's checks decide the run.
  if (await isHandedIn(k, runId)) return null;
  if (exit.code === RATE_LIMIT_EXIT_CODE && exit.signal === null) {
    return recordRateLimit(k, taskId, runId, { pid: exit.pid, code: exit.code }, policy.backoff ?? DEFAULT_BACKOFF);
  }
  const clean = exit.code === 0 && exit.signal === null;
  const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
  const fingerprint = exitFingerprint(exit);
  // Whether the agent reached the board's tools (agents.ts): "never connected" says more than a
  // bare exit code, and is the usual cause when a preset's agent cannot start `switchyard mcp`.
  const session = exit.agentExpected ? await agentSessionOf(k, runId) : null;
  const verdict = exit.agentExpected ? agentVerdict(session, exit.logTail) : null;
  const agent = exit.agentExpected ? { connected: session !== null, tools: session?.tools ?? [] } : null;
  return recordFailure(
    k,
    taskId,
    clean
      ? {
          kind: "protocol_violation",
          error: `worker pid ${exit.pid} exited (${how}) without completing or blocking the task${verdict ? `: ${verdict}` : ""}`,
          runId,
          pid: exit.pid,
          exitCode: exit.code,
          signal: exit.signal,
          fingerprint,
          agent,
          logTail: exit.logTail,
        }
      : {
          kind: "crashed",
          error: `worker pid ${exit.pid} died (${how})${verdict ? `; ${verdict}` : ""}`,
          runId,
          pid: exit.pid,
          exitCode: exit.code,
          signal: exit.signal,
          fingerprint,
          agent,
          logTail: exit.logTail,
        },
    limit,
    policy.pauseAfter,
  );
}

export interface OverdueWorker extends WorkerRef {
  run_id: number;
  elapsed_seconds: number;
  limit_seconds: number;
}

/**
 * Local running tasks whose current run has reached its max runtime (SPEC §3.7: measured from
 * the current run's start, not the first claim).
 */
export async function overdueWorkers(k: Kernel): Promise<OverdueWorker[]> {
  const now = k.clock.now();
  return (await workerDeadlines(k))
    .filter((w) => w.deadline <= now)
    .map((w) => ({
      task_id: w.task_id,
      run_id: w.run_id,
      pid: w.pid,
      lock: w.lock,
      elapsed_seconds: Math.max(0, now - w.started_at),
      limit_seconds: w.limit_seconds,
    }));
}

/** Records a timeout after the worker was stopped; counts towards the limit. */
export async function recordTimeout(
  k: Kernel,
  w: OverdueWorker,
  sigkill: boolean,
  limit = DEFAULT_FAILURE_LIMIT,
): Promise<FailureOutcome | null> {
  const wip = await saveWorkInProgress(k, w.task_id, w.run_id, "timed out");
  return recordFailure(
    k,
    w.task_id,
    {
      kind: "timed_out",
      error: `elapsed ${w.elapsed_seconds}s > limit ${w.limit_seconds}s`,
      runId: w.run_id,
      pid: w.pid,
      elapsedSeconds: w.elapsed_seconds,
      limitSeconds: w.limit_seconds,
      sigkill,
      wip,
    },
    limit,
  );
}

export interface EndedWorker extends WorkerRef {
  outcome: RunOutcome | null;
  ended_at: number;
  /** The profile the run worked under. */
  profile: string | null;
}

/**
 * Workers of runs that ended recently on this host (reclaimed, blocked, archived, timed out…).
 * The dispatcher stops any that are still alive and will not respawn their task until they
 * are gone (SPEC §3.3).
 */
export async function supersededWorkers(k: Kernel, withinSeconds: number): Promise<EndedWorker[]> {
  const rows = await k.db.all<{
    task_id: string;
    id: number;
    worker_pid: number;
    claim_lock: string | null;
    outcome: RunOutcome | null;
    ended_at: number;
    profile: string | null;
  }>(
    `SELECT r.task_id, r.id, r.worker_pid, r.claim_lock, r.outcome, r.ended_at, r.profile FROM task_runs r
      WHERE r.ended_at IS NOT NULL AND r.ended_at >= ? AND r.worker_pid IS NOT NULL`,
    [k.clock.now() - withinSeconds],
  );
  return rows
    .filter((r) => isLocalLock(k, r.claim_lock))
    .map((r) => ({
      task_id: r.task_id,
      run_id: Number(r.id),
      pid: Number(r.worker_pid),
      lock: r.claim_lock,
      outcome: r.outcome,
      ended_at: Number(r.ended_at),
      profile: r.profile,
    }));
}
