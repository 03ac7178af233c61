import type {
  BoardResponse,
  BulkBody,
  BulkResult,
  CreateBoardBody,
  CreateTaskBody,
  CreateTaskResponse,
  PatchTaskBody,
  TaskStatus,
} from "@switchyard/contract";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { applyOwnChange } from "./apply-events.ts";
import type { BoardViewFilter } from "./board-cards.ts";
import { boardParam, unwrap, useApi } from "./client.tsx";
import { boardKeys, boardsKeys } from "./keys.ts";
import { invalidateBoard, markWrite, ownWrite, settleOwnWrite } from "./own-writes.ts";

export interface MoveRequest {
  id: string;
  to: TaskStatus;
  /** Required for done: sent as both result and summary (reference §12). */
  summary?: string;
  /** For blocked. */
  reason?: string;
}

/** The PATCH body of a move. */
export function moveBody(move: MoveRequest): PatchTaskBody {
  switch (move.to) {
    case "done":
      return { status: "done", result: move.summary ?? null, summary: move.summary ?? null };
    case "blocked":
      return { status: "blocked", ...(move.reason ? { block_reason: move.reason } : {}) };
    default:
      return { status: move.to };
  }
}

/** The board with a card shown in its new column, at the top (reference §12), before the server answers. */
export function moveOptimistically(board: BoardResponse, id: string, to: TaskStatus): BoardResponse {
  const card = board.columns.flatMap((c) => c.tasks).find((t) => t.id === id);
  if (!card) return board;
  return {
    ...board,
    columns: board.columns.map((column) => {
      const rest = column.tasks.filter((t) => t.id !== id);
      return column.name === to ? { ...column, tasks: [{ ...card, status: to }, ...rest] } : { ...column, tasks: rest };
    }),
  };
}

/**
 * Moves a card (drag, keyboard or menu): shown at once (with what the move means for the rest
 * of the board: parents' waits, running counts), rolled back with the server's reason when
 * refused (e.g. a move to ready with unfinished parents, or to running); afterwards the answer
 * and the event update the board (`settleOwnWrite`), with no board refetch while the stream is live.
 */
export function useMoveTask(slug: string, view: BoardViewFilter) {
  const api = useApi();
  const queryClient = useQueryClient();
  const key = boardKeys.view(slug, view);
  return useMutation({
    mutationFn: (move: MoveRequest) =>
      unwrap(
        api.client.tasks[":id"].$patch({
          param: { id: move.id },
          query: boardParam(slug),
          json: moveBody(move),
        }),
      ),
    onMutate: async (move) => {
      await queryClient.cancelQueries({ queryKey: key });
      const mark = markWrite(queryClient, slug);
      const snapshot = queryClient.getQueryData<BoardResponse>(key);
      const unknowns = snapshot ? applyOwnChange(snapshot, view, move.id, move.to) : undefined;
      if (unknowns) queryClient.setQueryData<BoardResponse>(key, moveOptimistically(unknowns.board, move.id, move.to));
      return { snapshot, mark, unknowns };
    },
    onError: (_error, _move, context) => {
      if (context?.snapshot) queryClient.setQueryData(key, context.snapshot);
      return invalidateBoard(queryClient, slug);
    },
    onSuccess: ({ task }, _move, context) =>
      settleOwnWrite(api, queryClient, slug, context.mark, { tasks: [{ task }], unknowns: context.unknowns }),
  });
}

/** `POST /tasks/bulk`: each id on its own; the answer says which failed. */
export function useBulkUpdate(slug: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: BulkBody): Promise<BulkResult> =>
      unwrap(api.client.tasks.bulk.$post({ query: boardParam(slug), json: body })),
    ...ownWrite(api, queryClient, slug),
  });
}

/** `POST /tasks`; the answer may carry a warning (e.g. no dispatcher will start it). */
export function useCreateTask(slug: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateTaskBody): Promise<CreateTaskResponse> =>
      unwrap(api.client.tasks.$post({ query: boardParam(slug), json: body })),
    ...ownWrite(api, queryClient, slug, ({ task }: CreateTaskResponse, body: CreateTaskBody) => ({
      tasks: [{ task, parents: body.parents ?? [] }],
    })),
  });
}

/** "Nudge dispatcher": one tick now (`POST /dispatch?max=8`), then a reload. */
export function useNudgeDispatcher(slug: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.client.dispatch.$post({ query: { ...boardParam(slug), max: "8" } })),
    onSettled: () => invalidateBoard(queryClient, slug),
  });
}

/** "Refresh": refetches everything shown for the board. */
export function useRefreshBoard(slug: string): () => Promise<unknown> {
  const queryClient = useQueryClient();
  return useCallback(() => invalidateBoard(queryClient, slug), [queryClient, slug]);
}

/** `POST /boards`. */
export function useCreateBoard() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateBoardBody) => unwrap(api.client.boards.$post({ json: body })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: boardsKeys.list }),
  });
}

/** `DELETE /boards/:slug`: archives the board (its file is kept). */
export function useArchiveBoard() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (slug: string) => unwrap(api.client.boards[":slug"].$delete({ param: { slug }, query: {} })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: boardsKeys.list }),
  });
}
