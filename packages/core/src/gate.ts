import type { TaskStatus } from "@switchyard/contract";
import { CoreError } from "./errors.ts";
import type { Kernel } from "./kernel.ts";

/**
 * The hallucination gate (reference §7, SPEC §3.8). A worker that lists `created_cards` on
 * completion must only list cards it really created (created_by = its profile or its task id)
 * or cards linked as children of the task it completes.
 */

/** Trimmed, blanks dropped, de-duplicated in order. */
export function normalizeCards(cards: readonly unknown[] | null | undefined): string[] {
  const out: string[] = [];
  for (const c of cards ?? []) {
    const id = String(c).trim();
    if (id && !out.includes(id)) out.push(id);
  }
  return out;
}

export interface CardVerdict {
  verified: string[];
  phantom: string[];
}

/** Read-only: which of the claimed cards check out for the completing task. */
export async function verifyCreatedCards(k: Kernel, taskId: string, cards: readonly string[]): Promise<CardVerdict> {
  const task = await k.db.get<{ assignee: string | null }>("SELECT assignee FROM tasks WHERE id = ?", [taskId]);
  if (!task) return { verified: [], phantom: [...cards] };
  const verified: string[] = [];
  const phantom: string[] = [];
  for (const id of cards) {
    const row = await k.db.get<{ created_by: string | null }>("SELECT created_by FROM tasks WHERE id = ?", [id]);
    const ok =
      row !== undefined &&
      ((task.assignee !== null && row.created_by === task.assignee) ||
        row.created_by === taskId ||
        (await k.db.get("SELECT 1 AS hit FROM task_links WHERE parent_id = ? AND child_id = ?", [taskId, id])) !==
          undefined);
    (ok ? verified : phantom).push(id);
  }
  return { verified, phantom };
}

/** The refusal a worker gets; it says exactly how to retry (SPEC §3.8). */
export function hallucinatedCardsError(taskId: string, verdict: CardVerdict, status: TaskStatus): CoreError {
  return new CoreError(
    "hallucinated_cards",
    `completion blocked: claimed created_cards that do not exist or were not created by this worker: ${verdict.phantom.join(", ")}. ` +
      `Task ${taskId} is unchanged and still yours. Retry the completion with created_cards listing only ids returned by your ` +
      "successful kanban_create calls (or cards linked as children of this task), or leave created_cards out.",
    { phantom_cards: verdict.phantom, verified_cards: verdict.verified, task_id: taskId, status },
  );
}

const TASK_REF = /\bt_[a-f0-9]{8,}\b/g;

/** Task-id-looking references in prose: `t_` and eight or more lowercase hex digits. */
export function findTaskRefs(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(TASK_REF)) if (!out.includes(m[0])) out.push(m[0]);
  return out;
}

/** Prose references that name no task on this board and were not verified cards (§7.2). */
export async function phantomRefs(
  k: Kernel,
  texts: ReadonlyArray<string | null | undefined>,
  verified: readonly string[],
): Promise<string[]> {
  const joined = texts.filter((t): t is string => typeof t === "string" && t.trim() !== "").join(" ");
  if (!joined) return [];
  const out: string[] = [];
  for (const id of findTaskRefs(joined)) {
    if (verified.includes(id)) continue;
    if (!(await k.db.get("SELECT 1 AS hit FROM tasks WHERE id = ?", [id]))) out.push(id);
  }
  return out;
}
