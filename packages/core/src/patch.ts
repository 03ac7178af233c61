import { type BulkBody, type BulkResult, operatorMove, type PatchTaskBody, type Task } from "@switchyard/contract";
import type { WorkerRef } from "./claims.ts";
import { checkCompletion } from "./completion.ts";
import { CoreError, isCoreError, isStorageFailure } from "./errors.ts";
import type { Kernel } from "./kernel.ts";
import { archiveTask, moveTask, refuseRunning } from "./moves.ts";
import { assertJsonBounds } from "./rows.ts";
import {
  assignTask,
  editTask,
  getTask,
  requireTask,
  setCompletionRules,
  setMaxRetries,
  setModelOverride,
  setPriority,
} from "./tasks.ts";

/**
 * The edits a person makes to tasks in one request (PATCH /tasks/:id, POST /tasks/bulk, the
 * dashboard): each task's changes are one transaction, applied in the reference's order
 * (assignee, status, priority, title/body; Switchyard's max_retries and model_override after
 * priority), and a refused step leaves that task as it was.
 */

export interface Patched {
  task: Task;
  /** The worker that lost its run because the move took its task off it: the host stops it (SPEC §3.3). */
  superseded: WorkerRef | null;
}

/** A handoff (result, summary, metadata) belongs to a completion, a reason to a block. */
function refuseStrayFields(patch: PatchTaskBody): void {
  const handoff = [patch.result, patch.summary, patch.metadata, patch.receipts, patch.created_cards].some(
    (v) => v !== undefined && v !== null,
  );
  if (handoff && patch.status !== "done") {
    throw new CoreError("invalid_input", "result, summary, metadata, receipts and created_cards go with status 'done'");
  }
  if (patch.block_reason && patch.status !== "blocked") {
    throw new CoreError("invalid_input", "block_reason goes with status 'blocked'");
  }
}

/** The worker of `before`'s run when the task is no longer on that run. */
function supersededBy(before: Task, after: Task | null): WorkerRef | null {
  if (before.status !== "running" || before.current_run_id === null) return null;
  if (after?.current_run_id === before.current_run_id) return null;
  return {
    task_id: before.id,
    run_id: before.current_run_id,
    pid: before.worker_pid,
    lock: before.claim_lock,
  };
}

async function applyPatch(
  k: Kernel,
  id: string,
  patch: PatchTaskBody & { archive?: boolean },
  author: string,
): Promise<Patched> {
  const before = await requireTask(k, id);
  // A completion's gates ask git and record their refusals: they run before the transaction
  // (the move still compares and swaps on the task as it was checked).
  const checked =
    !patch.archive && patch.status === "done" && operatorMove(before.status, "done")?.action === "complete"
      ? await checkCompletion(k, id, {
          result: patch.result,
          summary: patch.summary,
          metadata: patch.metadata,
          created_cards: patch.created_cards,
          receipts: patch.receipts,
        })
      : undefined;
  await k.write(async (k) => {
    if (patch.assignee !== undefined) await assignTask(k, id, patch.assignee);
    if (patch.archive) await archiveTask(k, id);
    else if (patch.status !== undefined) {
      await moveTask(k, id, {
        status: patch.status,
        result: patch.result,
        summary: patch.summary,
        metadata: patch.metadata,
        block_reason: patch.block_reason,
        author,
        checked,
      });
    }
    const rules = {
      require: patch.require,
      verify_command: patch.verify_command,
      repo: patch.repo,
      base_ref: patch.base_ref,
    };
    if (Object.values(rules).some((v) => v !== undefined)) await setCompletionRules(k, id, rules);
    if (patch.priority !== undefined) await setPriority(k, id, patch.priority);
    if (patch.max_retries !== undefined) await setMaxRetries(k, id, patch.max_retries);
    if (patch.model_override !== undefined) await setModelOverride(k, id, patch.model_override);
    if (patch.title !== undefined || patch.body !== undefined) {
      await editTask(k, id, { title: patch.title, body: patch.body });
    }
  });
  const after = await getTask(k, id);
  return { task: after ?? before, superseded: supersededBy(before, after) };
}

/** PATCH /tasks/:id: one task's changes, all or nothing. */
export async function patchTask(
  k: Kernel,
  id: string,
  patch: PatchTaskBody,
  options: { author?: string } = {},
): Promise<Patched> {
  refuseRunning(patch.status);
  assertJsonBounds("metadata", patch.metadata);
  refuseStrayFields(patch);
  return applyPatch(k, id, patch, options.author ?? "dashboard");
}

export interface BulkOutcome extends BulkResult {
  superseded: WorkerRef[];
}

/**
 * POST /tasks/bulk: the same changes to many tasks, each on its own: one refusal does not stop,
 * or half-apply to, the others. A refusal is reported with its message; anything else is thrown.
 */
export async function bulkUpdate(k: Kernel, body: BulkBody, options: { author?: string } = {}): Promise<BulkOutcome> {
  if (!body.archive) refuseRunning(body.status);
  assertJsonBounds("metadata", body.metadata);
  const results: BulkResult["results"] = [];
  const superseded: WorkerRef[] = [];
  for (const raw of body.ids) {
    const id = raw.trim();
    try {
      const patch = {
        assignee: body.assignee,
        archive: body.archive,
        status: body.status,
        priority: body.priority,
        result: body.result,
        summary: body.summary,
        metadata: body.metadata,
      };
      const done = await applyPatch(k, id, patch, options.author ?? "dashboard");
      if (done.superseded) superseded.push(done.superseded);
      results.push({ id, ok: true });
    } catch (err) {
      // A failure of the storage is not this id's: it ends the bulk (decision 014).
      if (!isCoreError(err) || isStorageFailure(err)) throw err;
      results.push({ id, ok: false, error: err.message });
    }
  }
  return { results, superseded };
}
