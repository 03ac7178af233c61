import type { BoardCard, Warnings } from "@switchyard/contract";
import { useMemo, useState } from "react";
import { useBoard } from "../../api/board.ts";
import type { BoardViewFilter } from "../../api/board-cards.ts";

interface AttentionStripProps {
  slug: string;
  view: BoardViewFilter;
  onOpenTask(id: string): void;
}

type WarnedCard = BoardCard & { warnings: Warnings };

/**
 * The attention strip (reference §12): how many tasks carry active hallucination warnings, with
 * the list newest first and an Open button per task. Dismissed until the page reloads.
 */
export function AttentionStrip({ slug, view, onOpenTask }: AttentionStripProps) {
  const board = useBoard(slug, view);
  const [open, setOpen] = useState(false);
  const [dismissed, setDismissed] = useState(false);
  const warned = useMemo(
    () =>
      (board.data?.columns ?? [])
        .flatMap((c) => c.tasks)
        .filter((t): t is WarnedCard => (t.warnings?.count ?? 0) > 0)
        .sort((a, b) => b.warnings.latest_at - a.warnings.latest_at),
    [board.data],
  );
  if (dismissed || warned.length === 0) return null;

  return (
    <section className="sy-attention" aria-label="Hallucination warnings">
      <div className="sy-attention-bar">
        <span>⚠ {warned.length} task(s) with hallucination warnings</span>
        <button type="button" className="sy-button sy-button-quiet" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? "Hide" : "Show"}
        </button>
        <button
          type="button"
          className="sy-icon-button"
          aria-label="Dismiss hallucination warnings"
          onClick={() => setDismissed(true)}
        >
          ✕
        </button>
      </div>
      {open ? (
        <ul className="sy-attention-list">
          {warned.map((t) => (
            <li key={t.id} className="sy-attention-row">
              <code className="sy-task-id">{t.id}</code>
              <span className="sy-attention-title">{t.title}</span>
              <span className="sy-muted">{t.assignee ? `@${t.assignee}` : "unassigned"}</span>
              <span className="sy-muted">{t.warnings.count} event(s)</span>
              <button type="button" className="sy-button" aria-label={`Open ${t.id}`} onClick={() => onOpenTask(t.id)}>
                Open
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
