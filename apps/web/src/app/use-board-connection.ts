import { useCallback, useEffect, useRef } from "react";
import { useBoard } from "../api/board.ts";
import type { BoardViewFilter } from "../api/board-cards.ts";
import { useNudgeDispatcher, useRefreshBoard } from "../api/board-mutations.ts";
import { useApi } from "../api/client.tsx";
import { ApiRequestError, errorMessage, isNetworkFailure } from "../api/errors.ts";
import { AUTH_FAILED_MESSAGE, type LiveBoard, useLiveBoard } from "../api/live.ts";
import { useNotice } from "../lib/notices.tsx";
import { DEFAULT_BOARD, type UrlState } from "../lib/url-state.ts";

export const CAUGHT_UP_MESSAGE = "Reconnected — caught up";

/**
 * The shown board and its live stream: says when the stream's auth fails and when it is back
 * after an outage, retries a first load the server did not answer (with the stream's backoff),
 * and goes back to the default board when the remembered one has gone away (reference §12).
 * Also the board-wide actions of the toolbar (refresh, nudge).
 */
export function useBoardConnection(url: UrlState, view: BoardViewFilter) {
  const slug = url.board;
  const api = useApi();
  const board = useBoard(slug, view);
  const notice = useNotice();
  const caughtUp = useCallback(() => notice.show(CAUGHT_UP_MESSAGE, { tone: "info", key: "connection" }), [notice]);
  // The stream stays open once the board has loaded, whatever a later refetch does: a refetch
  // that failed during an outage must not end the reconnecting.
  const stream = useLiveBoard(slug, view, board.data !== undefined && !board.isPlaceholderData, caughtUp);
  const nudge = useNudgeDispatcher(slug);
  const refresh = useRefreshBoard(slug);

  useEffect(() => {
    if (stream.state === "auth-failed") notice.show(AUTH_FAILED_MESSAGE);
  }, [stream.state, notice.show]);
  const missing = board.error instanceof ApiRequestError && board.error.code === "board_not_found";
  useEffect(() => {
    if (missing && slug !== DEFAULT_BOARD) url.selectBoard(DEFAULT_BOARD, { replace: true });
  }, [missing, slug, url.selectBoard]);

  // A first load that got no answer is tried again, backing off as the stream does, until it does.
  const unreachable = board.data === undefined && board.isError && isNetworkFailure(board.error);
  const refetch = useRef(board.refetch);
  refetch.current = board.refetch;
  const retries = useRef(0);
  // When the last try failed: each failure schedules the next try.
  const failedAt = unreachable ? board.errorUpdatedAt : 0;
  useEffect(() => {
    if (failedAt === 0) {
      retries.current = 0;
      return;
    }
    const timer = setTimeout(() => void refetch.current(), api.reconnectDelay(retries.current));
    retries.current += 1;
    return () => clearTimeout(timer);
  }, [failedAt, api]);

  const live: LiveBoard = unreachable
    ? { state: "reconnecting", attempt: board.errorUpdateCount, reconnectNow: () => void refetch.current() }
    : stream;

  return {
    board,
    live,
    nudging: nudge.isPending,
    refresh: () => void refresh(),
    nudge: () => nudge.mutate(undefined, { onError: (error) => notice.show(`Nudge failed: ${errorMessage(error)}`) }),
  };
}
