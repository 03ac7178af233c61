import { useCallback, useSyncExternalStore } from "react";

/** Where the board chosen in this browser is remembered when the URL does not name one. */
export const SELECTED_BOARD_KEY = "switchyard.selectedBoard";
export const DEFAULT_BOARD = "default";

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

function storedBoard(): string | null {
  try {
    return window.localStorage.getItem(SELECTED_BOARD_KEY);
  } catch {
    return null;
  }
}

/** The URL's query and the remembered board: either one changes which board is shown. */
function snapshot(): string {
  return `${storedBoard() ?? ""}|${window.location.search}`;
}

function navigate(params: URLSearchParams, replace = false): void {
  const query = params.toString();
  const url = `${window.location.pathname}${query ? `?${query}` : ""}${window.location.hash}`;
  if (replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  for (const listener of listeners) listener();
}

export interface UrlState {
  /** `?board=`, else the board last chosen in this browser, else `default`. */
  board: string;
  /** `?task=`: the task whose drawer is open. */
  task: string | null;
  selectBoard(slug: string, options?: { replace?: boolean }): void;
  openTask(id: string): void;
  closeTask(): void;
}

/** The board and the open task, kept in the URL so links and Back work (SPEC §7). */
export function useUrlState(): UrlState {
  const state = useSyncExternalStore(subscribe, snapshot, snapshot);
  const params = new URLSearchParams(state.slice(state.indexOf("|") + 1));
  const board = params.get("board") || storedBoard() || DEFAULT_BOARD;
  const task = params.get("task") || null;

  const selectBoard = useCallback((slug: string, options: { replace?: boolean } = {}) => {
    const next = new URLSearchParams(window.location.search);
    next.delete("task");
    if (slug === DEFAULT_BOARD) next.delete("board");
    else next.set("board", slug);
    try {
      if (slug === DEFAULT_BOARD) window.localStorage.removeItem(SELECTED_BOARD_KEY);
      else window.localStorage.setItem(SELECTED_BOARD_KEY, slug);
    } catch {
      // Storage can be unavailable (private mode); the URL still carries the board.
    }
    navigate(next, options.replace);
  }, []);

  const openTask = useCallback((id: string) => {
    const next = new URLSearchParams(window.location.search);
    if (next.get("task") === id) return;
    next.set("task", id);
    navigate(next);
  }, []);

  const closeTask = useCallback(() => {
    const next = new URLSearchParams(window.location.search);
    if (!next.has("task")) return;
    next.delete("task");
    navigate(next);
  }, []);

  return { board, task, selectBoard, openTask, closeTask };
}
