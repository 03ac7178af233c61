import type { TaskStatus } from "@switchyard/contract";
import { useCallback, useState } from "react";
import { useCommand } from "../../lib/commands.tsx";

export interface NavColumn {
  status: TaskStatus;
  /** Card ids in the order they are shown. */
  ids: readonly string[];
}

/** Where keyboard focus goes from `id` (or from nowhere) for one of the four directions. */
export function nextFocus(
  columns: readonly NavColumn[],
  id: string | null,
  direction: "next" | "prev" | "left" | "right",
): string | null {
  const filled = columns.filter((c) => c.ids.length > 0);
  const col = id === null ? -1 : filled.findIndex((c) => c.ids.includes(id));
  if (col < 0) return filled[0]?.ids[0] ?? null;
  const column = filled[col];
  if (!column) return null;
  const row = column.ids.indexOf(id ?? "");
  switch (direction) {
    case "next":
      return column.ids[Math.min(row + 1, column.ids.length - 1)] ?? null;
    case "prev":
      return column.ids[Math.max(row - 1, 0)] ?? null;
    case "left":
    case "right": {
      const target = filled[col + (direction === "right" ? 1 : -1)];
      if (!target) return id;
      return target.ids[Math.min(row, target.ids.length - 1)] ?? null;
    }
  }
}

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
