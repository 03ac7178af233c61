import type { ErrorCode, ReceiptVerdict, TaskStatus } from "@switchyard/contract";

/** Extra facts a refusal carries to the API body (e.g. the unfinished parents, the phantom ids). */
export interface CoreErrorFacts {
  parents?: string[];
  phantom_cards?: string[];
  verified_cards?: string[];
  task_id?: string;
  /** The task's status when the refusal leaves it as it was (a gate refusal: the worker still holds it). */
  status?: TaskStatus;
  /** `unverified_completion`: each refused claim of the completion (SPEC §12). */
  refused?: ReceiptVerdict[];
}

/**
 * Every refusal the kernel makes. `code` is the machine code of the contract; the message is
 * written for the person or agent who has to act on it.
 */
export class CoreError extends Error {
  override readonly name = "CoreError";
  readonly code: ErrorCode;
  readonly facts: CoreErrorFacts;

  constructor(code: ErrorCode, message: string, facts: CoreErrorFacts = {}) {
    super(message);
    this.code = code;
    this.facts = facts;
  }
}

export function isCoreError(err: unknown, code?: ErrorCode): err is CoreError {
  return err instanceof CoreError && (code === undefined || err.code === code);
}

export function notFound(taskId: string): CoreError {
  return new CoreError("not_found", `task ${taskId} not found`, { task_id: taskId });
}

/**
 * The codes the storage driver gives a failure of the storage itself (decision 014): the board
 * could not be written at all, whatever was asked. A loop that reports refusals per item and
 * goes on (bulk updates, the CLI's bulk verbs) stops at one of these instead.
 */
export const STORAGE_FAILURES = [
  "board_read_only",
  "board_busy",
  "storage_full",
  "storage_unavailable",
] as const satisfies readonly ErrorCode[];

export function isStorageFailure(err: unknown): boolean {
  return err instanceof CoreError && (STORAGE_FAILURES as readonly ErrorCode[]).includes(err.code);
}
