import type { Task } from "@switchyard/contract";
import { assertCurrentRun } from "./claims.ts";
import { CoreError, notFound } from "./errors.ts";
import { appendEvent } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { assertParentsSatisfied } from "./links.ts";
import { closeRun, synthesizeRun } from "./runs.ts";
import { getTask, requireTask } from "./tasks.ts";

export interface BlockInput {
  reason?: string | null;
  runId?: number | null;
}

/**
 * Blocks a running or ready task (reference §2.3): the claim is released, the open run closes
 * as `blocked` with the reason as its summary (or a zero-length run records the reason).
 */
export function blockTask(k: Kernel, id: string, input: BlockInput = {}): Task {
  const reason = input.reason?.trim() || null;
  return k.write(() => {
    const task = getTask(k, id);
    if (!task) throw notFound(id);
    assertCurrentRun(task, input.runId, "block");
    if (task.status !== "running" && task.status !== "ready") {
      throw new CoreError("invalid_transition", `cannot block ${id}: it is ${task.status}, not running or ready`, {
        task_id: id,
      });
    }
    k.stmt(
      `UPDATE tasks SET status = 'blocked', claim_lock = NULL, claim_expires = NULL, worker_pid = NULL,
                        current_run_id = NULL
        WHERE id = ?`,
    ).run(id);
    let run = task.current_run_id;
    if (run !== null) {
      closeRun(k, run, { outcome: "blocked", summary: reason });
    } else if (reason) {
      run = synthesizeRun(k, id, task.assignee, { outcome: "blocked", summary: reason });
    }
    appendEvent(k, id, "blocked", { reason }, run);
    return requireTask(k, id);
  });
}

/**
 * Blocked -> ready, refused while a parent is unfinished (SPEC §3.6). A leaked open run is
 * closed; the failure counter starts afresh, since a person has looked at the task.
 */
export function unblockTask(k: Kernel, id: string): Task {
  return k.write(() => {
    const task = requireTask(k, id);
    if (task.status !== "blocked") {
      throw new CoreError("invalid_transition", `cannot unblock ${id}: it is ${task.status}, not blocked`, {
        task_id: id,
      });
    }
    assertParentsSatisfied(k, id);
    if (task.current_run_id !== null) {
      closeRun(k, task.current_run_id, { outcome: "reclaimed", error: "invariant recovery on unblock" });
    }
    k.stmt(
      `UPDATE tasks SET status = 'ready', claim_lock = NULL, claim_expires = NULL, worker_pid = NULL,
                        current_run_id = NULL, spawn_failures = 0
        WHERE id = ?`,
    ).run(id);
    appendEvent(k, id, "unblocked", null);
    return requireTask(k, id);
  });
}
