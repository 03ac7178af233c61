import type { BoardCard, BoardResponse } from "@switchyard/contract";
import { type MouseEvent, useCallback, useMemo, useState } from "react";
import type { BoardViewFilter } from "../../api/apply-events.ts";
import { useBoard } from "../../api/board.ts";
import { errorMessage } from "../../api/errors.ts";
import { type CardFilter, matchesFilter } from "../../lib/filter.ts";
import { serverNow } from "../../lib/time.ts";
import { useNow } from "../../lib/use-now.ts";
import { BoardColumns } from "./board-columns.tsx";
import { BoardDnd } from "./board-dnd.tsx";
import { BulkBar } from "./bulk-bar.tsx";
import { MoveDialog } from "./move-dialog.tsx";
import { MoveMenu } from "./move-menu.tsx";
import { useBoardActions } from "./use-board-actions.ts";
import { useBoardKeys } from "./use-board-keys.ts";
import { useInlineCreate } from "./use-inline-create.ts";
import { useSelection } from "./use-selection.ts";

export interface BoardPageProps {
  slug: string;
  /** Server-side filters (tenant, archived). */
  view: BoardViewFilter;
  /** Client-side filters (search, assignee). */
  filter: CardFilter;
  lanes: boolean;
  onOpenTask(id: string): void;
}

/** The board: bulk bar, columns with their cards, drag and drop, and the keyboard (reference §12). */
export function BoardPage(props: BoardPageProps) {
  const board = useBoard(props.slug, props.view);
  if (board.data) return <BoardContent {...props} data={board.data} />;
  if (board.isError) {
    return (
      <p className="sy-fatal" role="alert">
        Failed to load board: {errorMessage(board.error)}
      </p>
    );
  }
  return <p className="sy-loading">Loading board…</p>;
}

function BoardContent({ slug, view, filter, lanes, onOpenTask, data }: BoardPageProps & { data: BoardResponse }) {
  const clientNow = useNow();
  // The server's clock, advanced by the time elapsed here since it last said what time it was.
  const fetchedAt = useMemo(() => (data.now ? Date.now() : 0), [data.now]);
  const now = serverNow(data.now, fetchedAt, clientNow);

  const all = useMemo(() => new Map(data.columns.flatMap((c) => c.tasks.map((t) => [t.id, t] as const))), [data]);
  const present = useMemo(() => new Set(all.keys()), [all]);
  const columns = useMemo(
    () => data.columns.map((c) => ({ status: c.name, cards: c.tasks.filter((t) => matchesFilter(t, filter)) })),
    [data, filter],
  );
  const selection = useSelection(present);
  const actions = useBoardActions(slug, view, selection);
  const create = useInlineCreate(slug);
  const [moving, setMoving] = useState<BoardCard | null>(null);

  const nav = useMemo(() => columns.map((c) => ({ status: c.status, ids: c.cards.map((t) => t.id) })), [columns]);
  const keys = useBoardKeys({
    columns: nav,
    openTask: onOpenTask,
    toggleSelect: selection.toggle,
    openMoveMenu: (id) => setMoving(all.get(id) ?? null),
    startCreate: create.open,
    clearSelection: selection.clear,
  });

  const { toggle, toggleOnly } = selection;
  const onActivate = useCallback(
    (card: BoardCard, event: MouseEvent) => {
      if (event.metaKey || event.ctrlKey) toggle(card.id);
      else if (event.shiftKey) toggleOnly(card.id);
      else onOpenTask(card.id);
    },
    [toggle, toggleOnly, onOpenTask],
  );

  const profiles = useMemo(
    () => [...new Set([...(data.profiles ?? []).map((p) => p.name), ...data.assignees])].sort(),
    [data.profiles, data.assignees],
  );

  return (
    <>
      {selection.ids.length > 0 ? (
        <BulkBar
          count={selection.ids.length}
          profiles={profiles}
          pending={actions.bulkPending}
          onReady={actions.bulkReady}
          onComplete={actions.bulkComplete}
          onArchive={actions.bulkArchive}
          onReassign={actions.bulkReassign}
          onClear={selection.clear}
        />
      ) : null}
      <BoardDnd cards={all} onDrop={actions.requestMove}>
        <BoardColumns
          columns={columns}
          allCards={all}
          facts={data}
          now={now}
          lanes={lanes}
          selection={selection}
          create={create}
          focusId={keys.focusId}
          focusToken={keys.focusToken}
          onFocusCard={keys.onFocusCard}
          onActivate={onActivate}
          onOpen={onOpenTask}
        />
      </BoardDnd>
      {moving ? (
        <MoveMenu
          card={moving}
          onClose={() => setMoving(null)}
          onChoose={(to) => {
            setMoving(null);
            actions.requestMove(moving, to);
          }}
        />
      ) : null}
      {actions.confirm ? (
        <MoveDialog
          to={actions.confirm.to}
          subject={actions.confirm.kind === "move" ? "this task" : `${actions.confirm.ids.length} task(s)`}
          onConfirm={actions.confirmPending}
          onCancel={actions.cancelConfirm}
        />
      ) : null}
    </>
  );
}
