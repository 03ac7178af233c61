import { useCallback, useEffect, useRef, useState } from "react";
import { columnOf, type NavColumn, nextFocus } from "../../lib/board-nav.ts";
import { useCommand } from "../../lib/commands.tsx";
import type { TaskKey } from "./task-pickers.tsx";
import type { Selection } from "./use-selection.ts";

interface BoardKeysOptions {
  columns: readonly NavColumn[];
  /** The task whose drawer is open: the single keys act on it, and j/k step the drawer. */
  openId: string | null;
  openTask(id: string): void;
  selection: Selection;
  /** Runs one of a task's actions (a picker, a move menu, archive). */
  act(kind: TaskKey, id: string): void;
  startCreate(): void;
  undo(): void;
}

/** Runs `fn` on `id`; false (the key did not apply) when there is no id. */
function withId(id: string | null, fn: (id: string) => void): boolean {
  if (!id) return false;
  fn(id);
  return true;
}

/**
 * The board's part of the keyboard (SPEC §7): j/k and arrows move focus (or, with the drawer
 * open, step it through the task's column), Shift+j/k extend the selection, Ctrl/Cmd+A selects
 * the focused column, Enter opens, x selects, c creates, and the task keys (a, p, s/m, e, ., Delete)
 * act on the drawer's task or else the focused card.
 */
export function useBoardKeys({ columns, openId, openTask, selection, act, startCreate, undo }: BoardKeysOptions) {
  const [focus, setFocus] = useState<{ id: string | null; token: number }>({ id: null, token: 0 });
  // While the drawer is open no card holds the board's focus (a card taking focus, as a moved
  // card does when it lands in its new column, would pull focus out of the drawer). When it
  // closes, the card last stepped to with j/k, or else the one focused before, has it again.
  const focusId = useRef(focus.id);
  focusId.current = focus.id;
  const before = useRef<string | null>(null);
  const stepped = useRef<string | null>(null);
  const drawerOpen = openId !== null;
  useEffect(() => {
    if (drawerOpen) {
      before.current = focusId.current;
      setFocus((f) => (f.id === null ? f : { id: null, token: f.token }));
      return;
    }
    const id = stepped.current ?? before.current;
    stepped.current = null;
    before.current = null;
    // The drawer gives focus back to where it was opened from; a card that moved since is a new element.
    const has = document.activeElement instanceof HTMLElement && document.activeElement.dataset.taskId === id;
    if (id) setFocus((f) => ({ id, token: has ? f.token : f.token + 1 }));
  }, [drawerOpen]);

  const target = openId ?? focus.id;
  const moveTo = (id: string) => {
    setFocus((f) => ({ id, token: f.token + 1 }));
    selection.anchorAt(id);
  };
  const go = (direction: "next" | "prev" | "left" | "right") => {
    if (openId) {
      if (direction === "left" || direction === "right") return false;
      const id = nextFocus(columns, openId, direction);
      if (!id || id === openId || !columnOf(columns, openId)) return false;
      stepped.current = id;
      openTask(id);
      return true;
    }
    const id = nextFocus(columns, focus.id, direction);
    if (id) moveTo(id);
    return id !== null;
  };
  const extend = (direction: "next" | "prev") => {
    if (openId) return false;
    const to = nextFocus(columns, focus.id, direction);
    const column = to ? columnOf(columns, to) : null;
    if (!to || !column) return false;
    selection.extend(to, column.ids, focus.id ?? to);
    setFocus((f) => ({ id: to, token: f.token + 1 }));
    return true;
  };

  useCommand("focus-next", () => go("next"));
  useCommand("focus-prev", () => go("prev"));
  useCommand("focus-left", () => go("left"));
  useCommand("focus-right", () => go("right"));
  useCommand("extend-next", () => extend("next"));
  useCommand("extend-prev", () => extend("prev"));
  useCommand("select-column", () => {
    const column = focus.id && !openId ? columnOf(columns, focus.id) : null;
    if (!column) return false;
    selection.keep(column.ids);
    return true;
  });
  useCommand("open-focused", () => withId(focus.id, openTask));
  useCommand("select-focused", () => withId(focus.id, selection.toggle));
  const onTarget = (kind: TaskKey) => () => withId(target, (id) => act(kind, id));
  useCommand("assign-focused", onTarget("assign"));
  useCommand("priority-focused", onTarget("priority"));
  useCommand("move-focused", onTarget("move"));
  useCommand("edit-title-focused", onTarget("title"));
  useCommand("archive-focused", onTarget("archive"));
  useCommand("task-actions", onTarget("actions"));
  useCommand("create-task", startCreate);
  useCommand("clear-selection", selection.clear);
  useCommand("undo", undo);

  const onFocusCard = useCallback((id: string) => setFocus((f) => (f.id === id ? f : { id, token: f.token })), []);
  /** Puts keyboard focus on a card (a click, or the neighbour of a card that left the column). */
  const focusCard = useCallback((id: string) => setFocus((f) => ({ id, token: f.token + 1 })), []);
  return { focusId: focus.id, focusToken: focus.token, onFocusCard, focusCard };
}
