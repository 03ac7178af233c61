import type { TaskStatus } from "@switchyard/contract";

/** The drawer's status buttons (reference §12 drawer, item 4). There is no "→ running". */
export type StatusAction = "triage" | "ready" | "block" | "unblock" | "complete" | "archive";

export const STATUS_ACTIONS: readonly StatusAction[] = ["triage", "ready", "block", "unblock", "complete", "archive"];

export const STATUS_ACTION_LABELS: Record<StatusAction, string> = {
  triage: "→ triage",
  ready: "→ ready",
  block: "Block",
  unblock: "Unblock",
  complete: "Complete",
  archive: "Archive",
};

/** Whether a status button is enabled for a task in `status`. */
export function isStatusActionEnabled(action: StatusAction, status: TaskStatus): boolean {
  switch (action) {
    case "triage":
      return status !== "triage";
    case "ready":
      return status !== "ready";
    case "block":
      return status === "running" || status === "ready";
    case "unblock":
      return status === "blocked";
    case "complete":
      return status === "running" || status === "ready" || status === "blocked";
    case "archive":
      return status !== "archived";
  }
}

/** Actions that ask before they act: a block (with an optional reason), a completion (with a required summary), an archive. */
export function needsConfirmation(action: StatusAction): action is "block" | "complete" | "archive" {
  return action === "block" || action === "complete" || action === "archive";
}
