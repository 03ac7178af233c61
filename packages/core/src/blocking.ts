import type { Task } from "@switchyard/contract";
import { assertCurrentRun } from "./claims.ts";
import { insertComment } from "./comments.ts";
import { CoreError, notFound } from "./errors.ts";
import { appendEvent } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { assertParentsSatisfied } from "./links.ts";
import { NO_CLAIM_SQL } from "./rows.ts";
import { closeRun, synthesizeRun } from "./runs.ts";
import { getTask, requireTask } from "./tasks.ts";

export interface BlockInput {
  reason?: string | null;
  runId?: number | null;
  /** Who blocks it: the comment carrying the reason is theirs. Default `user`. */
  author?: string | null;
}

export interface Block {
  task: Task;
  /** The run that recorded the block (closed, or synthesised for the reason), or null. */
  run_id: number | null;
}

/**
 * Blocks a running or ready task (reference §2.3): the claim is released, the open run closes
 * as `blocked` with the reason as its summary (or a zero-length run records the reason), and
 * the reason is posted as a comment "BLOCKED: <reason>" by its author, whichever surface the
 * block came from (decision 012), so the thread shows what the task waits for. The `blocked`
 * event names the author too (Switchyard's optional `author` key).
 */
export async function blockTask(k: Kernel, id: string, input: BlockInput = {}): Promise<Block> {
  const reason = input.reason?.trim() || null;
  return k.write(async (k) => {
    const task = await getTask(k, id);
    if (!task) throw notFound(id);
    assertCurrentRun(task, input.runId, "block");
    if (task.status !== "running" && task.status !== "ready") {
      throw new CoreError("invalid_transition", `cannot block ${id}: it is ${task.status}, not running or ready`, {
        task_id: id,
      });
    }
    await k.db.run(`UPDATE tasks SET status = 'blocked', ${NO_CLAIM_SQL} WHERE id = ?`, [id]);
    let run = task.current_run_id;
    if (run !== null) {
      await closeRun(k, run, { outcome: "blocked", summary: reason });
    } else if (reason) {
      run = await synthesizeRun(k, id, task.assignee, { outcome: "blocked", summary: reason });
    }
    const author = input.author?.trim() || "user";
    await appendEvent(k, id, "blocked", { reason, author }, run);
    if (reason) await insertComment(k, id, author, `BLOCKED: ${reason}`);
    return { task: await requireTask(k, id), run_id: run };
  });
}

/**
 * Blocked -> ready, refused while a parent is unfinished (SPEC §3.6). A leaked open run is
 * closed; the failure counter starts afresh, since a person has looked at the task.
 */
export async function unblockTask(k: Kernel, id: string): Promise<Task> {
  return k.write(async (k) => {
    const task = await requireTask(k, id);
    if (task.status !== "blocked") {
      throw new CoreError("invalid_transition", `cannot unblock ${id}: it is ${task.status}, not blocked`, {
        task_id: id,
      });
    }
    await assertParentsSatisfied(k, id);
    if (task.current_run_id !== null) {
      await closeRun(k, task.current_run_id, { outcome: "reclaimed", error: "invariant recovery on unblock" });
    }
    // A person's unblock is a fresh start: the failure budget and any rate-limit backoff reset.
    await k.db.run(
      `UPDATE tasks SET status = 'ready', ${NO_CLAIM_SQL}, spawn_failures = 0, retry_after = NULL WHERE id = ?`,
      [id],
    );
    await appendEvent(k, id, "unblocked", null);
    return requireTask(k, id);
  });
}
