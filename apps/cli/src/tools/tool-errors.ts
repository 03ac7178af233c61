import type { ErrorCode, ToolName } from "@switchyard/contract";
import type { CoreErrorFacts } from "@switchyard/core";
import { refusedClaims } from "../output.ts";

/** What a refusal's text may use besides its message: the kernel's facts and the tool. */
export interface ToolErrorFacts extends CoreErrorFacts {
  tool: ToolName;
}

type ToolErrorText = (message: string, facts: ToolErrorFacts) => string;

/** The tool's name, then the kernel's message: most refusals read like this. */
const prefixed: ToolErrorText = (message, f) => `${f.tool}: ${message}`;

/** The refusal of a completion that lists cards this worker did not create; it says exactly how to retry. */
function phantomCardsText(_message: string, f: ToolErrorFacts): string {
  const phantom = f.phantom_cards ?? [];
  const verified = f.verified_cards ?? [];
  return (
    `kanban_complete blocked: these created_cards do not exist or were not created by this worker: ${phantom.join(", ")}` +
    `${verified.length > 0 ? ` (these checked out: ${verified.join(", ")})` : ""}. ` +
    `Nothing changed: task ${f.task_id} is still yours and still ${f.status ?? "unknown"}. Retry kanban_complete with created_cards ` +
    "listing only the task_id values returned by your successful kanban_create calls (or children linked to this " +
    "task), or leave created_cards out."
  );
}

/**
 * The refusal of a completion whose receipts did not check out (SPEC §12): the kernel's message
 * (what to do) and each refused claim with why. Nothing changed; the worker may retry.
 */
function unverifiedText(message: string, f: ToolErrorFacts): string {
  const unnamed = refusedClaims(f.refused ?? [], message);
  return `${f.tool}: ${message}${unnamed ? ` Refused: ${unnamed}.` : ""}`;
}

/** An unknown task, in the reference's words for show and comment. */
function notFoundText(message: string, f: ToolErrorFacts): string {
  if (f.tool === "kanban_show") return message;
  if (f.tool === "kanban_comment" && f.task_id) return `kanban_comment: unknown task ${f.task_id}`;
  return prefixed(message, f);
}

/**
 * The one table from a kernel refusal to the `{error}` text of a worker tool, by the
 * contract's code. A new code fails the typecheck until it has a row here.
 */
export const TOOL_ERROR: Record<ErrorCode, ToolErrorText> = {
  invalid_input: prefixed,
  not_found: notFoundText,
  board_not_found: prefixed,
  invalid_transition: prefixed,
  task_running: prefixed,
  claim_conflict: prefixed,
  dependency_cycle: prefixed,
  parents_unfinished: prefixed,
  hallucinated_cards: phantomCardsText,
  unverified_completion: unverifiedText,
  // The run is over: the kernel's message says so; the worker must stop rather than retry.
  superseded: (message, f) =>
    `${f.tool}: ${message}. Another run owns this task now: make no more changes to it and end your session.`,
  not_owner: prefixed,
  board_exists: prefixed,
  board_protected: prefixed,
  board_unreadable: prefixed,
  board_read_only: prefixed,
  board_busy: prefixed,
  storage_unavailable: prefixed,
  storage_full: prefixed,
  config_invalid: prefixed,
  unauthorized: prefixed,
  forbidden: prefixed,
  internal: prefixed,
};
