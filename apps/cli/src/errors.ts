import { isCoreError } from "@switchyard/core";
import { CommanderError } from "commander";

/** A bad flag, argument or environment value: exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A refusal whose lines were already printed (e.g. one id of a bulk verb failed): exit 1, nothing more to say. */
export class ReportedFailure extends Error {
  override readonly name = "ReportedFailure";
}

export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;

const COMMANDER_OK = new Set(["commander.helpDisplayed", "commander.version"]);

/**
 * The one place where an error becomes an exit code and (at most) one line for stderr:
 * usage errors exit 2, kernel refusals (`CoreError`) exit 1 with their message, anything else
 * is unexpected and exits 1 with its message (never a stack trace).
 */
export function exitFor(err: unknown): { code: number; message: string | null } {
  if (err instanceof CommanderError) {
    // Commander has already written its own line (or the help text).
    return { code: COMMANDER_OK.has(err.code) ? EXIT_OK : EXIT_USAGE, message: null };
  }
  if (err instanceof UsageError) return { code: EXIT_USAGE, message: err.message };
  if (err instanceof ReportedFailure) return { code: EXIT_REFUSED, message: null };
  if (isCoreError(err)) return { code: EXIT_REFUSED, message: err.message };
  const text = err instanceof Error ? err.message : String(err);
  return { code: EXIT_REFUSED, message: `unexpected error: ${text.split("\n")[0]}` };
}
