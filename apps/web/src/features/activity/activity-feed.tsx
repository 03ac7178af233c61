import "./activity.css";
import { type KeyboardEvent, useEffect, useId, useMemo, useRef } from "react";
import { useActivity } from "../../api/activity.ts";
import { useBoard } from "../../api/board.ts";
import type { BoardViewFilter } from "../../api/board-cards.ts";
import { eventSentence } from "../../lib/event-sentences.ts";
import { formatAge, serverNow } from "../../lib/time.ts";
import { useNow } from "../../lib/use-now.ts";

interface ActivityFeedProps {
  slug: string;
  view: BoardViewFilter;
  onOpenTask(id: string): void;
  onClose(): void;
}

/**
 * The activity feed: the board's recent events, newest first, each its task (title, or id when
 * the board shown does not hold it) and a short sentence of who did what (the drawer's
 * sentences, `lib/event-sentences.ts`) with its age, and a button that opens its task. Fed by the live stream as events arrive
 * (no polling); it starts with the board's latest events, which the stream replays when it
 * opens. Escape or ✕ closes it.
 */
export function ActivityFeed({ slug, view, onOpenTask, onClose }: ActivityFeedProps) {
  const events = useActivity(slug);
  const board = useBoard(slug, view);
  const heading = useRef<HTMLHeadingElement>(null);
  const headingId = useId();
  const clientNow = useNow();
  const boardNow = board.data?.now ?? 0;
  const fetchedAt = useMemo(() => (boardNow ? Date.now() : 0), [boardNow]);
  const now = boardNow ? serverNow(boardNow, fetchedAt, clientNow) : Math.floor(clientNow / 1000);
  const titles = useMemo(() => {
    const byId = new Map<string, string>();
    for (const column of board.data?.columns ?? []) for (const t of column.tasks) byId.set(t.id, t.title);
    return byId;
  }, [board.data]);

  useEffect(() => heading.current?.focus(), []);

  function onKeyDown(event: KeyboardEvent) {
    if (event.key !== "Escape") return;
    event.preventDefault();
    event.stopPropagation();
    onClose();
  }

  return (
    <aside className="sy-activity" aria-labelledby={headingId} onKeyDown={onKeyDown}>
      <div className="sy-activity-head">
        <h2 id={headingId} ref={heading} tabIndex={-1}>
          Activity
        </h2>
        <button type="button" className="sy-icon-button" aria-label="Close activity" onClick={onClose}>
          ✕
        </button>
      </div>
      {events.length === 0 ? (
        <p className="sy-muted sy-activity-empty">Nothing has happened on this board yet.</p>
      ) : (
        <ol className="sy-activity-list" aria-label="Recent events, newest first">
          {events.map((event) => {
            const title = titles.get(event.task_id);
            const age = `${formatAge(now - event.created_at)} ago`;
            return (
              <li key={event.id}>
                <button
                  type="button"
                  className="sy-activity-row"
                  data-kind={event.kind}
                  onClick={() => onOpenTask(event.task_id)}
                >
                  <span className="sy-activity-text" dir="auto">
                    {`${title ? `“${title}”` : event.task_id}: ${eventSentence(event)}`}
                  </span>{" "}
                  <span className="sy-muted sy-activity-age">{age}</span>
                </button>
              </li>
            );
          })}
        </ol>
      )}
    </aside>
  );
}
