import type { BoardCard, BulkBody, BulkResult, TaskStatus } from "@switchyard/contract";
import { useState } from "react";
import type { BoardViewFilter } from "../../api/board-cards.ts";
import { useBulkUpdate, useMoveTask } from "../../api/board-mutations.ts";
import { errorMessage } from "../../api/errors.ts";
import { CONFIRMED_MOVES } from "../../lib/columns.ts";
import { useNotice } from "../../lib/notices.tsx";
import type { MoveExtras } from "./move-dialog.tsx";
import type { Selection } from "./use-selection.ts";

/** A move waiting for the person to confirm it (done, blocked, archived). */
export type PendingConfirm =
  | { kind: "move"; card: BoardCard; to: TaskStatus }
  | { kind: "bulk"; ids: string[]; to: "done" | "archived" };

/** "Bulk: 2 of 5 failed: t_1 (reason); t_2 (reason)", first three shown (reference §12). */
export function bulkFailureText(result: BulkResult): string | null {
  const failed = result.results.filter((r) => !r.ok);
  if (failed.length === 0) return null;
  const shown = failed.slice(0, 3).map((r) => `${r.id} (${r.error ?? "refused"})`);
  return `Bulk: ${failed.length} of ${result.results.length} failed: ${shown.join("; ")}`;
}

/** Moves (single and bulk) with their confirmations, and the error line for refusals. */
export function useBoardActions(slug: string, view: BoardViewFilter, selection: Selection) {
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
    if (CONFIRMED_MOVES.has(to)) setConfirm({ kind: "move", card, to });
    else send(card, to);
  }

  function runBulk(body: Omit<BulkBody, "archive"> & { archive?: boolean }) {
    bulk.mutate(
      { archive: false, ...body },
      {
        onSuccess: (result) => {
          const failure = bulkFailureText(result);
          if (failure) {
            notice.show(failure);
            selection.keep(result.results.filter((r) => !r.ok).map((r) => r.id));
          } else {
            selection.clear();
          }
        },
        onError: (error) => notice.show(`Bulk failed: ${errorMessage(error)}`),
      },
    );
  }

  function confirmPending(extras: MoveExtras) {
    const pending = confirm;
    setConfirm(null);
    if (!pending) return;
    if (pending.kind === "move") {
      send(pending.card, pending.to, extras);
    } else if (pending.to === "done") {
      runBulk({ ids: pending.ids, status: "done", result: extras.summary ?? null, summary: extras.summary ?? null });
    } else {
      runBulk({ ids: pending.ids, archive: true });
    }
  }

  return {
    confirm,
    cancelConfirm: () => setConfirm(null),
    confirmPending,
    requestMove,
    bulkPending: bulk.isPending,
    bulkReady: () => runBulk({ ids: selection.ids, status: "ready" }),
    bulkComplete: () => setConfirm({ kind: "bulk", ids: selection.ids, to: "done" }),
    bulkArchive: () => setConfirm({ kind: "bulk", ids: selection.ids, to: "archived" }),
    bulkReassign: (profile: string) => runBulk({ ids: selection.ids, assignee: profile || null }),
  };
}
