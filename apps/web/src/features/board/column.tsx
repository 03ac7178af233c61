import { useDroppable } from "@dnd-kit/core";
import type { BoardCard, TaskStatus } from "@switchyard/contract";
import { type ReactNode, useRef } from "react";
import { COLUMN_META } from "../../lib/columns.ts";
import { lanesByProfile } from "../../lib/filter.ts";
import { moveRefusal } from "../../lib/moves.ts";
import { StatusDot } from "../../ui/status-dot.tsx";
import { carriedCard } from "./board-dnd.tsx";
import { CardList } from "./card-list.tsx";

interface ColumnProps {
  status: TaskStatus;
  cards: readonly BoardCard[];
  /** Sub-group by assignee (the running column only, reference §12). */
  lanes: boolean;
  creating: boolean;
  onToggleCreate(status: TaskStatus): void;
  createForm: ReactNode;
  renderCard(card: BoardCard): ReactNode;
  focusId: string | null;
  focusToken: number;
}

/** One status column: header with dot, label, count and "+", a help line, and its cards. */
export function Column({
  status,
  cards,
  lanes,
  creating,
  onToggleCreate,
  createForm,
  renderCard,
  focusId,
  focusToken,
}: ColumnProps) {
  const meta = COLUMN_META[status];
  const { setNodeRef, isOver, active } = useDroppable({ id: `column:${status}`, data: { status } });
  const body = useRef<HTMLDivElement>(null);
  // While a card is carried, a column it may not go to says so (a drop there is refused with the reason).
  const carried = carriedCard(active?.data.current);
  const refusal = carried ? moveRefusal(carried, status) : null;

  return (
    <section
      ref={setNodeRef}
      className={`sy-column${refusal ? " sy-column-closed" : isOver ? " sy-column-over" : ""}`}
      aria-label={meta.label}
      data-column={status}
      title={refusal ?? undefined}
    >
      <header className="sy-column-head">
        <StatusDot status={status} />
        <h2 className="sy-column-label">{meta.label}</h2>
        <span className="sy-column-count">
          {cards.length}
          <span className="sy-visually-hidden"> task(s)</span>
        </span>
        <button
          type="button"
          className="sy-icon-button sy-column-add"
          aria-label={`Create a task in ${meta.label}`}
          aria-expanded={creating}
          onClick={() => onToggleCreate(status)}
        >
          +
        </button>
      </header>
      <p className="sy-column-help">{meta.help}</p>
      {creating ? createForm : null}
      <div ref={body} className="sy-column-body">
        {cards.length === 0 ? (
          <p className="sy-column-empty">— no tasks —</p>
        ) : lanes && status === "running" ? (
          lanesByProfile(cards).map((lane) => (
            <div key={lane.name} className="sy-lane">
              <h3 className="sy-lane-head">
                <span>{lane.name}</span>
                <span className="sy-column-count">{lane.cards.length}</span>
              </h3>
              <CardList
                label={`${meta.label} · ${lane.name}`}
                virtualize={false}
                cards={lane.cards}
                renderCard={renderCard}
                scrollRef={body}
                focusId={focusId}
                focusToken={focusToken}
              />
            </div>
          ))
        ) : (
          <CardList
            label={`${meta.label} tasks`}
            cards={cards}
            renderCard={renderCard}
            scrollRef={body}
            focusId={focusId}
            focusToken={focusToken}
          />
        )}
      </div>
    </section>
  );
}
