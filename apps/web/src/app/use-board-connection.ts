import { useEffect } from "react";
import { useBoard } from "../api/board.ts";
import type { BoardViewFilter } from "../api/board-cards.ts";
import { useNudgeDispatcher, useRefreshBoard } from "../api/board-mutations.ts";
import { ApiRequestError, errorMessage } from "../api/errors.ts";
import { AUTH_FAILED_MESSAGE, useLiveBoard } from "../api/live.ts";
import { useNotice } from "../lib/notices.tsx";
import { DEFAULT_BOARD, type UrlState } from "../lib/url-state.ts";

/**
 * The shown board and its live stream: says when the stream's auth fails, and goes back to the
 * default board when the remembered one has gone away (reference §12). Also the board-wide
 * actions of the toolbar (refresh, nudge).
 */
export function useBoardConnection(url: UrlState, view: BoardViewFilter) {
  const slug = url.board;
  const board = useBoard(slug, view);
  const live = useLiveBoard(slug, view, board.isSuccess && !board.isPlaceholderData);
  const nudge = useNudgeDispatcher(slug);
  const refresh = useRefreshBoard(slug);
  const notice = useNotice();

  useEffect(() => {
    if (live === "auth-failed") notice.show(AUTH_FAILED_MESSAGE);
  }, [live, notice.show]);
  const missing = board.error instanceof ApiRequestError && board.error.code === "board_not_found";
  useEffect(() => {
    if (missing && slug !== DEFAULT_BOARD) url.selectBoard(DEFAULT_BOARD, { replace: true });
  }, [missing, slug, url.selectBoard]);

  return {
    board,
    live,
    nudging: nudge.isPending,
    refresh: () => void refresh(),
    nudge: () => nudge.mutate(undefined, { onError: (error) => notice.show(`Nudge failed: ${errorMessage(error)}`) }),
  };
}
