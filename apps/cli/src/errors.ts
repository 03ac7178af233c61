import type { ErrorCode } from "@switchyard/contract";
import { type CoreError, isCoreError } from "@switchyard/core";
import { CommanderError } from "commander";
import { refusedClaims } from "./output.ts";

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

/**
 * The exit code of every kernel refusal, by its contract code. A refusal exits 1 (the command
 * was understood and the board said no); bad flags and arguments exit 2 before the kernel is
 * asked (UsageError, commander). A new code fails the typecheck until it has a row here.
 */
export const EXIT_BY_CODE: Record<ErrorCode, typeof EXIT_REFUSED | typeof EXIT_USAGE> = {
  invalid_input: EXIT_REFUSED,
  not_found: EXIT_REFUSED,
  board_not_found: EXIT_REFUSED,
  invalid_transition: EXIT_REFUSED,
  task_running: EXIT_REFUSED,
  claim_conflict: EXIT_REFUSED,
  dependency_cycle: EXIT_REFUSED,
  parents_unfinished: EXIT_REFUSED,
  hallucinated_cards: EXIT_REFUSED,
  unverified_completion: EXIT_REFUSED,
  superseded: EXIT_REFUSED,
  not_owner: EXIT_REFUSED,
  board_exists: EXIT_REFUSED,
  board_protected: EXIT_REFUSED,
  board_unreadable: EXIT_REFUSED,
  board_read_only: EXIT_REFUSED,
  board_busy: EXIT_REFUSED,
  storage_unavailable: EXIT_REFUSED,
  storage_full: EXIT_REFUSED,
  config_invalid: EXIT_REFUSED,
  unauthorized: EXIT_REFUSED,
  forbidden: EXIT_REFUSED,
  internal: EXIT_REFUSED,
};

type Hint = ((err: CoreError) => string) | null;

/**
 * What to run next, by code, where the kernel's message (written for every surface) does not
 * say it in CLI terms. It is added to the message on the same line, unless already there.
 */
export const HINT_BY_CODE: Record<ErrorCode, Hint> = {
  invalid_input: null,
  not_found: null,
  board_not_found: () => "`switchyard boards list` shows the boards",
  invalid_transition: null,
  task_running: (err) =>
    err.facts.task_id
      ? `\`switchyard reassign ${err.facts.task_id} <profile> --reclaim\` takes it back from its worker first`
      : "reclaim it first with `switchyard reclaim <id>`",
  claim_conflict: null,
  dependency_cycle: null,
  parents_unfinished: () => "complete or unlink the parents first",
  hallucinated_cards: () => "pass --created-card only for cards you created, or leave it out",
  // The kernel's message names each refused claim and how to retry; any it does not name are added.
  unverified_completion: (err) => {
    const unnamed = refusedClaims(err.facts.refused ?? [], err.message);
    return unnamed ? `refused: ${unnamed}` : "";
  },
  superseded: null,
  not_owner: null,
  board_exists: null,
  board_protected: null,
  board_unreadable: null,
  board_read_only: null,
  board_busy: null,
  storage_unavailable: null,
  storage_full: null,
  config_invalid: null,
  unauthorized: null,
  forbidden: null,
  internal: null,
};

/** A refusal worded for one verb, and the exit code it takes there (default EXIT_BY_CODE). */
interface VerbRefusal {
  text?: (err: CoreError) => string;
  exit?: typeof EXIT_REFUSED | typeof EXIT_USAGE;
}

const reclaimText = (err: CoreError) => `cannot reclaim ${err.facts.task_id ?? "it"} (not running or unknown id)`;
const reassignText = (err: CoreError) =>
  `cannot reassign ${err.facts.task_id ?? "it"}: unknown id, or still running — pass --reclaim to take it back from its worker first`;

/**
 * The few verbs that word a refusal their own way (the reference's texts), by the command's
 * name: an unknown id and a task that is not running read the same to whoever reclaims.
 */
const BY_VERB: Record<string, Partial<Record<ErrorCode, VerbRefusal>>> = {
  reclaim: { not_found: { text: reclaimText }, invalid_transition: { text: reclaimText } },
  reassign: { not_found: { text: reassignText }, task_running: { text: reassignText } },
  // A refused bind (no token for a public address, a bad host) is a problem with the flags.
  serve: { invalid_input: { exit: EXIT_USAGE } },
};

/** The one line (without the `switchyard: ` prefix) a kernel refusal prints, in `verb`. */
export function refusalText(err: CoreError, verb: string | null = null): string {
  const own = verb ? BY_VERB[verb]?.[err.code]?.text : undefined;
  if (own) return own(err);
  const hint = HINT_BY_CODE[err.code]?.(err);
  return hint && !err.message.includes(hint) ? `${err.message}; ${hint}` : err.message;
}

const COMMANDER_OK = new Set(["commander.helpDisplayed", "commander.version"]);

/**
 * The one place where an error becomes an exit code and (at most) one line for stderr:
 * usage errors exit 2, kernel refusals (`CoreError`) by EXIT_BY_CODE with refusalText, anything
 * else is unexpected and exits 1 with its message (never a stack trace). `verb` is the
 * command that ran (e.g. `reclaim`), for the refusals it words its own way.
 */
export function exitFor(err: unknown, verb: string | null = null): { code: number; message: string | null } {
  if (err instanceof CommanderError) {
    // Commander has already written its own line (or the help text).
    return { code: COMMANDER_OK.has(err.code) ? EXIT_OK : EXIT_USAGE, message: null };
  }
  if (err instanceof UsageError) return { code: EXIT_USAGE, message: err.message };
  if (err instanceof ReportedFailure) return { code: EXIT_REFUSED, message: null };
  if (isCoreError(err)) {
    const exit = (verb ? BY_VERB[verb]?.[err.code]?.exit : undefined) ?? EXIT_BY_CODE[err.code];
    return { code: exit, message: refusalText(err, verb) };
  }
  const text = err instanceof Error ? err.message : String(err);
  return { code: EXIT_REFUSED, message: `unexpected error: ${text.split("\n")[0]}` };
}
