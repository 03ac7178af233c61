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

/**
 * The toolbar's view of the board as the URL states it; a field is absent when the URL does not
 * say (the dashboard's defaults from `/config` apply then).
 */
export interface UrlFilters {
  /** `?q=`: the search text. */
  search?: string;
  /** `?tenant=`: one tenant; present and empty for all tenants when the default is one. */
  tenant?: string;
  /** `?assignee=`. */
  assignee?: string;
  /** `?archived=1` or `0`. */
  includeArchived?: boolean;
  /** `?lanes=1` or `0`. */
  lanes?: boolean;
}

/** A change to the URL's filters: a value to state, or `null` to leave it to the default. */
export type UrlFiltersPatch = { [K in keyof UrlFilters]?: UrlFilters[K] | null };

const TEXT_PARAMS = { search: "q", tenant: "tenant", assignee: "assignee" } as const;
const FLAG_PARAMS = { includeArchived: "archived", lanes: "lanes" } as const;

function readFilters(params: URLSearchParams): UrlFilters {
  const filters: UrlFilters = {};
  for (const [field, name] of Object.entries(TEXT_PARAMS) as Array<[keyof typeof TEXT_PARAMS, string]>) {
    const value = params.get(name);
    if (value !== null) filters[field] = value;
  }
  for (const [field, name] of Object.entries(FLAG_PARAMS) as Array<[keyof typeof FLAG_PARAMS, string]>) {
    const value = params.get(name);
    if (value === "1" || value === "0") filters[field] = value === "1";
  }
  return filters;
}

/** The page shown: the board (no `?view=`) or the fleet (`?view=fleet`). */
export type PageView = "board" | "fleet";

export interface UrlState {
  /** `?board=`, else the board last chosen in this browser, else `default`. */
  board: string;
  /** `?view=`: which page of the board is shown. */
  page: PageView;
  /** `?task=`: the task whose drawer is open. */
  task: string | null;
  /** Search, tenant, assignee, archived and lanes, as far as the URL states them. */
  filters: UrlFilters;
  selectBoard(slug: string, options?: { replace?: boolean }): void;
  openTask(id: string): void;
  closeTask(): void;
  /**
   * States (or, with `null`, drops) filters in the URL: a new history entry, so Back undoes a
   * filter change, unless `replace` (typing in the search box makes one entry, not one per key).
   */
  setFilters(patch: UrlFiltersPatch, options?: { replace?: boolean }): void;
  /** Shows the board or the fleet page (a new history entry, so Back returns). */
  showPage(page: PageView): void;
}

/** The URL's query with `page` shown: `?view=fleet`, or no `view` for the board. */
export function pageSearch(search: string, page: PageView): string {
  const next = new URLSearchParams(search);
  if (page === "board") next.delete("view");
  else next.set("view", page);
  const query = next.toString();
  return query ? `?${query}` : "";
}

/**
 * The board, the page (board or fleet), the open task and the toolbar's filters, kept in the URL so links, reloads and
 * Back work (SPEC §7).
 */
export function useUrlState(): UrlState {
  const state = useSyncExternalStore(subscribe, snapshot, snapshot);
  const params = new URLSearchParams(state.slice(state.indexOf("|") + 1));
  const board = params.get("board") || storedBoard() || DEFAULT_BOARD;
  const task = params.get("task") || null;
  const page: PageView = params.get("view") === "fleet" ? "fleet" : "board";
  const filters = readFilters(params);

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

  const setFilters = useCallback((patch: UrlFiltersPatch, options: { replace?: boolean } = {}) => {
    const next = new URLSearchParams(window.location.search);
    for (const [field, name] of Object.entries(TEXT_PARAMS) as Array<[keyof typeof TEXT_PARAMS, string]>) {
      const value = patch[field];
      if (value === null) next.delete(name);
      else if (value !== undefined) next.set(name, value);
    }
    for (const [field, name] of Object.entries(FLAG_PARAMS) as Array<[keyof typeof FLAG_PARAMS, string]>) {
      const value = patch[field];
      if (value === null) next.delete(name);
      else if (value !== undefined) next.set(name, value ? "1" : "0");
    }
    if (next.toString() === new URLSearchParams(window.location.search).toString()) return;
    navigate(next, options.replace);
  }, []);

  const showPage = useCallback((shown: PageView) => {
    const next = new URLSearchParams(pageSearch(window.location.search, shown));
    if (next.toString() === new URLSearchParams(window.location.search).toString()) return;
    navigate(next);
  }, []);

  return { board, task, page, filters, selectBoard, openTask, closeTask, setFilters, showPage };
}
