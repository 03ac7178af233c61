import type { TaskStatus } from "@switchyard/contract";

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

/** The shown column holding `id`, if any. */
export function columnOf(columns: readonly NavColumn[], id: string): NavColumn | null {
  return columns.find((c) => c.ids.includes(id)) ?? null;
}
