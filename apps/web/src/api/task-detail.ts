import type { CommentBody, PatchTaskBody, TaskDetail } from "@switchyard/contract";
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { fetchTaskDetail } from "./board.ts";
import { type Api, boardParam, unwrap, useApi } from "./client.tsx";
import { boardKeys } from "./keys.ts";
import { invalidateBoard, markWrite, ownWrite, settleOwnWrite } from "./own-writes.ts";

/**
 * `GET /tasks/:id` for the drawer. Its key sits under the board's (`boardKeys.task`), so the
 * live stream refreshes it when an event for the task arrives, and any board invalidation
 * reaches it too.
 */
export function taskDetailQuery(api: Api, slug: string, id: string) {
  return queryOptions({
    queryKey: boardKeys.task(slug, id),
    queryFn: () => fetchTaskDetail(api, slug, id),
  });
}

export function useTaskDetail(slug: string, id: string) {
  return useQuery(taskDetailQuery(useApi(), slug, id));
}

/** The fields of a PATCH that can be shown before the server answers. */
function optimisticTask(detail: TaskDetail, patch: PatchTaskBody): TaskDetail {
  const { title, body, assignee, priority, max_retries } = patch;
  return {
    ...detail,
    task: {
      ...detail.task,
      ...(title !== undefined ? { title } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(assignee !== undefined ? { assignee: assignee?.trim() ? assignee.trim().toLowerCase() : null } : {}),
      ...(priority !== undefined ? { priority } : {}),
      ...(max_retries !== undefined ? { max_retries } : {}),
    },
  };
}

/**
 * `PATCH /tasks/:id` from the drawer (title, body, assignee, priority, max retries, status): shown at once,
 * rolled back with the server's reason on refusal; the answer and the event update the board.
 */
export function usePatchTask(slug: string, id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const key = boardKeys.task(slug, id);
  return useMutation({
    mutationFn: (patch: PatchTaskBody) =>
      unwrap(api.client.tasks[":id"].$patch({ param: { id }, query: boardParam(slug), json: patch })),
    onMutate: async (patch) => {
      await queryClient.cancelQueries({ queryKey: key });
      const snapshot = queryClient.getQueryData<TaskDetail>(key);
      if (snapshot) queryClient.setQueryData<TaskDetail>(key, optimisticTask(snapshot, patch));
      return { snapshot, mark: markWrite(queryClient, slug) };
    },
    onError: (_error, _patch, context) => {
      if (context?.snapshot) queryClient.setQueryData(key, context.snapshot);
      return invalidateBoard(queryClient, slug);
    },
    onSuccess: ({ task }, _patch, context) =>
      settleOwnWrite(api, queryClient, slug, context.mark, { tasks: [{ task }] }),
  });
}

/** `POST /tasks/:id/comments` as the dashboard. */
export function useAddComment(slug: string, id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: string) =>
      unwrap(
        api.client.tasks[":id"].comments.$post({
          param: { id },
          query: boardParam(slug),
          json: { body } satisfies Partial<CommentBody>,
        }),
      ),
    ...ownWrite(api, queryClient, slug),
  });
}
