import type { SavedWork, Task } from "@switchyard/contract";
import type { WorkerRef } from "./claims.ts";
import { CoreError, isCoreError } from "./errors.ts";
import { appendEvent } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { requeueStatus } from "./links.ts";
import { NO_CLAIM_SQL } from "./rows.ts";
import { closeRun } from "./runs.ts";
import { assignTask, getTask, requireTask } from "./tasks.ts";
import { saveWorkInProgress } from "./wip.ts";

/** The uncommitted work of a running task's workspace, saved (or null). */
async function wipOf(k: Kernel, id: string, why: string): Promise<SavedWork | null> {
  const task = await getTask(k, id);
  if (task?.status !== "running") return null;
  return saveWorkInProgress(k, id, task.current_run_id, why);
}

/**
 * The operator's "abort now" (reference §8): a running task (or one still holding a lock) goes
 * back to ready (todo while a parent is unfinished) at once, whatever its TTL, and its run
 * closes as `reclaimed`. Returns the worker that lost its run; the caller stops it if it runs on
 * this host (SPEC §3.3), and the dispatcher will not respawn the task while it is alive.
 */
export async function reclaimTask(
  k: Kernel,
  id: string,
  options: { reason?: string | null; wip?: SavedWork | null } = {},
): Promise<WorkerRef> {
  const reason = options.reason?.trim() || null;
  // The worker's uncommitted work is saved before it loses its run (SPEC §12); git is not asked
  // inside a transaction, so a caller already in one passes what it saved.
  const wip = options.wip !== undefined || k.inTransaction ? (options.wip ?? null) : await wipOf(k, id, "reclaimed");
  return k.write(async (k) => {
    const task = await requireTask(k, id);
    if (task.status !== "running" && task.claim_lock === null) {
      throw new CoreError(
        "invalid_transition",
        `cannot reclaim ${id}: not in a claimable state (it is ${task.status}, not running)`,
        { task_id: id },
      );
    }
    const next = ["running", "ready", "blocked"].includes(task.status) ? await requeueStatus(k, id) : task.status;
    await k.db.run(`UPDATE tasks SET status = ?, ${NO_CLAIM_SQL} WHERE id = ?`, [next, id]);
    const run = task.current_run_id;
    if (run !== null) {
      await closeRun(k, run, {
        outcome: "reclaimed",
        error: reason ? `manual_reclaim: ${reason}` : `manual_reclaim lock=${task.claim_lock}`,
      });
    }
    await appendEvent(
      k,
      id,
      "reclaimed",
      {
        manual: true,
        reason,
        prev_lock: task.claim_lock,
        prev_pid: task.worker_pid,
        status: next,
        ...(wip ? { wip } : {}),
      },
      run,
    );
    return { task_id: id, run_id: run, pid: task.worker_pid, lock: task.claim_lock };
  });
}

export interface ReassignResult {
  task: Task;
  /** The worker that lost its run when `reclaimFirst` reclaimed a running task. */
  reclaimed: WorkerRef | null;
}

/**
 * Hands a task to another profile (or unassigns it with null). A running task is refused
 * unless `reclaimFirst`, which reclaims it first (and is harmless when nothing is running).
 */
export async function reassignTask(
  k: Kernel,
  id: string,
  profile: string | null,
  options: { reclaimFirst?: boolean; reason?: string | null } = {},
): Promise<ReassignResult> {
  const wip = options.reclaimFirst && !k.inTransaction ? await wipOf(k, id, "reassigned") : null;
  return k.write(async (k) => {
    await requireTask(k, id);
    let reclaimed: WorkerRef | null = null;
    if (options.reclaimFirst) {
      try {
        reclaimed = await reclaimTask(k, id, { reason: options.reason?.trim() || "reassign", wip });
      } catch (err) {
        if (!isCoreError(err, "invalid_transition")) throw err;
      }
    }
    return { task: await assignTask(k, id, profile), reclaimed };
  });
}
