import type { BoardCard, BoardResponse } from "@switchyard/contract";
import { type MouseEvent, type ReactNode, useCallback, useState } from "react";
import { useBoard } from "../../api/board.ts";
import type { BoardViewFilter } from "../../api/board-cards.ts";
import { errorMessage } from "../../api/errors.ts";
import type { CardFilter } from "../../lib/filter.ts";
import { BoardColumns } from "./board-columns.tsx";
import { BoardDnd } from "./board-dnd.tsx";
import { BulkBar } from "./bulk-bar.tsx";
import { MoveDialog } from "./move-dialog.tsx";
import { MoveMenu } from "./move-menu.tsx";
import { useBoardActions } from "./use-board-actions.ts";
import { useBoardKeys } from "./use-board-keys.ts";
import { useBoardModel } from "./use-board-model.ts";
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
  /** The page's error line, shown under the bulk bar (reference §12 layout). */
  errorLine?: ReactNode;
}

/** The board: bulk bar, columns with their cards, drag and drop, and the keyboard (reference §12). */
export function BoardPage(props: BoardPageProps) {
  const board = useBoard(props.slug, props.view);
  if (board.data) return <BoardContent {...props} data={board.data} />;
  return (
    <>
      {props.errorLine}
      {board.isError ? (
        <p className="sy-fatal" role="alert">
          Failed to load board: {errorMessage(board.error)}
        </p>
      ) : (
        <p className="sy-loading">Loading board…</p>
      )}
    </>
  );
}

function BoardContent({
  slug,
  view,
  filter,
  lanes,
  onOpenTask,
  errorLine,
  data,
}: BoardPageProps & { data: BoardResponse }) {
  const { all, present, columns, nav, profiles, now } = useBoardModel(data, filter, lanes);
  const selection = useSelection(present);
  const actions = useBoardActions(slug, view, selection, all);
  const create = useInlineCreate(slug);
  const [moving, setMoving] = useState<BoardCard | null>(null);

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
      {errorLine}
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
