import type { BoardCard } from "@switchyard/contract";
import { useVirtualizer } from "@tanstack/react-virtual";
import { type ReactNode, type RefObject, useEffect } from "react";
import { ESTIMATED_CARD_HEIGHT, observedSize } from "../../lib/virtual-size.ts";

/** Columns longer than this render only the cards in view (a 2,000-card board stays responsive). */
export const VIRTUALIZE_OVER = 60;

interface CardListProps {
  label: string;
  cards: readonly BoardCard[];
  renderCard(card: BoardCard): ReactNode;
  /** The scrolling column body. */
  scrollRef: RefObject<HTMLDivElement | null>;
  /** The card keyboard navigation wants on screen. */
  focusId: string | null;
  focusToken: number;
  /** Lanes share one scrolling body, so they are never virtualised. */
  virtualize?: boolean;
}

/** A column's cards as a list; long columns are virtualised. */
export function CardList(props: CardListProps) {
  if (props.virtualize !== false && props.cards.length > VIRTUALIZE_OVER) return <VirtualCardList {...props} />;
  return (
    <ul aria-label={props.label} className="sy-card-list">
      {props.cards.map((card) => (
        <li key={card.id} className="sy-card-item">
          {props.renderCard(card)}
        </li>
      ))}
    </ul>
  );
}

function VirtualCardList({ label, cards, renderCard, scrollRef, focusId, focusToken }: CardListProps) {
  const virtualizer = useVirtualizer({
    count: cards.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_CARD_HEIGHT,
    measureElement: observedSize,
    overscan: 6,
    initialRect: { width: 280, height: 900 },
    getItemKey: (index) => cards[index]?.id ?? index,
  });

  useEffect(() => {
    if (!focusId || focusToken === 0) return;
    const index = cards.findIndex((c) => c.id === focusId);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: "auto" });
  }, [focusId, focusToken, cards, virtualizer]);

  return (
    <ul aria-label={label} className="sy-card-list sy-card-list-virtual" style={{ height: virtualizer.getTotalSize() }}>
      {virtualizer.getVirtualItems().map((item) => {
        const card = cards[item.index];
        if (!card) return null;
        return (
          <li
            key={item.key}
            data-index={item.index}
            ref={virtualizer.measureElement}
            className="sy-card-item"
            aria-posinset={item.index + 1}
            aria-setsize={cards.length}
            style={{ transform: `translateY(${item.start}px)` }}
          >
            {renderCard(card)}
          </li>
        );
      })}
    </ul>
  );
}
