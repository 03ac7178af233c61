import { operatorMove, type TaskStatus } from "@switchyard/contract";

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

/** The status each button asks for (unblock and "→ ready" both ask for ready). */
const TARGET: Record<StatusAction, TaskStatus> = {
  triage: "triage",
  ready: "ready",
  block: "blocked",
  unblock: "ready",
  complete: "done",
  archive: "archived",
};

/**
 * Whether a status button is enabled for a task in `status`: when the task is not there yet and
 * the contract's transitions let a person make the move (Unblock only for the unblock transition).
 */
export function isStatusActionEnabled(action: StatusAction, status: TaskStatus): boolean {
  if (TARGET[action] === status) return false;
  const move = operatorMove(status, TARGET[action]);
  return action === "unblock" ? move?.action === "unblock" : move !== null;
}

/** Actions that ask before they act: a block (with an optional reason), a completion (with a required summary), an archive. */
export function needsConfirmation(action: StatusAction): action is "block" | "complete" | "archive" {
  return action === "block" || action === "complete" || action === "archive";
}
