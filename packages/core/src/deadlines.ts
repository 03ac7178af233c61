import { isLocalLock } from "./claims.ts";
import type { Kernel } from "./kernel.ts";

/** When a running worker's run reaches its max runtime. */
export interface WorkerDeadline {
  task_id: string;
  run_id: number;
  pid: number;
  lock: string | null;
  /** The current run's start and the task's max runtime, in Unix seconds. */
  started_at: number;
  limit_seconds: number;
  /** `started_at + max_runtime_seconds` of the current run, in Unix seconds. */
  deadline: number;
}

/**
 * The max-runtime deadlines of the running tasks whose worker runs on this host (SPEC §3.7:
 * measured from the current run's start), earliest first. These are the workers a tick stops
 * as timed out once the clock reaches their deadline; the host arms a timer for the nearest one
 * so that a limit is enforced when it falls due, not at the next round of the dispatcher.
 */
export async function workerDeadlines(k: Kernel): Promise<WorkerDeadline[]> {
  const rows = await k.db.all<{
    id: string;
    current_run_id: number;
    worker_pid: number;
    claim_lock: string | null;
    started_at: number;
    max_runtime_seconds: number;
  }>(
    `SELECT t.id, t.current_run_id, t.worker_pid, t.claim_lock, r.started_at, t.max_runtime_seconds
       FROM tasks t JOIN task_runs r ON r.id = t.current_run_id
      WHERE t.status = 'running' AND t.max_runtime_seconds IS NOT NULL AND t.worker_pid IS NOT NULL
      ORDER BY r.started_at + t.max_runtime_seconds, t.id`,
  );
  return rows
    .filter((r) => isLocalLock(k, r.claim_lock))
    .map((r) => ({
      task_id: r.id,
      run_id: Number(r.current_run_id),
      pid: Number(r.worker_pid),
      lock: r.claim_lock,
      started_at: Number(r.started_at),
      limit_seconds: Number(r.max_runtime_seconds),
      deadline: Number(r.started_at) + Number(r.max_runtime_seconds),
    }));
}

/** The nearest deadline of `workerDeadlines`, or null when no local worker has a max runtime. */
export async function nextDeadline(k: Kernel): Promise<number | null> {
  return (await workerDeadlines(k))[0]?.deadline ?? null;
}
