import { type BoardCard, type BulkResult, operatorMove, type TaskStatus } from "@switchyard/contract";
import { COLUMN_META } from "./columns.ts";
import { joinAnd } from "./words.ts";

/** What the board knows of a card when it decides whether a person may move it. */
export type MovableCard = Pick<BoardCard, "id" | "status" | "waiting_on">;

/**
 * Why the kernel would refuse a person's move of `card` to `to`, as far as the card can tell
 * (the contract's transition table): no transition lets an operator make it, or the move needs
 * `parents_satisfied` and the card still waits on parents. Null when the move may be sent (or
 * the card is already there); the guards the card cannot tell stay the server's to check.
 */
export function refusalReason(card: MovableCard, to: TaskStatus): string | null {
  if (card.status === to) return null;
  const move = operatorMove(card.status, to);
  if (!move) return `${COLUMN_META[card.status].label} → ${COLUMN_META[to].label} is not an allowed move`;
  const waiting = card.waiting_on ?? [];
  if (move.guards.includes("parents_satisfied") && waiting.length > 0) {
    return `waiting on unfinished ${waiting.length === 1 ? "parent" : "parents"} ${joinAnd(waiting)}`;
  }
  return null;
}

/** The refusal as a sentence for the page's notifications, or null when the move may be sent. */
export function moveRefusal(card: MovableCard, to: TaskStatus): string | null {
  const reason = refusalReason(card, to);
  return reason === null ? null : `Cannot move ${card.id} to ${COLUMN_META[to].label}: ${reason}.`;
}

/** A bulk move split into the ids to send and those refused here, each with its reason. */
export interface BulkPlan {
  ids: string[];
  refused: BulkResult["results"];
}

/**
 * Splits a bulk move to `to`: cards the kernel would refuse are not sent, and come back as
 * failures beside the server's. A card already there, or one the board does not hold, is sent.
 */
export function planBulkMove(
  cards: ReadonlyMap<string, MovableCard>,
  ids: readonly string[],
  to: TaskStatus,
): BulkPlan {
  const plan: BulkPlan = { ids: [], refused: [] };
  for (const id of ids) {
    const card = cards.get(id);
    const refusal = card ? refusalReason(card, to) : null;
    if (refusal) plan.refused.push({ id, ok: false, error: refusal });
    else plan.ids.push(id);
  }
  return plan;
}
