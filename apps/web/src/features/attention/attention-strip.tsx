import type { BoardCard, Warnings } from "@switchyard/contract";
import { useCallback, useMemo, useState } from "react";
import { useBoard } from "../../api/board.ts";
import type { BoardViewFilter } from "../../api/board-cards.ts";
import { stripWords } from "../../lib/warnings.ts";

interface AttentionStripProps {
  slug: string;
  view: BoardViewFilter;
  onOpenTask(id: string): void;
}

type WarnedCard = BoardCard & { warnings: Warnings };

/** Where a board's dismissed warnings are remembered for this browser session. */
export function dismissedKey(slug: string): string {
  return `switchyard.attentionDismissed.${slug}`;
}

/** A warning as the strip remembers it: its task, and when the task's latest warning came. */
function warningKey(card: WarnedCard): string {
  return `${card.id}@${card.warnings.latest_at}`;
}

function readDismissed(slug: string): ReadonlySet<string> {
  try {
    const stored: unknown = JSON.parse(window.sessionStorage.getItem(dismissedKey(slug)) ?? "[]");
    return new Set(Array.isArray(stored) ? stored.filter((k): k is string => typeof k === "string") : []);
  } catch {
    return new Set();
  }
}

/**
 * The warnings dismissed on a board in this browser session (sessionStorage: a reload keeps
 * them, a new tab or session starts afresh), and dismissing the ones shown.
 */
function useDismissed(slug: string): [ReadonlySet<string>, (keys: readonly string[]) => void] {
  const [stored, setStored] = useState(() => ({ slug, keys: readDismissed(slug) }));
  const keys = stored.slug === slug ? stored.keys : readDismissed(slug);
  const dismiss = useCallback(
    (shown: readonly string[]) => {
      try {
        window.sessionStorage.setItem(dismissedKey(slug), JSON.stringify(shown));
      } catch {
        // Storage can be unavailable (private mode): dismissed for this page only.
      }
      setStored({ slug, keys: new Set(shown) });
    },
    [slug],
  );
  return [keys, dismiss];
}

/**
 * The attention strip (reference §12): how many tasks carry active warnings (hallucinated cards,
 * and unverified completions of SPEC §12), with the list newest first and an Open button per
 * task. It names the kind of warning when all are of one kind ("hallucination warnings",
 * "unverified completions"), "warnings" otherwise. Dismissing it lasts for the browser session,
 * per board, until a warning it did not show comes (a new task, or a new warning on a task it
 * showed).
 */
export function AttentionStrip({ slug, view, onOpenTask }: AttentionStripProps) {
  const board = useBoard(slug, view);
  const [open, setOpen] = useState(false);
  const [dismissed, dismiss] = useDismissed(slug);
  const warned = useMemo(
    () =>
      (board.data?.columns ?? [])
        .flatMap((c) => c.tasks)
        .filter((t): t is WarnedCard => (t.warnings?.count ?? 0) > 0)
        .sort((a, b) => b.warnings.latest_at - a.warnings.latest_at),
    [board.data],
  );
  const shown = warned.map(warningKey);
  if (shown.every((k) => dismissed.has(k))) return null;
  const words = stripWords(warned.map((t) => t.warnings));

  return (
    <section className="sy-attention" aria-label={words.region}>
      <div className="sy-attention-bar">
        <span>
          ⚠ {warned.length} task(s) with {words.what}
        </span>
        <button type="button" className="sy-button sy-button-quiet" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? "Hide" : "Show"}
        </button>
        <button
          type="button"
          className="sy-icon-button"
          aria-label={`Dismiss ${words.what}`}
          onClick={() => dismiss(shown)}
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
