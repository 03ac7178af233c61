import { useDraggable } from "@dnd-kit/core";
import type { BoardCard } from "@switchyard/contract";
import { type MouseEvent, memo, useEffect, useRef } from "react";
import { staleness } from "../../lib/staleness.ts";
import { formatAge, formatTimeLeft } from "../../lib/time.ts";
import { CommentIcon, LinkIcon } from "../../ui/icons.tsx";
import { WarningBadge } from "../../ui/warning-badge.tsx";
import type { CarriedData } from "./board-dnd.tsx";

export interface CardProps {
  card: BoardCard;
  /** The server's now, in Unix seconds. */
  now: number;
  /** The "why isn't this running?" line, if any. */
  why: string | null;
  selected: boolean;
  /** Changes each time keyboard navigation lands on this card, which then takes focus. */
  focusToken: number | null;
  onActivate(card: BoardCard, event: MouseEvent): void;
  onOpen(id: string): void;
  onToggleSelect(id: string): void;
  onFocusCard(id: string): void;
}

/** One task on the board: everything reference §12 lists, plus the live lines of SPEC §7. */
export const Card = memo(function Card({
  card,
  now,
  why,
  selected,
  focusToken,
  onActivate,
  onOpen,
  onToggleSelect,
  onFocusCard,
}: CardProps) {
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({
    id: card.id,
    data: { card } satisfies CarriedData,
    attributes: { role: "article", roleDescription: "task card" },
  });
  const node = useRef<HTMLElement | null>(null);

  useEffect(() => {
    if (focusToken !== null) node.current?.focus();
  }, [focusToken]);

  const stale = staleness(card, now);
  const links = card.link_counts.parents + card.link_counts.children;
  const running = card.status === "running";

  return (
    <article
      ref={(el) => {
        node.current = el;
        setNodeRef(el);
      }}
      {...attributes}
      {...listeners}
      aria-label={card.title}
      data-task-id={card.id}
      className={`sy-card sy-stale-${stale}${selected ? " sy-card-selected" : ""}${isDragging ? " sy-card-dragging" : ""}`}
      onClick={(event) => onActivate(card, event)}
      onKeyDown={(event) => {
        listeners?.onKeyDown?.(event);
        if (event.key === "Enter" && event.target === event.currentTarget && !event.defaultPrevented) {
          event.preventDefault();
          onOpen(card.id);
        }
      }}
      onFocus={(event) => {
        if (event.target === event.currentTarget) onFocusCard(card.id);
      }}
    >
      <div className="sy-card-top">
        <input
          type="checkbox"
          className="sy-card-check"
          aria-label={`Select ${card.id}`}
          checked={selected}
          onChange={() => onToggleSelect(card.id)}
          onClick={(event) => event.stopPropagation()}
          onMouseDown={(event) => event.stopPropagation()}
          onTouchStart={(event) => event.stopPropagation()}
          onKeyDown={(event) => event.stopPropagation()}
        />
        <code className="sy-task-id">{card.id}</code>
        {card.warnings && card.warnings.count > 0 ? <WarningBadge warnings={card.warnings} /> : null}
        <span className="sy-card-badges">
          {card.priority > 0 ? (
            <span className="sy-badge" title={`Priority ${card.priority}`}>
              P{card.priority}
            </span>
          ) : null}
          {card.tenant ? (
            <span className="sy-badge sy-badge-tenant" title={`Tenant ${card.tenant}`}>
              {card.tenant}
            </span>
          ) : null}
          {card.progress ? (
            <span
              className={`sy-progress${card.progress.done === card.progress.total ? " sy-progress-full" : ""}`}
              title={`${card.progress.done} of ${card.progress.total} child tasks done`}
            >
              {card.progress.done}/{card.progress.total}
            </span>
          ) : null}
        </span>
      </div>
      {/* Clamped to three lines (one when compact); the drawer shows the whole title. */}
      <div className="sy-card-title sy-clamp" dir="auto" title={card.title}>
        {card.title}
      </div>
      <div className="sy-card-meta">
        <span className="sy-card-assignee">{card.assignee ? `@${card.assignee}` : "unassigned"}</span>
        <span title={`${card.comment_count} comment(s)`}>
          <CommentIcon /> {card.comment_count}
          <span className="sy-visually-hidden"> comment(s)</span>
        </span>
        <span title={`${links} link(s)`}>
          <LinkIcon /> {links}
          <span className="sy-visually-hidden"> link(s)</span>
        </span>
        <span className="sy-card-age" title="Time since creation">
          {formatAge(now - card.created_at)}
        </span>
      </div>
      {running ? (
        <div className="sy-card-live">
          <span>
            {card.last_heartbeat_at === null
              ? "no heartbeat yet"
              : `heartbeat ${formatAge(now - card.last_heartbeat_at)} ago`}
          </span>
          {card.claim_expires !== null ? <span>claim {formatTimeLeft(card.claim_expires, now)}</span> : null}
        </div>
      ) : null}
      {why ? <div className="sy-card-why">{why}</div> : null}
    </article>
  );
});
