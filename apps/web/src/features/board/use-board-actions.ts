import type { BoardCard, BulkBody, BulkResult, TaskStatus } from "@switchyard/contract";
import { useState } from "react";
import type { BoardViewFilter } from "../../api/board-cards.ts";
import { useBulkUpdate, useMoveTask } from "../../api/board-mutations.ts";
import { errorMessage } from "../../api/errors.ts";
import { CONFIRMED_MOVES } from "../../lib/columns.ts";
import { moveRefusal, planBulkMove } from "../../lib/moves.ts";
import { useNotice } from "../../lib/notices.tsx";
import type { MoveExtras } from "./move-dialog.tsx";
import type { Selection } from "./use-selection.ts";

/** A move waiting for the person to confirm it (done, blocked, archived). */
export type PendingConfirm =
  | { kind: "move"; card: BoardCard; to: TaskStatus }
  | { kind: "bulk"; ids: string[]; to: "done" | "archived"; refused: BulkResult["results"] };

/** "Bulk: 2 of 5 failed: t_1 (reason); t_2 (reason)", first three shown (reference §12). */
export function bulkFailureText(result: BulkResult): string | null {
  const failed = result.results.filter((r) => !r.ok);
  if (failed.length === 0) return null;
  const shown = failed.slice(0, 3).map((r) => `${r.id} (${r.error ?? "refused"})`);
  return `Bulk: ${failed.length} of ${result.results.length} failed: ${shown.join("; ")}`;
}

/**
 * Moves (single and bulk) with their confirmations, and the error line for refusals. A move the
 * kernel would refuse (no transition, or a card waiting on parents) is refused here, before any
 * dialog opens or any request leaves; the server's own refusals roll the card back.
 */
export function useBoardActions(
  slug: string,
  view: BoardViewFilter,
  selection: Selection,
  cards: ReadonlyMap<string, BoardCard>,
) {
  const move = useMoveTask(slug, view);
  const bulk = useBulkUpdate(slug);
  const notice = useNotice();
  const [confirm, setConfirm] = useState<PendingConfirm | null>(null);

  function send(card: BoardCard, to: TaskStatus, extras: MoveExtras = {}) {
    move.mutate(
      { id: card.id, to, ...extras },
      { onError: (error) => notice.show(`Move failed: ${errorMessage(error)}`) },
    );
  }

  function requestMove(card: BoardCard, to: TaskStatus) {
    if (to === card.status) return;
    const refusal = moveRefusal(card, to);
    if (refusal) notice.show(refusal);
    else if (CONFIRMED_MOVES.has(to)) setConfirm({ kind: "move", card, to });
    else send(card, to);
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

  function runBulk(body: Omit<BulkBody, "archive"> & { archive?: boolean }, refused: BulkResult["results"] = []) {
    bulk.mutate(
      { archive: false, ...body },
      {
        onSuccess: (result) => report({ results: [...refused, ...result.results] }),
        onError: (error) => notice.show(`Bulk failed: ${errorMessage(error)}`),
      },
    );
  }

  /** A bulk move to `to`: sent for the cards that may go there, or, when none may, only reported. */
  function planBulk(to: TaskStatus, then: (ids: string[], refused: BulkResult["results"]) => void) {
    const plan = planBulkMove(cards, selection.ids, to);
    if (plan.ids.length === 0) report({ results: plan.refused });
    else then(plan.ids, plan.refused);
  }

  function confirmPending(extras: MoveExtras) {
    const pending = confirm;
    setConfirm(null);
    if (!pending) return;
    if (pending.kind === "move") {
      send(pending.card, pending.to, extras);
    } else if (pending.to === "done") {
      const summary = extras.summary ?? null;
      runBulk({ ids: pending.ids, status: "done", result: summary, summary }, pending.refused);
    } else {
      runBulk({ ids: pending.ids, archive: true }, pending.refused);
    }
  }

  return {
    confirm,
    cancelConfirm: () => setConfirm(null),
    confirmPending,
    requestMove,
    bulkPending: bulk.isPending,
    bulkReady: () => planBulk("ready", (ids, refused) => runBulk({ ids, status: "ready" }, refused)),
    bulkComplete: () => planBulk("done", (ids, refused) => setConfirm({ kind: "bulk", ids, to: "done", refused })),
    bulkArchive: () =>
      planBulk("archived", (ids, refused) => setConfirm({ kind: "bulk", ids, to: "archived", refused })),
    bulkReassign: (profile: string) => runBulk({ ids: selection.ids, assignee: profile || null }),
  };
}
