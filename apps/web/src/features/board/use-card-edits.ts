import type { BoardCard } from "@switchyard/contract";
import type { BoardViewFilter } from "../../api/board-cards.ts";
import { type CardPatch, usePatchCard } from "../../api/card-patch.ts";
import { errorMessage, failureText } from "../../api/errors.ts";
import { useNotice } from "../../lib/notices.tsx";
import type { Undo } from "./use-undo.ts";

function assignedText(id: string, assignee: string | null): string {
  return assignee ? `Assigned ${id} to ${assignee.trim().toLowerCase()}.` : `Unassigned ${id}.`;
}

/**
 * The board's edits of one card besides its status: assign (`a`), priority (`p`) and title
 * (`e`). Each says what it did in a toast; assignments and priorities can be undone for 10 s,
 * by the same PATCH with the old value (the kernel decides; a refusal is shown).
 */
export function useCardEdits(slug: string, view: BoardViewFilter, undo: Undo) {
  const patch = usePatchCard(slug, view);
  const notice = useNotice();

  function apply(
    card: BoardCard,
    change: CardPatch,
    said: { done: string; label: string; attempt: string },
    revert: (() => void) | null,
  ) {
    const key = `task:${card.id}`;
    patch.mutate(
      { id: card.id, patch: change },
      {
        onError: (error) => notice.show(failureText(said.label, said.attempt, error), { key }),
        onSuccess: () => {
          if (revert) undo.offer(said.done, key, revert);
          else notice.show(said.done, { tone: "info", key });
        },
      },
    );
  }

  function assign(card: BoardCard, assignee: string | null, undoing = false) {
    const next = assignee?.trim() ? assignee.trim() : null;
    if ((next?.toLowerCase() ?? null) === card.assignee) return;
    const after = { ...card, assignee: next?.toLowerCase() ?? null };
    apply(
      card,
      { assignee: next },
      {
        done: assignedText(card.id, next),
        label: undoing ? "Undo" : "Assign",
        attempt: next ? `assigning ${card.id} to ${next}` : `unassigning ${card.id}`,
      },
      undoing ? null : () => assign(after, card.assignee, true),
    );
  }

  function setPriority(card: BoardCard, priority: number, undoing = false) {
    if (priority === card.priority) return;
    apply(
      card,
      { priority },
      {
        done: `Set the priority of ${card.id} to ${priority}.`,
        label: undoing ? "Undo" : "Priority change",
        attempt: `setting the priority of ${card.id}`,
      },
      undoing ? null : () => setPriority({ ...card, priority }, card.priority, true),
    );
  }

  /** Resolves to null once saved, or to the reason it was refused (shown in the title dialog). */
  async function rename(card: BoardCard, title: string): Promise<string | null> {
    try {
      await patch.mutateAsync({ id: card.id, patch: { title } });
      notice.show(`Renamed ${card.id}.`, { tone: "info", key: `task:${card.id}` });
      return null;
    } catch (error) {
      return errorMessage(error, `renaming ${card.id}`);
    }
  }

  return { assign, setPriority, rename };
}
