import type { BoardCard, TaskStatus } from "@switchyard/contract";
import type { MouseEvent } from "react";
import { type DispatchFacts, whyIdle } from "../../lib/why-idle.ts";
import { Card } from "./card.tsx";
import { Column } from "./column.tsx";
import { InlineCreate } from "./inline-create.tsx";
import type { useInlineCreate } from "./use-inline-create.ts";
import type { Selection } from "./use-selection.ts";

interface BoardColumnsProps {
  columns: ReadonlyArray<{ status: TaskStatus; cards: BoardCard[] }>;
  allCards: ReadonlyMap<string, BoardCard>;
  facts: DispatchFacts;
  now: number;
  lanes: boolean;
  selection: Selection;
  create: ReturnType<typeof useInlineCreate>;
  focusId: string | null;
  focusToken: number;
  onFocusCard(id: string): void;
  onActivate(card: BoardCard, event: MouseEvent): void;
  onOpen(id: string): void;
}

/** The grid of columns and their cards. */
export function BoardColumns({
  columns,
  allCards,
  facts,
  now,
  lanes,
  selection,
  create,
  focusId,
  focusToken,
  onFocusCard,
  onActivate,
  onOpen,
}: BoardColumnsProps) {
  const renderCard = (card: BoardCard) => (
    <Card
      card={card}
      now={now}
      why={whyIdle(card, facts, now)}
      selected={selection.has(card.id)}
      focusToken={card.id === focusId ? focusToken : null}
      onActivate={onActivate}
      onOpen={onOpen}
      onToggleSelect={selection.toggle}
      onFocusCard={onFocusCard}
    />
  );

  return (
    <div className="sy-columns">
      {columns.map(({ status, cards }) => (
        <Column
          key={status}
          status={status}
          cards={cards}
          lanes={lanes}
          creating={create.column === status}
          onToggleCreate={create.toggle}
          createForm={
            create.column === status ? (
              <InlineCreate
                status={status}
                tasks={[...allCards.values()]}
                pending={create.pending}
                error={create.error}
                onSubmit={create.submit}
                onCancel={create.close}
              />
            ) : null
          }
          renderCard={renderCard}
          focusId={focusId}
          focusToken={focusToken}
        />
      ))}
    </div>
  );
}
