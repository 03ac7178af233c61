import type { BoardCard, BoardResponse, PatchTaskBody } from "@switchyard/contract";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type BoardViewFilter, regroup } from "./board-cards.ts";
import { boardParam, unwrap, useApi } from "./client.tsx";
import { boardKeys } from "./keys.ts";
import { invalidateBoard } from "./task-detail.ts";

/** What the board's single keys change on a card besides its status (`a`, `p`, `e`). */
export type CardPatch = Pick<PatchTaskBody, "assignee" | "priority" | "title">;

export interface CardPatchRequest {
  id: string;
  patch: CardPatch;
}

/** The card as it will look once the server takes the patch (assignees are stored lower-case). */
export function patchCard(card: BoardCard, patch: CardPatch): BoardCard {
  const { assignee, priority, title } = patch;
  return {
    ...card,
    ...(assignee !== undefined ? { assignee: assignee?.trim() ? assignee.trim().toLowerCase() : null } : {}),
    ...(priority !== undefined ? { priority } : {}),
    ...(title !== undefined ? { title } : {}),
  };
}

/** The board with one card patched (and re-sorted, as a new priority moves it), before the server answers. */
export function patchOptimistically(board: BoardResponse, { id, patch }: CardPatchRequest): BoardResponse {
  const cards = board.columns.flatMap((c) => c.tasks);
  if (!cards.some((t) => t.id === id)) return board;
  return {
    ...board,
    columns: regroup(
      board,
      cards.map((t) => (t.id === id ? patchCard(t, patch) : t)),
    ),
  };
}

/**
 * `PATCH /tasks/:id` from the board's keys (assign, priority, title) for any card: shown at
 * once, rolled back when refused (the caller shows the server's reason), refetched after.
 */
export function usePatchCard(slug: string, view: BoardViewFilter) {
  const api = useApi();
  const queryClient = useQueryClient();
  const key = boardKeys.view(slug, view);
  return useMutation({
    mutationFn: ({ id, patch }: CardPatchRequest) =>
      unwrap(api.client.tasks[":id"].$patch({ param: { id }, query: boardParam(slug), json: patch })),
    onMutate: async (request) => {
      await queryClient.cancelQueries({ queryKey: key });
      const snapshot = queryClient.getQueryData<BoardResponse>(key);
      if (snapshot) queryClient.setQueryData<BoardResponse>(key, patchOptimistically(snapshot, request));
      return { snapshot };
    },
    onError: (_error, _request, context) => {
      if (context?.snapshot) queryClient.setQueryData(key, context.snapshot);
    },
    onSettled: () => invalidateBoard(queryClient, slug),
  });
}
