import { accessSync, constants, statfsSync } from "node:fs";
import { dirname } from "node:path";
import { CoreError } from "../errors.ts";

/**
 * Naming a failure of the storage itself (decision 014). SQLite and the file system report a
 * full disk, a read-only file or directory and a write lock held elsewhere as error codes
 * (`SQLITE_FULL`, `SQLITE_READONLY_*`, `SQLITE_BUSY`, `ENOSPC`, `EROFS`, …); the SQLite driver
 * turns them into `CoreError`s with the contract's codes, naming the cause and the file. Nothing
 * outside `storage/` looks at a SQLite error code.
 */

/** How long a write waits for another connection's write lock by default (the reference's 30 s). */
export const DEFAULT_BUSY_TIMEOUT_MS = 30_000;

/** What the driver knows about its open file, to name a failure. */
export interface FileFacts {
  path: string;
  busyTimeoutMs: number;
  /** Why this board cannot be written (it was opened read-only, and why), or null. */
  readOnly: string | null;
  /** Opened read-only because the file, its directory or its file system could not be written (not because it was asked to). */
  unwritable: boolean;
  /** The schema version of a read-only board older than this Switchyard's, whose upgrade needs a write; else null. */
  outdated: number | null;
  /** The board is read from a copy in memory (a WAL board in a directory SQLite cannot write; see openBoardFile). */
  snapshot: boolean;
}

export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

/**
 * Why this process cannot write the board at `path`, or null when it can: the file, the WAL and
 * shared-memory files beside it (when they exist: a `-shm` left read-only keeps SQLite from
 * writing), and its directory (where SQLite creates them).
 */
export function whyNotWritable(path: string): string | null {
  const dir = dirname(path);
  const targets: Array<[string, string]> = [
    [path, "the file"],
    [`${path}-wal`, `its write-ahead log ${path}-wal`],
    [`${path}-shm`, `its shared-memory file ${path}-shm`],
    [dir, `its directory ${dir}`],
  ];
  for (const [target, what] of targets) {
    try {
      accessSync(target, constants.W_OK);
    } catch (err) {
      const code = errorCode(err);
      if (code === "ENOENT") continue; // not created yet: the directory decides, or mkdir will
      if (code === "EROFS") return `${what} is on a read-only file system`;
      if (code === "EACCES") return `${what} is not writable by this user`;
      if (code === "EPERM") return `${what} is protected against writes (EPERM: immutable, or a similar attribute)`;
      return `${what} cannot be written (${code || (err as Error).message})`;
    }
  }
  return null;
}

/** Bytes free to this user on the file system that holds `path`'s directory, or null when unknown. */
function freeBytes(path: string): number | null {
  try {
    const s = statfsSync(dirname(path));
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** Less than this free, a failed write is put down to a full disk. */
const NEARLY_FULL_BYTES = 1024 * 1024;

function diskIsFull(path: string): boolean {
  const free = freeBytes(path);
  return free !== null && free < NEARLY_FULL_BYTES;
}

export function storageFull(path: string, cause: string): CoreError {
  const free = freeBytes(path);
  const where =
    free !== null && free < NEARLY_FULL_BYTES
      ? `the disk is full (${cause}, ${free} bytes free)`
      : `the database reached its size limit (${cause})`;
  return new CoreError(
    "storage_full",
    `cannot write to ${path}: ${where}; nothing was written. Free some space and try again`,
  );
}

export function boardReadOnly(path: string, why: string): CoreError {
  return new CoreError(
    "board_read_only",
    `cannot write to ${path}: the board is read-only (${why}); reading it still works`,
  );
}

export function boardBusy(path: string, busyTimeoutMs: number): CoreError {
  const seconds = Math.round(busyTimeoutMs / 100) / 10;
  return new CoreError(
    "board_busy",
    `cannot write to ${path}: the board is busy (another process held its write lock for longer than the ${seconds} s busy timeout, SQLITE_BUSY); nothing was written. Try again`,
  );
}

/** SQLite's own reason for a read-only refusal, when the file and its directory look writable. */
function readOnlyReason(code: string): string {
  switch (code) {
    case "SQLITE_READONLY_DIRECTORY":
      return "its directory is not writable, so SQLite cannot create the journal beside it";
    case "SQLITE_READONLY_DBMOVED":
      return "the file was moved or removed while it was open";
    case "SQLITE_READONLY_CANTINIT":
    case "SQLITE_READONLY_CANTLOCK":
    case "SQLITE_READONLY_RECOVERY":
      return "SQLite cannot write the shared-memory file beside it";
    default:
      return `SQLite refused the write (${code})`;
  }
}

/**
 * The `CoreError` for a failure of the storage (a full disk, a read-only file or directory, a
 * busy timeout), or `err` itself when it is something else. `facts` says what the driver knows
 * of its file.
 */
export function storageError(err: unknown, facts: FileFacts): unknown {
  if (err instanceof CoreError) return err;
  const code = errorCode(err);
  const { path } = facts;
  if (code === "ENOSPC" || code === "EDQUOT") return storageFull(path, code);
  if (code === "EROFS" || code === "EACCES" || code === "EPERM") {
    return boardReadOnly(path, whyNotWritable(path) ?? (err as Error).message);
  }
  if (!code.startsWith("SQLITE_")) return err;
  if (code === "SQLITE_FULL") return storageFull(path, code);
  if (code.startsWith("SQLITE_BUSY")) return boardBusy(path, facts.busyTimeoutMs);
  if (code.startsWith("SQLITE_READONLY")) {
    return boardReadOnly(path, facts.readOnly ?? whyNotWritable(path) ?? readOnlyReason(code));
  }
  if (code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_IOERR")) {
    // An I/O error on a disk without space is a full disk (SQLite reports a failed write
    // to the shared-memory file that way); one on a file or directory it may not write is read-only.
    if (code.startsWith("SQLITE_IOERR") && diskIsFull(path)) return storageFull(path, code);
    const why = facts.readOnly ?? whyNotWritable(path);
    if (why) return boardReadOnly(path, why);
    return err;
  }
  if (code === "SQLITE_ERROR" && facts.outdated !== null) {
    return new CoreError(
      "board_read_only",
      `cannot read ${path}: the board is read-only (${facts.readOnly ?? "opened read-only"}) and its schema (version ${facts.outdated}) is older than this Switchyard's, whose upgrade needs a write; open it once where it can be written (${(err as Error).message})`,
    );
  }
  return err;
}
