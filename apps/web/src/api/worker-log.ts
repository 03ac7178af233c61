import { queryOptions, useQuery } from "@tanstack/react-query";
import { type Api, boardParam, unwrap, useApi } from "./client.tsx";
import { boardKeys } from "./keys.ts";

/** How much of a worker log the drawer shows: its last 100 KB (reference §12). */
export const LOG_TAIL_BYTES = 100_000;

/** `GET /tasks/:id/log?tail=…`, kept under the task's key so the task's events refresh it. */
export function workerLogQuery(api: Api, slug: string, id: string) {
  return queryOptions({
    queryKey: [...boardKeys.task(slug, id), "log"] as const,
    queryFn: () =>
      unwrap(
        api.client.tasks[":id"].log.$get({
          param: { id },
          query: { ...boardParam(slug), tail: String(LOG_TAIL_BYTES) },
        }),
      ),
  });
}

export function useWorkerLog(slug: string, id: string) {
  return useQuery(workerLogQuery(useApi(), slug, id));
}
