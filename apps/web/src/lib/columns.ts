import type { TaskStatus } from "@switchyard/contract";

export interface ColumnMeta {
  label: string;
  /** One line under the header saying what the column means. */
  help: string;
  /** The dot's colour: a CSS colour or variable (reference §12). */
  dot: string;
}

/** Labels, help lines and dot colours of the columns (reference §12). */
export const COLUMN_META: Readonly<Record<TaskStatus, ColumnMeta>> = {
  triage: { label: "Triage", help: "Rough ideas waiting to be specified.", dot: "#b47dd6" },
  todo: { label: "Todo", help: "Waiting on parents, or parked by hand.", dot: "var(--sy-muted)" },
  ready: { label: "Ready", help: "Claimable: the dispatcher starts these by priority.", dot: "#d4b348" },
  running: { label: "In Progress", help: "Claimed; a worker is on it.", dot: "#3fb97d" },
  blocked: { label: "Blocked", help: "Needs a human or a peer.", dot: "#d14a4a" },
  done: { label: "Done", help: "Completed.", dot: "#4a8cd1" },
  archived: { label: "Archived", help: "Hidden from default views.", dot: "var(--sy-border)" },
};

/** Moves that ask for confirmation first (reference §12); done also asks for a summary. */
export const CONFIRMED_MOVES: ReadonlySet<TaskStatus> = new Set(["done", "blocked", "archived"]);
