import type { TaskStatus } from "@switchyard/contract";
import { useCallback, useState } from "react";
import { type NavColumn, nextFocus } from "../../lib/board-nav.ts";
import { useCommand } from "../../lib/commands.tsx";

interface BoardKeysOptions {
  columns: readonly NavColumn[];
  openTask(id: string): void;
  toggleSelect(id: string): void;
  openMoveMenu(id: string): void;
  startCreate(status: TaskStatus): void;
  clearSelection(): void;
}

/** The board's part of the keyboard (SPEC §7): j/k and arrows, Enter, x, m, c. */
export function useBoardKeys({
  columns,
  openTask,
  toggleSelect,
  openMoveMenu,
  startCreate,
  clearSelection,
}: BoardKeysOptions) {
  const [focus, setFocus] = useState<{ id: string | null; token: number }>({ id: null, token: 0 });
  const go = (direction: "next" | "prev" | "left" | "right") => {
    const id = nextFocus(columns, focus.id, direction);
    if (id) setFocus((f) => ({ id, token: f.token + 1 }));
  };
  useCommand("focus-next", () => go("next"));
  useCommand("focus-prev", () => go("prev"));
  useCommand("focus-left", () => go("left"));
  useCommand("focus-right", () => go("right"));
  useCommand("open-focused", () => focus.id && openTask(focus.id));
  useCommand("select-focused", () => focus.id && toggleSelect(focus.id));
  useCommand("move-focused", () => focus.id && openMoveMenu(focus.id));
  useCommand("create-task", () => startCreate("ready"));
  useCommand("clear-selection", clearSelection);
  const onFocusCard = useCallback((id: string) => setFocus((f) => (f.id === id ? f : { id, token: f.token })), []);
  return { focusId: focus.id, focusToken: focus.token, onFocusCard };
}
