import type { Task, TaskStatus } from "@switchyard/contract";
import { blockTask, unblockTask } from "./blocking.ts";
import { completeTask } from "./completion.ts";
import { CoreError } from "./errors.ts";
import { appendEvent } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { assertParentsSatisfied, demoteChildrenOf, promoteChildrenOf } from "./links.ts";
import { closeRun } from "./runs.ts";
import { requireTask } from "./tasks.ts";

const SATISFYING = new Set<string>(["done", "archived"]);

/**
 * Archives a task from any other status (reference §2.3): its claim is released and an open
 * run closes as `reclaimed`. Children that were waiting only on it become ready.
 */
export function archiveTask(k: Kernel, id: string): Task {
  return k.write(() => {
    const task = requireTask(k, id);
    if (task.status === "archived") {
      throw new CoreError("invalid_transition", `cannot archive ${id}: it is already archived`, { task_id: id });
    }
    const run = task.current_run_id;
    if (run !== null) closeRun(k, run, { outcome: "reclaimed", error: "task archived with run still active" });
    k.stmt(
      `UPDATE tasks SET status = 'archived', claim_lock = NULL, claim_expires = NULL, worker_pid = NULL,
                        current_run_id = NULL
        WHERE id = ?`,
    ).run(id);
    appendEvent(k, id, "archived", null, run);
    promoteChildrenOf(k, id);
    return requireTask(k, id);
  });
}

/**
 * The dashboard's direct write to triage, todo or ready (reference §2.3 `_set_status_direct`),
 * with Switchyard's fixes: `running` is never set directly, and ready is refused while a parent
 * is unfinished. Leaving running closes the run as `reclaimed`; leaving done or archived sends
 * ready children back to todo.
 */
export function setStatusDirect(k: Kernel, id: string, status: "triage" | "todo" | "ready"): Task {
  return k.write(() => {
    const task = requireTask(k, id);
    if (status === "ready") assertParentsSatisfied(k, id);
    let run: number | null = null;
    // Leaving running closes the run; on any other status an open run is a leak, closed the same way.
    if (task.current_run_id !== null) {
      run = task.current_run_id;
      closeRun(k, run, { outcome: "reclaimed", error: `status changed to ${status} (dashboard/direct)` });
    }
    k.stmt(
      `UPDATE tasks SET status = ?, claim_lock = NULL, claim_expires = NULL, worker_pid = NULL,
                        current_run_id = NULL
        WHERE id = ?`,
    ).run(status, id);
    appendEvent(k, id, "status", { status }, run);
    if (SATISFYING.has(task.status)) demoteChildrenOf(k, id);
    return requireTask(k, id);
  });
}

export interface MoveInput {
  status: TaskStatus;
  result?: string | null;
  summary?: string | null;
  metadata?: Record<string, unknown> | null;
  block_reason?: string | null;
}

/**
 * A status change as PATCH /tasks/:id and bulk apply it (reference §11): done completes,
 * blocked blocks, ready unblocks a blocked task (else a direct write), archived archives,
 * todo and triage are direct writes. `running` is only ever reached by a claim.
 */
export function moveTask(k: Kernel, id: string, move: MoveInput): Task {
  switch (move.status) {
    case "running":
      throw new CoreError(
        "invalid_input",
        "Cannot set status to 'running' directly; the dispatcher claims ready tasks (use ready).",
        { task_id: id },
      );
    case "done":
      return completeTask(k, id, { result: move.result, summary: move.summary, metadata: move.metadata }).task;
    case "blocked":
      return blockTask(k, id, { reason: move.block_reason });
    case "archived":
      return archiveTask(k, id);
    case "ready":
      return requireTask(k, id).status === "blocked" ? unblockTask(k, id) : setStatusDirect(k, id, "ready");
    case "todo":
    case "triage":
      return setStatusDirect(k, id, move.status);
  }
}
