import { type BoardResponse, EventsMessage, type TaskEvent } from "@switchyard/contract";
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { applyEvents } from "./apply-events.ts";
import { fetchTaskDetail } from "./board.ts";
import type { BoardViewFilter } from "./board-cards.ts";
import { type Api, type LiveSocket, useApi } from "./client.tsx";
import { changesBoardCounts } from "./count-events.ts";
import { boardKeys, boardsKeys } from "./keys.ts";
import { mergeTaskDetail } from "./merge-task.ts";

export type LiveStatus = "connecting" | "live" | "reconnecting" | "auth-failed";

/** The first events of a burst wait this long for the rest (reference §12: 250 ms). */
export const BURST_MS = 250;
/**
 * The board switcher's counts (`GET /boards`) are refetched at most this often while events
 * that change them stream in: the first such event schedules one refetch, later ones join it.
 */
export const BOARDS_REFRESH_MS = 1000;
/** Past this many cards to refetch one by one, one board refetch is cheaper. */
export const MAX_TASK_REFETCHES = 20;
/** Recent events kept to re-apply over a board fetched while they streamed in. */
const REPLAY_LIMIT = 500;

export const AUTH_FAILED_MESSAGE = "WebSocket auth failed — reload the page to sign in again.";

interface Stream {
  dispose(): void;
}

/**
 * Keeps one board view's cache live from the event stream: applies each burst with
 * `applyEvents`, refetches only the cards the events could not describe, reconnects with
 * backoff from the last cursor, and stops for good on a 1008 close.
 */
function openStream(
  api: Api,
  queryClient: QueryClient,
  slug: string,
  view: BoardViewFilter,
  since: number,
  onStatus: (status: LiveStatus) => void,
): Stream {
  const key = boardKeys.view(slug, view);
  let cursor = since;
  let socket: LiveSocket | null = null;
  let attempt = 0;
  let disposed = false;
  let queue: TaskEvent[] = [];
  let recent: TaskEvent[] = [];
  let burst: ReturnType<typeof setTimeout> | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let boardsRefresh: ReturnType<typeof setTimeout> | null = null;

  const refetchTasks = async (ids: Set<string>, progress: Map<string, number>) => {
    await Promise.all(
      [...ids].map(async (id) => {
        try {
          const detail = await fetchTaskDetail(api, slug, id);
          queryClient.setQueryData<BoardResponse>(key, (board) =>
            board ? mergeTaskDetail(board, detail, view, progress.get(id) ?? 0) : board,
          );
        } catch {
          // A task deleted or unreadable since: the next board fetch settles it.
          await queryClient.invalidateQueries({ queryKey: key });
        }
      }),
    );
  };

  const flush = () => {
    burst = null;
    const events = queue;
    queue = [];
    const board = queryClient.getQueryData<BoardResponse>(key);
    if (!board || events.length === 0) return;
    const patch = applyEvents(board, events, view);
    queryClient.setQueryData(key, patch.board);
    for (const id of new Set(events.map((e) => e.task_id))) {
      void queryClient.invalidateQueries({ queryKey: boardKeys.task(slug, id) });
    }
    if (patch.reload || patch.refetch.size > MAX_TASK_REFETCHES) {
      void queryClient.invalidateQueries({ queryKey: key });
    } else if (patch.refetch.size > 0) {
      void refetchTasks(patch.refetch, patch.progress);
    }
  };

  const onMessage = (data: unknown) => {
    let json: unknown;
    try {
      json = JSON.parse(String(data));
    } catch {
      return;
    }
    const message = EventsMessage.safeParse(json);
    if (!message.success) return;
    cursor = Math.max(cursor, message.data.cursor);
    queue.push(...message.data.events);
    recent = [...recent, ...message.data.events].slice(-REPLAY_LIMIT);
    burst ??= setTimeout(flush, BURST_MS);
    if (changesBoardCounts(message.data.events)) {
      boardsRefresh ??= setTimeout(() => {
        boardsRefresh = null;
        void queryClient.invalidateQueries({ queryKey: boardsKeys.list });
      }, BOARDS_REFRESH_MS);
    }
  };

  const connect = () => {
    if (disposed) return;
    onStatus(attempt === 0 ? "connecting" : "reconnecting");
    const s = api.openSocket(api.eventsUrl(slug, cursor));
    socket = s;
    s.onopen = () => {
      attempt = 0;
      onStatus("live");
    };
    s.onmessage = (event) => onMessage(event.data);
    s.onclose = (event) => {
      if (disposed || socket !== s) return;
      socket = null;
      if (event.code === 1008) {
        onStatus("auth-failed");
        return;
      }
      onStatus("reconnecting");
      retry = setTimeout(connect, api.reconnectDelay(attempt));
      attempt += 1;
    };
  };

  // A board fetched while events streamed in may predate some of them: re-apply those.
  const unsubscribe = queryClient.getQueryCache().subscribe((event) => {
    if (event.type !== "updated" || event.action.type !== "success" || event.action.manual) return;
    if (JSON.stringify(event.query.queryKey) !== JSON.stringify(key)) return;
    const board = event.query.state.data as BoardResponse | undefined;
    if (!board) return;
    const missed = recent.filter((e) => e.id > board.latest_event_id);
    if (missed.length > 0) queryClient.setQueryData(key, applyEvents(board, missed, view).board);
  });

  connect();
  return {
    dispose() {
      disposed = true;
      unsubscribe();
      if (burst) clearTimeout(burst);
      if (retry) clearTimeout(retry);
      // A refetch of the switcher's counts that was waiting happens now, not never.
      if (boardsRefresh) {
        clearTimeout(boardsRefresh);
        void queryClient.invalidateQueries({ queryKey: boardsKeys.list });
      }
      socket?.close(1000, "board closed");
      socket = null;
    },
  };
}

/**
 * Subscribes the shown board to the live stream once it has loaded; switching board or filter
 * closes the stream and opens a new one from that board's `latest_event_id`. Switching board
 * also refetches the board switcher's counts: no stream watched the new board's until now.
 */
export function useLiveBoard(slug: string, view: BoardViewFilter, loaded: boolean): LiveStatus {
  const api = useApi();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const tenant = view.tenant;
  const includeArchived = view.includeArchived;
  const shown = useRef(slug);

  useEffect(() => {
    if (shown.current === slug) return;
    shown.current = slug;
    void queryClient.invalidateQueries({ queryKey: boardsKeys.list });
  }, [queryClient, slug]);

  useEffect(() => {
    if (!loaded) return;
    const filter = { tenant, includeArchived };
    const board = queryClient.getQueryData<BoardResponse>(boardKeys.view(slug, filter));
    const stream = openStream(api, queryClient, slug, filter, board?.latest_event_id ?? 0, setStatus);
    return () => stream.dispose();
  }, [api, queryClient, slug, tenant, includeArchived, loaded]);

  return status;
}
