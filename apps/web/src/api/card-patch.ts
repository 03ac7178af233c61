import type { BoardCard, BoardResponse, PatchTaskBody } from "@switchyard/contract";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { applyOwnChange } from "./apply-events.ts";
import type { BoardViewFilter } from "./board-cards.ts";
import { boardParam, unwrap, useApi } from "./client.tsx";
import { boardKeys } from "./keys.ts";
import { invalidateBoard, markWrite, settleOwnWrite } from "./own-writes.ts";

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

/**
 * `PATCH /tasks/:id` from the board's keys (assign, priority, title) for any card: shown at
 * once, rolled back when refused (the caller shows the server's reason); afterwards the answer
 * and the event update the board (`settleOwnWrite`).
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
      const mark = markWrite(queryClient, slug);
      const snapshot = queryClient.getQueryData<BoardResponse>(key);
      const card = snapshot?.columns.flatMap((c) => c.tasks).find((t) => t.id === request.id);
      // As the `assigned` event would: a running card's assignee moves it between the running counts.
      const unknowns =
        snapshot && card
          ? applyOwnChange(snapshot, view, request.id, undefined, patchCard(card, request.patch))
          : undefined;
      if (unknowns) queryClient.setQueryData<BoardResponse>(key, unknowns.board);
      return { snapshot, mark, unknowns };
    },
    onError: (_error, _request, context) => {
      if (context?.snapshot) queryClient.setQueryData(key, context.snapshot);
      return invalidateBoard(queryClient, slug);
    },
    onSuccess: ({ task }, _request, context) =>
      settleOwnWrite(api, queryClient, slug, context.mark, { tasks: [{ task }], unknowns: context.unknowns }),
  });
}
