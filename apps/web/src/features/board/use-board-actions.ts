import type { BoardCard, BulkBody, BulkResult, TaskStatus } from "@switchyard/contract";
import { useRef, useState } from "react";
import type { BoardViewFilter } from "../../api/board-cards.ts";
import { useBulkUpdate, useMoveTask } from "../../api/board-mutations.ts";
import { errorMessage, failureText } from "../../api/errors.ts";
import { COLUMN_META, CONFIRMED_MOVES } from "../../lib/columns.ts";
import { type MovableCard, moveRefusal, planBulkMove, refusalReason } from "../../lib/moves.ts";
import { useNotice } from "../../lib/notices.tsx";
import type { MoveExtras } from "./move-dialog.tsx";
import type { Selection } from "./use-selection.ts";
import type { Undo } from "./use-undo.ts";

/** A move waiting for the person to confirm it (done, blocked, archived). */
export type PendingConfirm =
  | { kind: "move"; card: BoardCard; to: TaskStatus }
  | { kind: "bulk"; ids: string[]; to: "done" | "archived"; refused: BulkResult["results"] };

/** Where a confirmation dialog's request stands. */
export interface ConfirmState {
  sending: boolean;
  /** The server's refusal, shown in the dialog beside what was typed. */
  refusal: string | null;
}

const IDLE: ConfirmState = { sending: false, refusal: null };

/** "Bulk: 2 of 5 failed: t_1 (reason); t_2 (reason)", first three shown (reference §12). */
export function bulkFailureText(result: BulkResult): string | null {
  const failed = result.results.filter((r) => !r.ok);
  if (failed.length === 0) return null;
  const shown = failed.slice(0, 3).map((r) => `${r.id} (${r.error ?? "refused"})`);
  return `Bulk: ${failed.length} of ${result.results.length} failed: ${shown.join("; ")}`;
}

/**
 * Whether a move of `card` to `to` can be undone by moving it back: the contract's table must let
 * a person make the way back (nothing goes back to In Progress), and never to Done, which wants
 * a summary.
 */
export function canMoveBack(card: MovableCard, to: TaskStatus): boolean {
  return card.status !== "done" && refusalReason({ ...card, status: to }, card.status) === null;
}

function movedText(id: string, to: TaskStatus): string {
  return to === "archived" ? `Archived ${id}.` : `Moved ${id} to ${COLUMN_META[to].label}.`;
}

/**
 * Moves (single and bulk) with their confirmations, and the notices for refusals. A move the
 * kernel would refuse (no transition, or a card waiting on parents) is refused here, before any
 * dialog opens or any request leaves; the server's own refusals roll the card back. A single
 * move that can be moved back is offered for undo for 10 s.
 */
export function useBoardActions(
  slug: string,
  view: BoardViewFilter,
  selection: Selection,
  cards: ReadonlyMap<string, BoardCard>,
  undo: Undo,
) {
  const move = useMoveTask(slug, view);
  const bulk = useBulkUpdate(slug);
  const notice = useNotice();
  const [confirm, setConfirm] = useState<PendingConfirm | null>(null);
  const [confirmState, setConfirmState] = useState<ConfirmState>(IDLE);
  // The confirmation a request was sent from, while its dialog is still open: a refusal is shown
  // there, with what was typed, rather than in a notification (a dialog never loses its text).
  const sentFrom = useRef<PendingConfirm | null>(null);
  // Undo runs seconds later: it reads the board as it is then, not as it was.
  const latest = useRef(cards);
  latest.current = cards;

  function openConfirm(pending: PendingConfirm) {
    sentFrom.current = null;
    setConfirmState(IDLE);
    setConfirm(pending);
  }

  function closeConfirm() {
    sentFrom.current = null;
    setConfirm(null);
    setConfirmState(IDLE);
  }

  /** Whether `from`'s dialog is still open and waiting: then it shows how the request ended. */
  function answeredInDialog(from: PendingConfirm | null, error: unknown): boolean {
    if (from === null || sentFrom.current !== from) return false;
    if (error === null) closeConfirm();
    else setConfirmState({ sending: false, refusal: errorMessage(error, "the move") });
    return true;
  }

  function send(
    card: BoardCard,
    to: TaskStatus,
    extras: MoveExtras = {},
    undoing = false,
    from: PendingConfirm | null = null,
  ) {
    const key = `task:${card.id}`;
    move.mutate(
      { id: card.id, to, ...extras },
      {
        onError: (error) => {
          if (answeredInDialog(from, error)) return;
          notice.show(failureText(undoing ? "Undo" : "Move", `moving ${card.id} to ${COLUMN_META[to].label}`, error), {
            key,
          });
        },
        onSuccess: () => {
          answeredInDialog(from, null);
          if (undoing || !canMoveBack(card, to)) notice.show(movedText(card.id, to), { tone: "info", key });
          else undo.offer(movedText(card.id, to), key, () => moveBack(card, to));
        },
      },
    );
  }

  /** Undo of a move: back to where `card` was, if it is still where it was sent. */
  function moveBack(card: BoardCard, sentTo: TaskStatus) {
    const now = latest.current.get(card.id) ?? { ...card, status: sentTo };
    const key = `task:${card.id}`;
    if (now.status !== sentTo) {
      notice.show(`Not undone: ${card.id} has moved on to ${COLUMN_META[now.status].label} since.`, { key });
      return;
    }
    const refusal = moveRefusal(now, card.status);
    if (refusal) notice.show(refusal, { key });
    else send(now, card.status, {}, true);
  }

  function requestMove(card: BoardCard, to: TaskStatus) {
    if (to === card.status) return;
    const refusal = moveRefusal(card, to);
    if (refusal) notice.show(refusal, { key: `task:${card.id}` });
    else if (CONFIRMED_MOVES.has(to)) openConfirm({ kind: "move", card, to });
    else send(card, to);
  }

  /** `Delete`/`#`: archived at once when it can be undone, else confirmed first (as any archive). */
  function archive(card: BoardCard) {
    if (card.status === "archived") return;
    const refusal = moveRefusal(card, "archived");
    if (refusal) notice.show(refusal, { key: `task:${card.id}` });
    else if (canMoveBack(card, "archived")) send(card, "archived");
    else openConfirm({ kind: "move", card, to: "archived" });
  }

  /** Shows what failed (refused here or by the server) and keeps just those selected. */
  function report(result: BulkResult) {
    const failure = bulkFailureText(result);
    if (failure) {
      notice.show(failure);
      selection.keep(result.results.filter((r) => !r.ok).map((r) => r.id));
    } else {
      selection.clear();
    }
  }

  function runBulk(
    body: Omit<BulkBody, "archive"> & { archive?: boolean },
    refused: BulkResult["results"] = [],
    from: PendingConfirm | null = null,
  ) {
    bulk.mutate(
      { archive: false, ...body },
      {
        onSuccess: (result) => {
          answeredInDialog(from, null);
          report({ results: [...refused, ...result.results] });
        },
        onError: (error) => {
          if (answeredInDialog(from, error)) return;
          notice.show(failureText("Bulk", `the bulk change of ${body.ids.length} task(s)`, error));
        },
      },
    );
  }

  /** A bulk move to `to`: sent for the cards that may go there, or, when none may, only reported. */
  function planBulk(to: TaskStatus, then: (ids: string[], refused: BulkResult["results"]) => void) {
    const plan = planBulkMove(cards, selection.ids, to);
    if (plan.ids.length === 0) report({ results: plan.refused });
    else then(plan.ids, plan.refused);
  }

  /**
   * Sends the confirmed move; its dialog stays open, with what was typed, until the server
   * answers: closed on success, showing the server's refusal otherwise (a dialog never loses
   * what was typed). Cancelling meanwhile leaves the answer to the notifications.
   */
  function confirmPending(extras: MoveExtras) {
    const pending = confirm;
    if (!pending || confirmState.sending) return;
    sentFrom.current = pending;
    setConfirmState({ sending: true, refusal: null });
    if (pending.kind === "move") {
      send(pending.card, pending.to, extras, false, pending);
    } else if (pending.to === "done") {
      const summary = extras.summary ?? null;
      runBulk({ ids: pending.ids, status: "done", result: summary, summary }, pending.refused, pending);
    } else {
      runBulk({ ids: pending.ids, archive: true }, pending.refused, pending);
    }
  }

  return {
    confirm,
    /** Whether the confirmed move is on its way, and the server's refusal of it. */
    confirmState,
    cancelConfirm: closeConfirm,
    confirmPending,
    requestMove,
    archive,
    bulkPending: bulk.isPending,
    bulkReady: () => planBulk("ready", (ids, refused) => runBulk({ ids, status: "ready" }, refused)),
    bulkComplete: () => planBulk("done", (ids, refused) => openConfirm({ kind: "bulk", ids, to: "done", refused })),
    bulkArchive: () =>
      planBulk("archived", (ids, refused) => openConfirm({ kind: "bulk", ids, to: "archived", refused })),
    bulkReassign: (profile: string) => runBulk({ ids: selection.ids, assignee: profile || null }),
  };
}
