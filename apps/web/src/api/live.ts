import { type BoardResponse, EventsMessage, type TaskEvent } from "@switchyard/contract";
import { type Query, type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { ACTIVITY_BACKLOG, activityLog } from "./activity.ts";
import { applyEvents } from "./apply-events.ts";
import { fetchTaskDetail } from "./board.ts";
import type { BoardViewFilter } from "./board-cards.ts";
import { type Api, type LiveSocket, useApi } from "./client.tsx";
import { changesBoardCounts } from "./count-events.ts";
import { boardKeys, boardsKeys } from "./keys.ts";
import { mergeTaskDetail } from "./merge-task.ts";
import { trackStream } from "./own-writes.ts";

export type LiveState = "connecting" | "live" | "reconnecting" | "auth-failed";

export interface LiveStatus {
  state: LiveState;
  /** While reconnecting: which attempt in a row is under way or next (1 for the first); else 0. */
  attempt: number;
}

export const CONNECTING: LiveStatus = { state: "connecting", attempt: 0 };

/**
 * Live events are applied at the next animation frame: a lone event at once, and the events of
 * a burst that arrive within one frame together (one cache update, one render). A page in the
 * background gets no frames; there the events wait at most this long.
 */
export const FRAME_FALLBACK_MS = 100;
/** After a reconnect, the replay is waited for until it has been quiet this long. */
export const CATCH_UP_QUIET_MS = 250;
/**
 * The board switcher's counts (`GET /boards`) are refetched at most this often while events
 * that change them stream in: the first such event schedules one refetch, later ones join it.
 */
export const BOARDS_REFRESH_MS = 1000;
/**
 * The fleet figures (`GET /fleet`, any window) are refetched at most this often while events
 * stream in: the first applied burst refetches at once, later ones within this time join one
 * refetch at its end. Only a fleet page on screen refetches; others are marked stale.
 */
export const FLEET_REFRESH_MS = 1000;
/** Past this many cards to refetch one by one, one board refetch is cheaper. */
export const MAX_TASK_REFETCHES = 20;
/** Recent events kept to re-apply over a board fetched while they streamed in. */
const REPLAY_LIMIT = 500;

export const AUTH_FAILED_MESSAGE = "WebSocket auth failed — reload the page to sign in again.";

/**
 * A catch-up bigger than this many events is not patched in: the board is refetched once
 * instead (a long outage on a busy board; the board answers in one request what the events
 * would tell card by card).
 */
export const MAX_CATCH_UP_EVENTS = REPLAY_LIMIT;
/** After a reconnect, the replay is waited for until it has been quiet for `CATCH_UP_QUIET_MS`, but no longer than this. */
const CATCH_UP_WAIT_MS = 2000;

/** A flush waiting for the next frame (or, in a page without frames, for the fallback timer). */
interface Burst {
  frame: number | null;
  timer: ReturnType<typeof setTimeout>;
}

/** Runs `fn` once, at the next animation frame or after `FRAME_FALLBACK_MS`, whichever comes first. */
function nextFrame(fn: () => void): Burst {
  const burst: Burst = { frame: null, timer: setTimeout(() => run(), FRAME_FALLBACK_MS) };
  const run = () => {
    cancelBurst(burst);
    fn();
  };
  if (typeof requestAnimationFrame === "function") burst.frame = requestAnimationFrame(run);
  return burst;
}

function cancelBurst(burst: Burst | null): void {
  if (!burst) return;
  clearTimeout(burst.timer);
  if (burst.frame !== null && typeof cancelAnimationFrame === "function") cancelAnimationFrame(burst.frame);
}

interface StreamHandlers {
  onStatus(status: LiveStatus): void;
  /** After a reconnect: what was missed is on screen (replayed from the cursor, or refetched). */
  onCaughtUp(): void;
}

interface Stream {
  /** Reconnects at once if the stream is waiting to (the browser is back online, or a person asked). */
  reconnectNow(): void;
  dispose(): void;
}

/**
 * Keeps one board view's cache live from the event stream: applies each burst with
 * `applyEvents`, refetches only the cards the events could not describe, feeds the board's
 * activity log and refreshes the fleet figures (at most once per `FLEET_REFRESH_MS`). A lost connection is retried for as long as the page shows the board, backing
 * off to the API's cap; once back, the stream replays from its cursor what was missed, anything
 * that failed to load while away is loaded again, and `onCaughtUp` says so. Only a 1008 close
 * (auth) stops it for good.
 */
function openStream(
  api: Api,
  queryClient: QueryClient,
  slug: string,
  view: BoardViewFilter,
  board: BoardResponse | undefined,
  handlers: StreamHandlers,
): Stream {
  const key = boardKeys.view(slug, view);
  const activity = activityLog(queryClient, slug);
  const latest = board?.latest_event_id ?? 0;
  /** Events up to here are in the cached board already; older ones are replayed for the activity feed only. */
  const known = latest;
  let cursor = Math.min(latest, Math.max(latest - ACTIVITY_BACKLOG, activity.newest));
  /** Tells the dashboard's own writes whether the stream is live and what it has applied. */
  const tracked = trackStream(queryClient, slug, view, latest);
  let socket: LiveSocket | null = null;
  let attempt = 0;
  let lost = false;
  let disposed = false;
  let queue: TaskEvent[] = [];
  let recent: TaskEvent[] = [];
  let burst: Burst | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let boardsRefresh: ReturnType<typeof setTimeout> | null = null;
  let fleetRefresh: ReturnType<typeof setTimeout> | null = null;
  let fleetRefreshedAt = Number.NEGATIVE_INFINITY;
  const refreshFleet = () => {
    if (fleetRefresh) return;
    fleetRefresh = setTimeout(
      () => {
        fleetRefresh = null;
        fleetRefreshedAt = Date.now();
        void queryClient.invalidateQueries({ queryKey: boardKeys.fleets(slug) });
      },
      Math.max(0, fleetRefreshedAt + FLEET_REFRESH_MS - Date.now()),
    );
  };
  /** After a reconnect, until the replay has gone quiet: how many events it brought. */
  let catchUp: { events: number; deadline: number; settle: ReturnType<typeof setTimeout> } | null = null;

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

  /** Applies the queued burst; resolves once the refetches it needed are done. */
  const flush = (): Promise<unknown> => {
    cancelBurst(burst);
    burst = null;
    const events = queue;
    queue = [];
    const board = queryClient.getQueryData<BoardResponse>(key);
    if (!board || events.length === 0) return Promise.resolve();
    const patch = applyEvents(board, events, view);
    queryClient.setQueryData(key, patch.board);
    tracked.applied(events);
    refreshFleet();
    for (const id of new Set(events.map((e) => e.task_id))) {
      void queryClient.invalidateQueries({ queryKey: boardKeys.task(slug, id) });
    }
    if (patch.reload || patch.refetch.size > MAX_TASK_REFETCHES)
      return queryClient.invalidateQueries({ queryKey: key });
    if (patch.refetch.size > 0) return refetchTasks(patch.refetch, patch.progress);
    return Promise.resolve();
  };

  /** The replay after a reconnect has gone quiet: apply it (or refetch once), reload what failed while away, say so. */
  const finishCatchUp = async () => {
    const events = catchUp?.events ?? 0;
    catchUp = null;
    const work: Promise<unknown>[] = [];
    if (events > MAX_CATCH_UP_EVENTS) {
      queue = [];
      cancelBurst(burst);
      burst = null;
      work.push(queryClient.invalidateQueries({ queryKey: key }));
      refreshFleet();
    } else {
      work.push(flush());
    }
    // A refetch that failed while the server was away (the board after a failed action, the
    // switcher's counts, an open task) is loaded again now, once.
    // A query refetched just above is not asked for twice.
    const failed = (query: Query) => query.state.status === "error" || query.state.isInvalidated;
    const once = { cancelRefetch: false };
    work.push(
      queryClient.invalidateQueries({ queryKey: boardKeys.board(slug), predicate: failed }, once),
      queryClient.invalidateQueries({ queryKey: boardsKeys.list, predicate: failed }, once),
    );
    await Promise.all(work).catch(() => {});
    if (!disposed && socket !== null) {
      tracked.setLive(true);
      handlers.onCaughtUp();
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
    activity.add(message.data.events);
    const fresh = message.data.events.filter((e) => e.id > known);
    if (fresh.length === 0) return;
    queue.push(...fresh);
    recent = [...recent, ...fresh].slice(-REPLAY_LIMIT);
    if (catchUp) {
      // The replay comes as one quick series of messages: wait until it stops (a busy board's
      // live events right behind it do not hold the catch-up back past its deadline).
      catchUp.events += fresh.length;
      if (Date.now() < catchUp.deadline) {
        clearTimeout(catchUp.settle);
        catchUp.settle = setTimeout(() => void finishCatchUp(), CATCH_UP_QUIET_MS);
      }
    } else {
      burst ??= nextFrame(() => void flush());
    }
    if (changesBoardCounts(fresh)) {
      boardsRefresh ??= setTimeout(() => {
        boardsRefresh = null;
        void queryClient.invalidateQueries({ queryKey: boardsKeys.list });
      }, BOARDS_REFRESH_MS);
    }
  };

  const connect = () => {
    retry = null;
    if (disposed) return;
    handlers.onStatus(lost ? { state: "reconnecting", attempt } : CONNECTING);
    const s = api.openSocket(api.eventsUrl(slug, cursor));
    socket = s;
    s.onopen = () => {
      if (disposed || socket !== s) return;
      attempt = 0;
      handlers.onStatus({ state: "live", attempt: 0 });
      // After a reconnect, the catch-up decides when the cache has caught up.
      if (!lost) tracked.setLive(true);
      if (lost) {
        lost = false;
        catchUp = {
          events: 0,
          deadline: Date.now() + CATCH_UP_WAIT_MS,
          settle: setTimeout(() => void finishCatchUp(), CATCH_UP_QUIET_MS),
        };
      }
    };
    s.onmessage = (event) => {
      if (!disposed && socket === s) onMessage(event.data);
    };
    s.onclose = (event) => {
      if (disposed || socket !== s) return;
      socket = null;
      tracked.setLive(false);
      if (catchUp) clearTimeout(catchUp.settle);
      catchUp = null;
      if (event.code === 1008) {
        handlers.onStatus({ state: "auth-failed", attempt: 0 });
        return;
      }
      // Never given up on: the delay grows to the API's cap and stays there.
      lost = true;
      const delay = api.reconnectDelay(attempt);
      attempt += 1;
      handlers.onStatus({ state: "reconnecting", attempt });
      retry = setTimeout(connect, delay);
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
    reconnectNow() {
      if (disposed || !retry) return;
      clearTimeout(retry);
      connect();
    },
    dispose() {
      disposed = true;
      tracked.close();
      unsubscribe();
      cancelBurst(burst);
      if (retry) clearTimeout(retry);
      if (catchUp) clearTimeout(catchUp.settle);
      // A refetch of the switcher's counts that was waiting happens now, not never.
      if (boardsRefresh) {
        clearTimeout(boardsRefresh);
        void queryClient.invalidateQueries({ queryKey: boardsKeys.list });
      }
      if (fleetRefresh) {
        clearTimeout(fleetRefresh);
        void queryClient.invalidateQueries({ queryKey: boardKeys.fleets(slug) });
      }
      socket?.close(1000, "board closed");
      socket = null;
    },
  };
}

export interface LiveBoard extends LiveStatus {
  /** Reconnects at once when waiting to (a "Reconnect now" button). */
  reconnectNow(): void;
}

/**
 * Subscribes the shown board to the live stream once it has loaded, and keeps it subscribed
 * for as long as the board is shown: a later refetch that fails (the server went away during
 * an action) does not end it. Switching board or filter closes the stream and opens a new one
 * from that board's `latest_event_id`. Switching board also refetches the board switcher's
 * counts: no stream watched the new board's until now. The browser coming back online
 * reconnects at once.
 */
export function useLiveBoard(slug: string, view: BoardViewFilter, loaded: boolean, onCaughtUp: () => void): LiveBoard {
  const api = useApi();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>(CONNECTING);
  const tenant = view.tenant;
  const includeArchived = view.includeArchived;
  const shown = useRef(slug);
  const stream = useRef<Stream | null>(null);
  const caughtUp = useRef(onCaughtUp);
  caughtUp.current = onCaughtUp;

  useEffect(() => {
    if (shown.current === slug) return;
    shown.current = slug;
    void queryClient.invalidateQueries({ queryKey: boardsKeys.list });
  }, [queryClient, slug]);

  useEffect(() => {
    if (!loaded) return;
    const filter = { tenant, includeArchived };
    const board = queryClient.getQueryData<BoardResponse>(boardKeys.view(slug, filter));
    const opened = openStream(api, queryClient, slug, filter, board, {
      onStatus: setStatus,
      onCaughtUp: () => caughtUp.current(),
    });
    stream.current = opened;
    const online = () => opened.reconnectNow();
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      opened.dispose();
      if (stream.current === opened) stream.current = null;
    };
  }, [api, queryClient, slug, tenant, includeArchived, loaded]);

  const reconnectNow = useCallback(() => stream.current?.reconnectNow(), []);
  return { ...status, reconnectNow };
}
