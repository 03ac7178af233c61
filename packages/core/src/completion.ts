import { allows, type Task } from "@switchyard/contract";
import { assertCurrentRun } from "./claims.ts";
import { CoreError, notFound } from "./errors.ts";
import { appendEvent } from "./events.ts";
import { hallucinatedCardsError, normalizeCards, phantomRefs, verifyCreatedCards } from "./gate.ts";
import type { Kernel } from "./kernel.ts";
import { promoteChildrenOf } from "./links.ts";
import { assertJsonBounds, boundedJsonOrNull, NO_CLAIM_SQL, type TaskRow, toTask } from "./rows.ts";
import { closeRun, latestCompletedRun, synthesizeRun } from "./runs.ts";
import { getTask, requireTask } from "./tasks.ts";

export interface CompleteInput {
  result?: string | null;
  summary?: string | null;
  metadata?: Record<string, unknown> | null;
  created_cards?: readonly string[] | null;
  /** The worker's run (SWITCHYARD_RUN_ID); when given it must be the task's current run. */
  runId?: number | null;
}

export interface Completion {
  task: Task;
  run_id: number | null;
  verified_cards: string[];
  /** Prose references to task ids that do not exist (advisory; recorded as an event). */
  phantom_refs: string[];
}

/** The statuses a completion starts from, from the contract's transition table. */
const COMPLETABLE_SQL = (["running", "ready", "blocked"] as const)
  .filter((status) => allows("complete", status))
  .map((status) => `'${status}'`)
  .join(", ");

function firstLine(text: string | null | undefined, max: number): string | null {
  if (!text) return null;
  const line = text.split(/\r?\n/, 1)[0]?.trim() ?? "";
  return line ? line.slice(0, max) : null;
}

function isHandoff(input: CompleteInput): boolean {
  return Boolean(input.summary) || Boolean(input.result) || (input.metadata !== null && input.metadata !== undefined);
}

/**
 * Completes a task (reference §2.3, §3.7, §7). The card gate runs first: a phantom card
 * records `completion_blocked_hallucination` and refuses, leaving the task exactly as it was.
 * Otherwise the task is done, its open run closes (or a zero-length run records the handoff),
 * children whose parents are all satisfied become ready, and then the prose scan runs.
 */
export async function completeTask(k: Kernel, id: string, input: CompleteInput = {}): Promise<Completion> {
  assertJsonBounds("metadata", input.metadata);
  const cards = normalizeCards(input.created_cards);
  const before = await getTask(k, id);
  if (!before) throw notFound(id);
  assertCurrentRun(before, input.runId, "complete");
  if (!allows("complete", before.status)) {
    throw new CoreError("invalid_transition", `cannot complete ${id}: it is ${before.status}`, { task_id: id });
  }

  let verified: string[] = [];
  if (cards.length > 0) {
    const verdict = await verifyCreatedCards(k, id, cards);
    if (verdict.phantom.length > 0) {
      await k.write((k) =>
        appendEvent(k, id, "completion_blocked_hallucination", {
          phantom_cards: verdict.phantom,
          verified_cards: verdict.verified,
          summary_preview: firstLine(input.summary ?? input.result, 200),
        }),
      );
      throw hallucinatedCardsError(id, verdict, before.status);
    }
    verified = verdict.verified;
  }

  const { runId, task } = await k.write(async (k) => {
    const now = k.clock.now();
    // A compare-and-swap on what was checked above: still completable, still the same run.
    const done = await k.db.get<TaskRow>(
      `UPDATE tasks SET status = 'done', result = ?, completed_at = ?, ${NO_CLAIM_SQL}, spawn_failures = 0
        WHERE id = ? AND status IN (${COMPLETABLE_SQL}) AND current_run_id IS NOT DISTINCT FROM ?
        RETURNING *`,
      [input.result ?? null, now, id, before.current_run_id],
    );
    if (!done) {
      const task = await requireTask(k, id);
      throw new CoreError(
        "invalid_transition",
        `cannot complete ${id}: it changed while completing (now ${task.status})`,
        {
          task_id: id,
        },
      );
    }
    const summary = input.summary ?? input.result ?? null;
    let run: number | null = before.current_run_id;
    if (run !== null) {
      await closeRun(k, run, { outcome: "completed", status: "done", summary, metadata: input.metadata ?? null });
    } else if (isHandoff(input)) {
      run = await synthesizeRun(k, id, done.assignee, {
        outcome: "completed",
        summary,
        metadata: input.metadata ?? null,
      });
    }
    await appendEvent(
      k,
      id,
      "completed",
      {
        result_len: input.result?.length ?? 0,
        summary: firstLine(summary, 400),
        ...(verified.length > 0 ? { verified_cards: verified } : {}),
      },
      run,
    );
    await promoteChildrenOf(k, id);
    // The row as the completion left it (promoting children does not touch it).
    return { runId: run, task: toTask(done) };
  });

  const phantoms = await phantomRefs(k, [input.summary, input.result], verified);
  if (phantoms.length > 0) {
    await k.write((k) =>
      appendEvent(
        k,
        id,
        "suspected_hallucinated_references",
        { phantom_refs: phantoms, source: "completion_summary" },
        runId,
      ),
    );
  }
  return { task, run_id: runId, verified_cards: verified, phantom_refs: phantoms };
}

export interface EditResultInput {
  result: string;
  summary?: string | null;
  metadata?: Record<string, unknown> | null;
}

/**
 * Rewrites the handoff of a done task (reference §3.7 `edit_completed_task_result`): the
 * result, and the latest completed run's summary and metadata (a run is synthesised if none).
 */
export async function editCompletedResult(k: Kernel, id: string, input: EditResultInput): Promise<Task> {
  assertJsonBounds("metadata", input.metadata);
  return k.write(async (k) => {
    const task = await requireTask(k, id);
    if (task.status !== "done") {
      throw new CoreError("invalid_transition", `cannot edit the result of ${id}: it is ${task.status}, not done`, {
        task_id: id,
      });
    }
    await k.db.run("UPDATE tasks SET result = ? WHERE id = ?", [input.result, id]);
    const summary = input.summary ?? input.result;
    const latest = await latestCompletedRun(k, id);
    let runId: number;
    if (latest) {
      runId = latest.id;
      await k.db.run("UPDATE task_runs SET summary = ? WHERE id = ?", [summary, runId]);
      if (input.metadata !== undefined && input.metadata !== null) {
        await k.db.run("UPDATE task_runs SET metadata = ? WHERE id = ?", [
          boundedJsonOrNull("metadata", input.metadata),
          runId,
        ]);
      }
    } else {
      runId = await synthesizeRun(k, id, task.assignee, {
        outcome: "completed",
        summary,
        metadata: input.metadata ?? null,
      });
    }
    const fields = ["result", "summary", ...(input.metadata ? ["metadata"] : [])];
    await appendEvent(
      k,
      id,
      "edited",
      { fields, result_len: input.result.length, summary: firstLine(summary, 400) },
      runId,
    );
    return requireTask(k, id);
  });
}
