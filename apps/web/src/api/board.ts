import type { BoardResponse, BoardsResponse, DashboardSettings, TaskDetail } from "@switchyard/contract";
import { queryOptions, useQuery } from "@tanstack/react-query";
import type { BoardViewFilter } from "./board-cards.ts";
import { type Api, boardParam, unwrap, useApi } from "./client.tsx";
import { boardKeys, boardsKeys, configKeys } from "./keys.ts";

/** `GET /board` for one board and one server-side filter (tenant, archived). */
export function boardQuery(api: Api, slug: string, view: BoardViewFilter) {
  return queryOptions({
    queryKey: boardKeys.view(slug, view),
    queryFn: (): Promise<BoardResponse> =>
      unwrap(
        api.client.board.$get({
          query: {
            ...boardParam(slug),
            ...(view.tenant ? { tenant: view.tenant } : {}),
            ...(view.includeArchived ? { include_archived: "true" } : {}),
          },
        }),
      ),
    // Live events keep the board fresh; a refetch happens on demand (Refresh) or after a change.
    staleTime: Number.POSITIVE_INFINITY,
    // While a new filter loads, the same board's cards stay up; another board's never do.
    placeholderData: (previous, previousQuery) => (previousQuery?.queryKey[1] === slug ? previous : undefined),
  });
}

export function useBoard(slug: string, view: BoardViewFilter) {
  return useQuery(boardQuery(useApi(), slug, view));
}

/** `GET /tasks/:id`: what the live stream refetches for a card the events could not describe. */
export function fetchTaskDetail(api: Api, slug: string, id: string): Promise<TaskDetail> {
  return unwrap(api.client.tasks[":id"].$get({ param: { id }, query: boardParam(slug) }));
}

export function boardsQuery(api: Api) {
  return queryOptions({
    queryKey: boardsKeys.list,
    queryFn: (): Promise<BoardsResponse> => unwrap(api.client.boards.$get({ query: {} })),
  });
}

/** `GET /boards`: every board with its counts, for the switcher. */
export function useBoards() {
  return useQuery(boardsQuery(useApi()));
}

export function configQuery(api: Api) {
  return queryOptions({
    queryKey: configKeys.dashboard,
    queryFn: (): Promise<DashboardSettings> => unwrap(api.client.config.$get({ query: {} })),
    staleTime: Number.POSITIVE_INFINITY,
    // A failed read is not retried by every component that mounts it: the page goes on with the
    // built-in defaults (the first-run panel mounting it again would otherwise send the page
    // back to "Loading board…" in a loop), and the reconnect reloads it.
    retryOnMount: false,
  });
}

/** `GET /config`: the dashboard's defaults (tenant, lanes, archived), read once. */
export function useDashboardConfig() {
  return useQuery(configQuery(useApi()));
}
