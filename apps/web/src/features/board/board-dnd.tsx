import {
  type Announcements,
  DndContext,
  type DragEndEvent,
  DragOverlay,
  type DragStartEvent,
  type KeyboardCoordinateGetter,
  KeyboardSensor,
  MouseSensor,
  TouchSensor,
  useSensor,
  useSensors,
} from "@dnd-kit/core";
import type { BoardCard, TaskStatus } from "@switchyard/contract";
import { type ReactNode, useState } from "react";
import { COLUMN_META } from "../../lib/columns.ts";
import { moveRefusal } from "../../lib/moves.ts";

/** What a dragged card carries (dnd-kit's `data`): columns read it to tell whether they take it. */
export interface CarriedData {
  card: BoardCard;
}

/** The card being carried, from a draggable's `data` (null while nothing is). */
export function carriedCard(data: Partial<CarriedData> | undefined): BoardCard | null {
  return data?.card ?? null;
}

function columnOf(id: string | number | undefined): TaskStatus | null {
  const text = String(id ?? "");
  return text.startsWith("column:") ? (text.slice("column:".length) as TaskStatus) : null;
}

/**
 * Keyboard dragging jumps a whole column per arrow: Right and Left move the card over the next
 * or previous column (by their places on screen); Up and Down do nothing. The card keeps its
 * height on screen when the target column reaches it, and otherwise moves up into the column's
 * box, so a card low in a long column still lands on a short or empty one.
 */
export const columnKeyboardCoordinates: KeyboardCoordinateGetter = (event, { context, currentCoordinates }) => {
  if (event.code !== "ArrowRight" && event.code !== "ArrowLeft") return undefined;
  event.preventDefault();
  const { collisionRect, droppableRects, droppableContainers } = context;
  if (!collisionRect) return undefined;
  const columns = droppableContainers
    .getEnabled()
    .map((c) => droppableRects.get(c.id))
    .filter((r): r is NonNullable<typeof r> => r !== undefined)
    .sort((a, b) => a.left - b.left);
  const center = collisionRect.left + collisionRect.width / 2;
  const distance = (r: { left: number; width: number }) => Math.abs(r.left + r.width / 2 - center);
  let here = 0;
  columns.forEach((r, i) => {
    const best = columns[here];
    if (best && distance(r) < distance(best)) here = i;
  });
  const target = columns[here + (event.code === "ArrowRight" ? 1 : -1)];
  if (!target) return currentCoordinates;
  const lowest = Math.max(target.top, target.top + target.height - collisionRect.height);
  return {
    x: target.left + (target.width - collisionRect.width) / 2,
    y: Math.min(Math.max(currentCoordinates.y, target.top), lowest),
  };
};

interface BoardDndProps {
  cards: ReadonlyMap<string, BoardCard>;
  onDrop(card: BoardCard, to: TaskStatus): void;
  children: ReactNode;
}

/** Drag and drop by mouse, touch and keyboard (Space picks up, arrows move between columns, Space drops). */
export function BoardDnd({ cards, onDrop, children }: BoardDndProps) {
  const [dragging, setDragging] = useState<BoardCard | null>(null);
  const sensors = useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 6 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 200, tolerance: 8 } }),
    useSensor(KeyboardSensor, {
      coordinateGetter: columnKeyboardCoordinates,
      keyboardCodes: { start: ["Space"], cancel: ["Escape"], end: ["Space", "Enter"] },
    }),
  );

  const title = (id: string | number) => cards.get(String(id))?.title ?? String(id);
  const over = (activeId: string | number, id: string | number | undefined) => {
    const status = columnOf(id);
    if (!status) return `${title(activeId)} is over no column.`;
    const card = cards.get(String(activeId));
    const refusal = card ? moveRefusal(card, status) : null;
    return `${title(activeId)} is over ${COLUMN_META[status].label}.${refusal ? ` ${refusal}` : ""}`;
  };
  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up ${title(active.id)}. Use Left and Right to choose a column, Space to drop.`,
    onDragOver: ({ active, over: target }) => over(active.id, target?.id),
    onDragEnd: ({ active }) => `${title(active.id)} was dropped.`,
    onDragCancel: ({ active }) => `Moving ${title(active.id)} was cancelled.`,
  };

  // The page's single-key shortcuts stand aside while a card is carried by the keyboard.
  function carry(card: BoardCard | null) {
    setDragging(card);
    if (card) document.body.dataset.dragging = "true";
    else delete document.body.dataset.dragging;
  }

  function onDragStart(event: DragStartEvent) {
    carry(cards.get(String(event.active.id)) ?? null);
  }

  function onDragEnd(event: DragEndEvent) {
    carry(null);
    const card = cards.get(String(event.active.id));
    // `over` follows the pointer one render late; the collisions are those of the drop itself.
    const to = columnOf(event.collisions?.[0]?.id ?? event.over?.id);
    if (card && to && to !== card.status) onDrop(card, to);
  }

  return (
    <DndContext
      sensors={sensors}
      accessibility={{
        announcements,
        screenReaderInstructions: {
          draggable: "To move a task, press Space, then Left or Right to choose a column, and Space to drop it.",
        },
      }}
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
      onDragCancel={() => carry(null)}
    >
      {children}
      <DragOverlay dropAnimation={null}>
        {dragging ? (
          <div className="sy-card sy-card-overlay">
            <code className="sy-task-id">{dragging.id}</code>
            <div className="sy-card-title">{dragging.title}</div>
          </div>
        ) : null}
      </DragOverlay>
    </DndContext>
  );
}
