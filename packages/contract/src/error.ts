import * as z from "zod";
import { ReceiptVerdict } from "./receipts.ts";

/**
 * Machine codes carried by every refusal: by `CoreError` in the kernel, by `{detail, code}`
 * on the API, and in the CLI's exit-code table.
 */
export const ERROR_CODES = [
  "invalid_input",
  "not_found",
  "board_not_found",
  "invalid_transition",
  "task_running",
  "claim_conflict",
  "dependency_cycle",
  "parents_unfinished",
  "hallucinated_cards",
  // A completion whose receipts the kernel could not verify (SPEC §12, decision 018).
  "unverified_completion",
  "superseded",
  "not_owner",
  "board_exists",
  "board_protected",
  "board_unreadable",
  // Storage failures, named by the storage driver (decision 014): a write to a read-only file or
  // directory, a write lock held elsewhere past the busy timeout, a full disk.
  "board_read_only",
  "board_busy",
  "storage_full",
  // A board in PostgreSQL whose database cannot be reached (issue 17).
  "storage_unavailable",
  "config_invalid",
  "unauthorized",
  "forbidden",
  "internal",
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The error body of every non-2xx API response. */
export const ApiError = z.object({
  detail: z.string(),
  code: ErrorCode,
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  parents: z.array(z.string()).optional(),
  phantom_cards: z.array(z.string()).optional(),
  /** `unverified_completion`: each claim that was refused, with why. */
  refused: z.array(ReceiptVerdict).optional(),
});
export type ApiError = z.infer<typeof ApiError>;
