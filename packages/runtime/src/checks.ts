import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { constants } from "node:os";
import { CHECK_OUTPUT_TAIL } from "@switchyard/contract";
import { stopProcess, systemProcesses } from "./process.ts";

/**
 * The board's own run of a check in a task's workspace (SPEC §12): the required `verify`
 * command or a test the worker claims it ran. The kernel compares the result with what was
 * expected; this module only runs the command, bounded in time, and keeps the end of its output.
 */

export interface CheckInput {
  /** The workspace the command runs in. */
  cwd: string;
  /** A shell command, run with `/bin/sh -c`. */
  command: string;
  /** How long it may run before its whole process group is stopped. */
  timeoutMs: number;
  /** The command's whole environment (default: this process's). */
  env?: Record<string, string | undefined>;
  /** How long a stopped check has between SIGTERM and SIGKILL. */
  graceMs?: number;
}

export interface CheckRun {
  /**
   * The shell's exit code (128 + the signal number when a signal ended it, as shells report);
   * null when it timed out or could not start.
   */
  exit_code: number | null;
  duration_ms: number;
  /** The end of stdout and stderr together, at most `CHECK_OUTPUT_TAIL` characters. */
  output_tail: string;
  timed_out: boolean;
}

export const DEFAULT_CHECK_GRACE_MS = 2000;
/** How long the output may stay open once the check's process group is gone (a stray holding it). */
const DRAIN_MS = 1000;

/**
 * The last `max` characters of `text`, starting at a line start when the cut falls inside a
 * line that is not the only one left.
 */
export function outputTail(text: string, max: number = CHECK_OUTPUT_TAIL): string {
  if (text.length <= max) return text;
  const tail = text.slice(-max);
  if (text[text.length - max - 1] === "\n") return tail;
  const nl = tail.indexOf("\n");
  return nl >= 0 && nl < tail.length - 1 ? tail.slice(nl + 1) : tail;
}

/** Keeps enough of a stream of chunks for `outputTail` (one character more than it returns). */
function tailBuffer(max: number) {
  let text = "";
  return {
    push(chunk: string) {
      text += chunk;
      if (text.length > 4 * max) text = text.slice(-(max + 1));
    },
    tail: (extra = "") => outputTail(text + extra, max),
  };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function delay(ms: number): { done: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { done, cancel: () => clearTimeout(timer) };
}

/**
 * Runs `command` with `/bin/sh -c` in `cwd`, in a process group of its own, stdin closed, and
 * never rejects. On timeout the whole group gets SIGTERM, then SIGKILL after `graceMs`. When the
 * shell ends first, whatever it left running in its group is stopped the same way: a check
 * leaves no process behind.
 */
export async function runCheck(input: CheckInput): Promise<CheckRun> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const graceMs = input.graceMs ?? DEFAULT_CHECK_GRACE_MS;
  const output = tailBuffer(CHECK_OUTPUT_TAIL);
  const notRun = (why: string): CheckRun => ({
    exit_code: null,
    duration_ms: elapsed(),
    output_tail: output.tail(why),
    timed_out: false,
  });
  if (!(await isDirectory(input.cwd))) return notRun(`cannot run the check: ${input.cwd} is not a directory\n`);

  const child = spawn("/bin/sh", ["-c", input.command], {
    cwd: input.cwd,
    env: input.env ?? process.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding("utf8");
    stream.on("data", output.push);
  }
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null } | { error: Error }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (error) => resolve({ error }));
  });
  const limit = delay(Math.max(0, input.timeoutMs));
  const first = await Promise.race([ended, limit.done.then(() => "timeout" as const)]);
  limit.cancel();
  const timedOut = first === "timeout";

  // The group is the shell and everything it started: all of it on timeout, what is left otherwise.
  if (child.pid !== undefined) await stopProcess(systemProcesses, child.pid, graceMs, { group: true });
  const end = await ended;
  const drain = delay(DRAIN_MS);
  await Promise.race([closed, drain.done]);
  drain.cancel();
  child.stdout.destroy();
  child.stderr.destroy();

  if ("error" in end) return notRun(`\ncannot run the check: ${end.error.message}\n`);
  let exitCode: number | null = end.code;
  if (exitCode === null && end.signal) exitCode = 128 + (constants.signals[end.signal] ?? 0);
  return {
    exit_code: timedOut ? null : exitCode,
    duration_ms: elapsed(),
    output_tail: output.tail(),
    timed_out: timedOut,
  };
}
