import { allows, operatorMove, satisfiesChildren, type Task, type TaskStatus } from "@switchyard/contract";
import { blockTask, unblockTask } from "./blocking.ts";
import { type CheckedCompletion, completeTask } from "./completion.ts";
import { CoreError } from "./errors.ts";
import { appendEvent } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { assertParentsSatisfied, demoteChildrenOf, promoteChildrenOf, waitingOn } from "./links.ts";
import { NO_CLAIM_SQL } from "./rows.ts";
import { closeRun } from "./runs.ts";
import { requireTask } from "./tasks.ts";

/**
 * Archives a task from any other status (reference §2.3): its claim is released and an open
 * run closes as `reclaimed`. Children that were waiting only on it become ready.
 */
export async function archiveTask(k: Kernel, id: string): Promise<Task> {
  return k.write(async (k) => {
    const task = await requireTask(k, id);
    if (!allows("archive", task.status)) {
      throw new CoreError("invalid_transition", `cannot archive ${id}: it is already archived`, { task_id: id });
    }
    const run = task.current_run_id;
    if (run !== null) await closeRun(k, run, { outcome: "reclaimed", error: "task archived with run still active" });
    await k.db.run(`UPDATE tasks SET status = 'archived', parked = 0, ${NO_CLAIM_SQL} WHERE id = ?`, [id]);
    await appendEvent(k, id, "archived", null, run);
    await promoteChildrenOf(k, id);
    return requireTask(k, id);
  });
}

/**
 * The dashboard's direct write to triage, todo or ready (reference §2.3 `_set_status_direct`),
 * with Switchyard's fixes: `running` is never set directly, and ready is refused while a parent
 * is unfinished. Leaving running closes the run as `reclaimed`; leaving done or archived sends
 * ready children back to todo. A task put in todo while no parent is unfinished is parked: the
 * kernel never promotes it, whatever happens to its parents later, until someone moves it on
 * (SPEC §3.13, decision 015); put there while a parent is unfinished, it waits on its parents.
 */
export async function setStatusDirect(k: Kernel, id: string, status: "triage" | "todo" | "ready"): Promise<Task> {
  return k.write(async (k) => {
    const task = await requireTask(k, id);
    if (!allows("set_status", task.status, status)) {
      throw new CoreError("invalid_transition", `cannot move ${id} from ${task.status} to ${status}`, { task_id: id });
    }
    if (status === "ready") await assertParentsSatisfied(k, id);
    let run: number | null = null;
    // Leaving running closes the run; on any other status an open run is a leak, closed the same way.
    if (task.current_run_id !== null) {
      run = task.current_run_id;
      await closeRun(k, run, { outcome: "reclaimed", error: `status changed to ${status} (dashboard/direct)` });
    }
    const parked = status === "todo" && (await waitingOn(k, id)).length === 0;
    await k.db.run(`UPDATE tasks SET status = ?, parked = ?, ${NO_CLAIM_SQL} WHERE id = ?`, [
      status,
      parked ? 1 : 0,
      id,
    ]);
    await appendEvent(k, id, "status", parked ? { status, parked: true as const } : { status }, run);
    if (satisfiesChildren(task.status)) await demoteChildrenOf(k, id);
    return requireTask(k, id);
  });
}

export interface MoveInput {
  status: TaskStatus;
  result?: string | null;
  summary?: string | null;
  metadata?: Record<string, unknown> | null;
  block_reason?: string | null;
  /** Who moves it (the author of a block's comment). */
  author?: string | null;
  /** A completion's gates, already passed outside the transaction (patch.ts). */
  checked?: CheckedCompletion;
}

const RUNNING_REFUSED =
  "Cannot set status to 'running' directly; the dispatcher claims ready tasks (move it to ready).";

/**
 * A status change asked for by a person (PATCH /tasks/:id, bulk, a drag on the dashboard): the
 * contract's transition table names the command that performs it (`operatorMove`): done
 * completes, blocked blocks, blocked -> ready unblocks, archived archives, and triage, todo and
 * ready are direct writes. `running` is only ever reached by a claim.
 */
export async function moveTask(k: Kernel, id: string, move: MoveInput): Promise<Task> {
  if (move.status === "running") throw new CoreError("invalid_input", RUNNING_REFUSED, { task_id: id });
  return k.write(async (k) => {
    const task = await requireTask(k, id);
    const row = operatorMove(task.status, move.status);
    switch (row?.action) {
      case "complete":
        return (
          await completeTask(k, id, {
            result: move.result,
            summary: move.summary,
            metadata: move.metadata,
            checked: move.checked,
          })
        ).task;
      case "block":
        return (await blockTask(k, id, { reason: move.block_reason, author: move.author })).task;
      case "unblock":
        return unblockTask(k, id);
      case "archive":
        return archiveTask(k, id);
      case "set_status":
        return setStatusDirect(k, id, move.status as "triage" | "todo" | "ready");
      default:
        throw new CoreError(
          "invalid_transition",
          `cannot move ${id} from ${task.status} to ${move.status}${task.status === move.status ? " (it is already there)" : ""}`,
          { task_id: id },
        );
    }
  });
}

/** `running` is only reached by a claim (SPEC §3.6): refused before anything changes. */
export function refuseRunning(status: TaskStatus | undefined): void {
  if (status === "running") throw new CoreError("invalid_input", RUNNING_REFUSED);
}
