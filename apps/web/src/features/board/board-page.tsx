import type { BoardCard, BoardResponse } from "@switchyard/contract";
import { type MouseEvent, useCallback, useState } from "react";
import { useBoard } from "../../api/board.ts";
import type { BoardViewFilter } from "../../api/board-cards.ts";
import { errorMessage } from "../../api/errors.ts";
import { columnOf, nextFocus } from "../../lib/board-nav.ts";
import type { CardFilter } from "../../lib/filter.ts";
import { useNotice } from "../../lib/notices.tsx";
import { BoardColumns } from "./board-columns.tsx";
import { BoardDnd } from "./board-dnd.tsx";
import { BulkBar } from "./bulk-bar.tsx";
import { CreateTaskDialog } from "./create-task-dialog.tsx";
import { MoveDialog } from "./move-dialog.tsx";
import { type PickerKind, type TaskKey, TaskPicker } from "./task-pickers.tsx";
import { useBoardActions } from "./use-board-actions.ts";
import { useBoardKeys } from "./use-board-keys.ts";
import { useBoardModel } from "./use-board-model.ts";
import { useCardEdits } from "./use-card-edits.ts";
import { useInlineCreate } from "./use-inline-create.ts";
import { useSelection } from "./use-selection.ts";
import { useUndo } from "./use-undo.ts";

export interface BoardPageProps {
  slug: string;
  /** Server-side filters (tenant, archived). */
  view: BoardViewFilter;
  /** Client-side filters (search, assignee). */
  filter: CardFilter;
  lanes: boolean;
  /** The task whose drawer is open: the single keys act on it, and j/k step through its column. */
  openTaskId?: string | null;
  onOpenTask(id: string): void;
}

/** The board: bulk bar, columns with their cards, drag and drop, and the keyboard (reference §12). */
export function BoardPage(props: BoardPageProps) {
  const board = useBoard(props.slug, props.view);
  if (board.data) return <BoardContent {...props} data={board.data} />;
  return board.isError ? (
    <p className="sy-fatal" role="alert">
      Failed to load board: {errorMessage(board.error, "loading the board")}
    </p>
  ) : (
    <p className="sy-loading">Loading board…</p>
  );
}

function BoardContent({
  slug,
  view,
  filter,
  lanes,
  openTaskId = null,
  onOpenTask,
  data,
}: BoardPageProps & { data: BoardResponse }) {
  const { all, present, columns, nav, profiles, now } = useBoardModel(data, filter, lanes);
  const selection = useSelection(present);
  const undo = useUndo();
  const actions = useBoardActions(slug, view, selection, all, undo);
  const edits = useCardEdits(slug, view, undo);
  const create = useInlineCreate(slug);
  const notice = useNotice();
  const [picking, setPicking] = useState<{ kind: PickerKind; id: string } | null>(null);
  const [creating, setCreating] = useState<{ triage: boolean } | null>(null);

  function act(kind: TaskKey, id: string) {
    const card = all.get(id);
    if (!card) {
      notice.show(`${id} is not on the board shown (archived, or of another tenant).`, { key: `task:${id}` });
      return;
    }
    if (kind === "open") onOpenTask(id);
    else if (kind === "select") selection.toggle(id);
    else if (kind === "archive") {
      // The card leaves its column: focus goes on to its neighbour, as in a list.
      const after = nextFocus(nav, id, "next");
      const neighbour = after !== id ? after : nextFocus(nav, id, "prev");
      if (!openTaskId && neighbour && neighbour !== id) keys.focusCard(neighbour);
      actions.archive(card);
    } else setPicking({ kind, id });
  }

  const keys = useBoardKeys({
    columns: nav,
    openId: openTaskId,
    openTask: onOpenTask,
    selection,
    act,
    startCreate: () => setCreating({ triage: keys.focusId !== null && all.get(keys.focusId)?.status === "triage" }),
    undo: undo.undoLast,
  });

  const { toggle, extend, anchorAt } = selection;
  const onActivate = useCallback(
    (card: BoardCard, event: MouseEvent) => {
      if (event.metaKey || event.ctrlKey) toggle(card.id);
      else if (event.shiftKey) extend(card.id, columnOf(nav, card.id)?.ids ?? [card.id]);
      else {
        anchorAt(card.id);
        onOpenTask(card.id);
      }
    },
    [toggle, extend, anchorAt, nav, onOpenTask],
  );

  const picked = picking ? all.get(picking.id) : undefined;
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
      {picking && picked ? (
        <TaskPicker
          kind={picking.kind}
          card={picked}
          profiles={profiles}
          onClose={() => setPicking(null)}
          onAssign={(card, assignee) => edits.assign(card, assignee)}
          onPriority={(card, priority) => edits.setPriority(card, priority)}
          onMove={actions.requestMove}
          onRename={edits.rename}
          onAction={(kind, card) => act(kind, card.id)}
        />
      ) : null}
      {creating ? (
        <CreateTaskDialog
          slug={slug}
          tasks={[...all.values()]}
          profiles={profiles}
          triage={creating.triage}
          onClose={() => setCreating(null)}
        />
      ) : null}
      {actions.confirm ? (
        <MoveDialog
          to={actions.confirm.to}
          subject={actions.confirm.kind === "move" ? "this task" : `${actions.confirm.ids.length} task(s)`}
          sending={actions.confirmState.sending}
          refusal={actions.confirmState.refusal}
          onConfirm={actions.confirmPending}
          onCancel={actions.cancelConfirm}
        />
      ) : null}
    </>
  );
}
