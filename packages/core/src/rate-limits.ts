import { appendEvent } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { requeueStatus } from "./links.ts";
import { NO_CLAIM_SQL } from "./rows.ts";
import { closeRun } from "./runs.ts";

/**
 * Rate limits (SPEC §3.15, decision 013): agent CLIs exit 75 (EX_TEMPFAIL) when their provider
 * rate-limits them. That is not the task's fault, so it does not count towards the failure
 * limit: the task goes back to ready with a not-before time (`retry_after`), which the claim
 * honours, and the wait doubles with each rate limit in a row.
 */

/** sysexits.h EX_TEMPFAIL: "try again later". */
export const RATE_LIMIT_EXIT_CODE = 75;

export interface Backoff {
  /** The first wait, in seconds. */
  baseSeconds: number;
  /** The longest wait, in seconds. */
  maxSeconds: number;
}

/** `dispatch.rate_limit_backoff_seconds` and `rate_limit_backoff_max_seconds` by default. */
export const DEFAULT_BACKOFF: Backoff = { baseSeconds: 30, maxSeconds: 600 };

/** The wait after the `n`th rate limit in a row (1-based): base, doubled each time, capped. */
export function backoffSeconds(n: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  const cap = Math.max(backoff.baseSeconds, backoff.maxSeconds);
  const doublings = Math.max(0, Math.min(n - 1, 30));
  return Math.min(cap, backoff.baseSeconds * 2 ** doublings);
}

/** How far back a task's runs are read to count its rate limits in a row. */
const STREAK_LOOKBACK = 32;

/** Rate-limited runs at the end of the task's ended runs (the streak the next one extends). */
async function rateLimitStreak(k: Kernel, taskId: string): Promise<number> {
  const rows = await k.db.all<{ outcome: string | null }>(
    "SELECT outcome FROM task_runs WHERE task_id = ? AND ended_at IS NOT NULL ORDER BY id DESC LIMIT ?",
    [taskId, STREAK_LOOKBACK],
  );
  let n = 0;
  for (const r of rows) {
    if (r.outcome !== "rate_limited") break;
    n++;
  }
  return n;
}

export interface RateLimitOutcome {
  task_id: string;
  /** The failure counter, unchanged. */
  failures: number;
  result: "rate_limited";
  /** Not claimable before this time (Unix seconds). */
  retry_after: number;
}

/**
 * A worker of the task's current run exited 75: the run closes as `rate_limited`, the task
 * goes back to ready (todo while a parent is unfinished) with `retry_after` set, the failure
 * counter is left alone, and `rate_limited` is appended. Null when the task is no longer
 * running that run.
 */
export async function recordRateLimit(
  k: Kernel,
  taskId: string,
  runId: number,
  exit: { pid: number | null; code: number },
  backoff: Backoff = DEFAULT_BACKOFF,
): Promise<RateLimitOutcome | null> {
  return k.write(async (k) => {
    const row = await k.db.get<{ status: string; spawn_failures: number; current_run_id: number | null }>(
      "SELECT status, spawn_failures, current_run_id FROM tasks WHERE id = ?",
      [taskId],
    );
    if (row?.status !== "running" || row.current_run_id !== runId) return null;
    const streak = (await rateLimitStreak(k, taskId)) + 1;
    const delay = backoffSeconds(streak, backoff);
    const retryAfter = k.clock.now() + delay;
    const status = await requeueStatus(k, taskId);
    await k.db.run(`UPDATE tasks SET status = ?, ${NO_CLAIM_SQL}, retry_after = ? WHERE id = ?`, [
      status,
      retryAfter,
      taskId,
    ]);
    const error = `worker pid ${exit.pid ?? "?"} exited ${exit.code} (rate-limited); retrying after ${delay}s`;
    const payload = {
      pid: exit.pid,
      exit_code: exit.code,
      status,
      retry_after: retryAfter,
      delay_seconds: delay,
      rate_limits: streak,
    };
    await closeRun(k, runId, { outcome: "rate_limited", error, metadata: payload });
    await appendEvent(k, taskId, "rate_limited", payload, runId);
    return {
      task_id: taskId,
      failures: Number(row.spawn_failures ?? 0),
      result: "rate_limited",
      retry_after: retryAfter,
    };
  });
}

/**
 * The earliest time after `after` (default: now) at which a task waiting out a backoff becomes
 * claimable, or null: when the dispatcher has to look at the board again without any event to
 * wake it. A dispatcher asks with the time its tick looked at the board, so a backoff that ended
 * between that look and this question is still answered (a moment already past: tick now).
 */
export async function nextRetryAt(k: Kernel, after: number = k.clock.now()): Promise<number | null> {
  const row = await k.db.get<{ at: number | null }>(
    "SELECT MIN(retry_after) AS at FROM tasks WHERE status = 'ready' AND claim_lock IS NULL AND retry_after > ?",
    [after],
  );
  return row?.at === null || row?.at === undefined ? null : Number(row.at);
}

/** SQL: a ready task's not-before time has passed (`?` is now). */
export const RETRY_DUE_SQL = "(retry_after IS NULL OR retry_after <= ?)";
