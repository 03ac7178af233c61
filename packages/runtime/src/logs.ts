import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { CheckResult, WorkerLog } from "@switchyard/contract";
import type { BoardPaths } from "@switchyard/core";

/** A worker's stdout and stderr go to `<logs>/<task_id>.log`, rotated at 2 MiB (SPEC §4). */
export const LOG_ROTATE_BYTES = 2 * 1024 * 1024;

export function workerLogPath(paths: BoardPaths, taskId: string): string {
  return join(paths.logsDir, `${taskId}.log`);
}

/** Before a spawn: a log over the limit becomes `<id>.log.1`, keeping one generation. */
export function rotateWorkerLog(path: string, maxBytes = LOG_ROTATE_BYTES): boolean {
  if (!existsSync(path) || statSync(path).size <= maxBytes) return false;
  const old = `${path}.1`;
  rmSync(old, { force: true });
  renameSync(path, old);
  return true;
}

/** Opens the log for appending (creating the directory), rotating it first. Returns the fd. */
export function openWorkerLog(paths: BoardPaths, taskId: string): number {
  mkdirSync(paths.logsDir, { recursive: true });
  const path = workerLogPath(paths, taskId);
  rotateWorkerLog(path);
  return openSync(path, "a");
}

/**
 * Appends the board's own checks of a completion (SPEC §12) to the task's worker log, so the
 * log view shows what ran and how it ended next to the worker's output.
 */
export function appendCheckLog(paths: BoardPaths, taskId: string, results: readonly CheckResult[]): void {
  try {
    const fd = openWorkerLog(paths, taskId);
    try {
      for (const r of results) {
        const how = r.timed_out ? "timed out" : `exited ${r.exit_code}`;
        writeSync(
          fd,
          `[switchyard ${new Date().toISOString()}] check ${r.source} \`${r.command}\` ${how} after ${r.duration_ms} ms (${r.ok ? "passed" : "failed"})\n${r.output_tail}${r.output_tail.endsWith("\n") || r.output_tail === "" ? "" : "\n"}`,
        );
      }
    } finally {
      closeSync(fd);
    }
  } catch {
    // The log is a courtesy; the run's proof holds the results.
  }
}

/**
 * The tail of a worker's log. A window that starts mid-line drops that partial first line,
 * unless the window holds no newline at all (reference §5.7).
 */
export function readWorkerLog(paths: BoardPaths, taskId: string, tailBytes?: number): WorkerLog {
  const path = workerLogPath(paths, taskId);
  if (!existsSync(path)) {
    return { task_id: taskId, path, exists: false, size_bytes: 0, content: "", truncated: false };
  }
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const want = tailBytes === undefined ? size : Math.min(size, Math.max(0, tailBytes));
    const truncated = want < size;
    // One byte more, to tell whether the window starts at a line or in the middle of one.
    const start = truncated ? size - want - 1 : 0;
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    let content = buf.subarray(truncated ? 1 : 0).toString("utf8");
    if (truncated && buf[0] !== 0x0a) {
      const nl = content.indexOf("\n");
      if (nl >= 0) content = content.slice(nl + 1);
    }
    return { task_id: taskId, path, exists: true, size_bytes: size, content, truncated };
  } finally {
    closeSync(fd);
  }
}

/** How much of a log's end is read to find its last line. */
const LAST_LINE_BYTES = 4096;

/**
 * The last non-blank line of a worker's log (null when there is none): with the exit code, the
 * fingerprint of a failed run (decision 013).
 */
export function lastLogLine(paths: BoardPaths, taskId: string): string | null {
  const { content } = readWorkerLog(paths, taskId, LAST_LINE_BYTES);
  const lines = content.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]?.trim();
    if (line) return line;
  }
  return null;
}

/** The line the spawner writes before each worker's own output (spawner.ts `startWorker`). */
export const START_HEADER = "[switchyard ";

/** How much of a log's end is read for a run's last lines. */
const TAIL_BYTES = 16 * 1024;

/**
 * The last `count` non-blank lines a worker logged in its current run: the lines after the last
 * start header the spawner wrote, so an earlier run's output never counts as this one's. Empty
 * when the run logged nothing.
 */
export function runLogTail(paths: BoardPaths, taskId: string, count = 5): string[] {
  const { content } = readWorkerLog(paths, taskId, TAIL_BYTES);
  const lines = content.split(/\r?\n/);
  let start = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]?.startsWith(START_HEADER)) {
      start = i + 1;
      break;
    }
  }
  return lines
    .slice(start)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "")
    .slice(-count);
}
