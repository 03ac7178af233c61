import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  type Stats,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3, { type Database } from "better-sqlite3";
import { CoreError } from "../errors.ts";
import type { Env } from "../paths.ts";
import { DEFAULT_BUSY_TIMEOUT_MS, errorCode, type FileFacts, storageError, whyNotWritable } from "./sqlite-errors.ts";
import { migrate, SCHEMA_VERSION } from "./sqlite-schema.ts";

const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");

/** The environment variable that shortens (or lengthens) the busy timeout, in seconds. */
export const BUSY_TIMEOUT_ENV = "SWITCHYARD_BUSY_TIMEOUT_SECONDS";

/**
 * The busy timeout `SWITCHYARD_BUSY_TIMEOUT_SECONDS` asks for, in ms (a positive number of
 * seconds, fractions allowed, at most an hour), or undefined when it is not set.
 */
export function busyTimeoutFromEnv(env: Env): number | undefined {
  const raw = env[BUSY_TIMEOUT_ENV]?.trim();
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new CoreError(
      "config_invalid",
      `${BUSY_TIMEOUT_ENV} must be a number of seconds above 0 and at most 3600, got '${raw}'`,
    );
  }
  return Math.max(1, Math.round(seconds * 1000));
}

/**
 * WAL pages written before a commit checkpoints them into the database file (SQLite's default
 * is 1,000). Fewer, larger checkpoints copy each hot page once instead of many times: with
 * several processes writing one board this raised claim throughput by about a tenth and made
 * four processes at least as fast as one (docs/performance.md). The WAL may reach ~40 MB.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000;

function unreadable(path: string, why: string): CoreError {
  return new CoreError(
    "board_unreadable",
    `refusing to open ${path}: ${why}. The file was left exactly as it was; move it aside or restore a backup.`,
  );
}

/** Refuses a non-empty file whose first bytes are not the SQLite header, before SQLite opens it. */
function checkHeader(path: string): void {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    return; // does not exist yet: SQLite creates it
  }
  if (!stat.isFile()) throw unreadable(path, "it is not a regular file");
  if (stat.size === 0) return;
  const head = Buffer.alloc(SQLITE_HEADER.length);
  let n: number;
  try {
    const fd = openSync(path, "r");
    try {
      n = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw unreadable(path, `it cannot be read (${(err as Error).message})`);
  }
  if (n < head.length || !head.equals(SQLITE_HEADER)) {
    throw unreadable(path, "it is not a SQLite database");
  }
}

function isSqliteCorruption(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code ?? "";
  return code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT");
}

function isBusy(err: unknown): boolean {
  const code = errorCode(err);
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
}

function withBusyRetry<T>(fn: () => T, timeoutMs: number): T {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return fn();
    } catch (err) {
      if (!isBusy(err) || Date.now() > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

/**
 * Paths whose integrity this process has already checked. `PRAGMA quick_check` reads the whole
 * file, so it runs at most once per path in each process (as the reference initialises each
 * path once per process), and not at all when the file is exactly as a passed check left it
 * (the check stamp below, decision 022).
 */
const checkedPaths = new Set<string>();

/**
 * The file beside a board that records the last passed integrity check (decision 022): the
 * board file's identity (device, inode, size, modification and change times in ns) at that
 * moment, or after a close that only SQLite's own checkpoint changed it since. An open whose
 * file still has exactly that identity skips `quick_check`; anything else that touches the file
 * (a copy or backup put in its place, another program's write, a truncation, a chmod) changes
 * its ctime and so makes the next open check it again. Written only by connections that may
 * write the board; a stamp that cannot be written is simply not written.
 */
export function checkStampPath(path: string): string {
  return `${path}.checked`;
}

/** A file's identity as the stamp records it, or null when it cannot be read. */
function identityOf(path: string): string | null {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return null;
  }
}

function stampedIdentity(path: string): string | null {
  try {
    const stamp = JSON.parse(readFileSync(checkStampPath(path), "utf8")) as { file?: unknown };
    return typeof stamp.file === "string" ? stamp.file : null;
  } catch {
    return null;
  }
}

/** Records that the file, as it is now (`identity`), passed the check. Best effort. */
function writeStamp(path: string, identity: string): void {
  const stampPath = checkStampPath(path);
  const tmp = `${stampPath}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify({ file: identity, checked_at: new Date().toISOString() })}\n`);
    renameSync(tmp, stampPath);
  } catch {
    // A full disk or an unwritable directory: the next open checks the file again.
  }
}

/** True when the stamp beside the board records the file exactly as it is now. */
export function checkStampIsCurrent(path: string): boolean {
  const identity = identityOf(path);
  return identity !== null && identity === stampedIdentity(path);
}

/** Records that the board file, exactly as it is now, is as a passed integrity check left it. */
export function recordCheckedFile(path: string): void {
  const identity = identityOf(path);
  if (identity) writeStamp(path, identity);
}

/**
 * Writable connections whose board was checked (or whose stamp matched) when they opened, with
 * the file's identity at the end of the open: `closeBoardFile` renews the stamp after SQLite's
 * closing checkpoint when nothing else changed the file meanwhile.
 */
const trustedAtOpen = new WeakMap<Database, string>();

/**
 * Closes a connection from `openBoardFile`. When this connection's open trusted the file and
 * the file is still as it was then (only this session's WAL changed), the checkpoint SQLite
 * makes on the last close is SQLite's own copy of already-checked pages: the stamp is renewed
 * for the file as that leaves it, so the next process does not read the whole board again.
 */
export function closeBoardFile(db: Database, path: string): void {
  const opened = trustedAtOpen.get(db);
  trustedAtOpen.delete(db);
  const before = opened ? identityOf(path) : null;
  db.close();
  if (!opened || before !== opened) return;
  const after = identityOf(path);
  if (after && after !== stampedIdentity(path)) writeStamp(path, after);
}

/**
 * Checks the board with `quick_check` unless this process already did, or the stamp says the
 * file is exactly as a passed check left it. Returns the file's identity when the file is
 * trusted on this open (checked now, or stamped), else null.
 */
function checkIntegrity(db: Database, path: string): string | null {
  const identity = identityOf(path);
  if (identity && identity === stampedIdentity(path)) return identity;
  if (checkedPaths.has(path)) return null;
  const problems = db.pragma("quick_check") as Array<{ quick_check: string }>;
  const first = problems[0]?.quick_check ?? "ok";
  if (first !== "ok")
    throw unreadable(path, `the database is corrupt (${oneLine(problems.map((p) => p.quick_check))})`);
  checkedPaths.add(path);
  // Another process may have written while the file was read: then this check vouches for nothing.
  return identity && identityOf(path) === identity ? identity : null;
}

/** quick_check's report on one line (it lists one problem per row, some spanning lines). */
function oneLine(problems: readonly string[]): string {
  const text = problems.join("; ").replace(/\s+/g, " ").trim();
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

export interface OpenDatabaseOptions {
  /** Unix seconds, for the migration backfill. */
  now: number;
  /** Open without writing even when the file could be written (no schema, no WAL switch). */
  readonly?: boolean;
  /** How long a write waits for another connection's write lock before `board_busy` (default 30 s). */
  busyTimeoutMs?: number;
}

/** An open board file and what the driver needs to know about it. */
export interface OpenedFile {
  db: Database;
  facts: FileFacts;
}

/** Every table the board schema has: what `migrate` creates in an empty database (computed once). */
let boardTables: ReadonlySet<string> | null = null;

function tablesOf(db: Database): string[] {
  const rows = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as Array<{ name: string }>;
  return rows.map((r) => r.name);
}

function tablesOfABoard(): ReadonlySet<string> {
  if (!boardTables) {
    const db = new BetterSqlite3(":memory:");
    try {
      migrate(db, 0);
      boardTables = new Set(tablesOf(db));
    } finally {
      db.close();
    }
  }
  return boardTables;
}

/** The columns every board's `tasks` table has had since the first Hermes release (reference §1.3). */
const ESSENTIAL_TASK_COLUMNS = ["id", "title", "status", "created_at"];

function listed(names: readonly string[]): string {
  const shown = names.slice(0, 8).join(", ");
  return names.length > 8 ? `${shown}, … (${names.length} in all)` : shown;
}

/**
 * Why a SQLite database that is not empty is not a Switchyard or Hermes board (another
 * application's database), or null when it is one, or is empty. A board has a `tasks` table
 * with the reference's columns, and no table that no board has: its tables are those of the
 * board schema (whatever this version's `migrate` creates), or `task_*` / `kanban_*` tables a
 * later Hermes may add. Indexes, views and triggers someone added are left alone. Reads only.
 */
export function foreignDatabaseReason(db: Database): string | null {
  const objects = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").get() as {
    n: number;
  };
  if (objects.n === 0) return null;
  const tables = tablesOf(db);
  if (!tables.includes("tasks")) {
    return tables.length > 0 ? `it has no tasks table (its tables: ${listed(tables)})` : "it has no tasks table";
  }
  const columns = new Set((db.prepare("PRAGMA table_info(tasks)").all() as Array<{ name: string }>).map((c) => c.name));
  const missing = ESSENTIAL_TASK_COLUMNS.filter((c) => !columns.has(c));
  if (missing.length > 0) return `its tasks table has no ${missing.join(", ")} column${missing.length > 1 ? "s" : ""}`;
  const known = tablesOfABoard();
  const strangers = tables.filter((t) => !known.has(t) && !/^(task|kanban)_/.test(t));
  if (strangers.length > 0) return `it has tables no board has (${listed(strangers)})`;
  return null;
}

/**
 * Opens a board's SQLite file (reference §1.2): WAL, synchronous=NORMAL, foreign_keys=ON, a 30 s
 * busy timeout, and a checkpoint every `WAL_AUTOCHECKPOINT_PAGES` pages. The first open of a
 * file (user_version below ours) creates the schema and runs the migration pass inside one
 * IMMEDIATE transaction, re-checking the version once it holds the write lock, so concurrent
 * first opens from several processes are safe.
 *
 * Nothing is written before the file is known to be a board: a file that is not a SQLite
 * database, is corrupt (checked with `quick_check` on the first open of the path in this
 * process, unless the file is exactly as a passed check left it: `checkStampPath`), or is
 * another application's database (`foreignDatabaseReason`) is refused with `board_unreadable`
 * and left byte for byte as it was, journal mode included, with no stamp written beside it.
 *
 * A file this process cannot write (the file, a `-wal`/`-shm` beside it, its directory or its
 * file system is read-only) is opened read-only (decision 014): reads work, a write is refused
 * with `board_read_only`, and nothing is created, migrated or switched to WAL; reading it
 * creates nothing beside it either (`openForReading`). The busy timeout is `busyTimeoutMs`.
 */
export function openBoardFile(path: string, options: OpenDatabaseOptions): OpenedFile {
  const facts: FileFacts = {
    path,
    busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
    readOnly: null,
    unwritable: false,
    outdated: null,
    snapshot: false,
  };
  let db: Database;
  if (path === ":memory:") {
    db = new BetterSqlite3(path, { timeout: facts.busyTimeoutMs });
  } else {
    checkHeader(path);
    const exists = existsSync(path);
    const cannotWrite = whyNotWritable(path);
    if (options.readonly) {
      if (!exists) throw unreadable(path, "it does not exist");
      facts.readOnly = "it was opened read-only";
    } else {
      facts.readOnly = cannotWrite;
      facts.unwritable = cannotWrite !== null;
      if (!exists) {
        if (cannotWrite) throw new CoreError("board_read_only", `cannot create the board ${path}: ${cannotWrite}`);
        try {
          mkdirSync(dirname(path), { recursive: true });
        } catch (err) {
          throw storageError(err, facts);
        }
      }
    }
    if (cannotWrite) {
      db = openForReading(path, facts);
    } else {
      // A board asked for read-only that could be written gets a writable connection that
      // SQLite keeps from writing (query_only): unlike a read-only connection, it removes the
      // -wal and -shm files it made when it closes, leaving the directory as it found it.
      db = openWritable(path, facts);
      if (facts.readOnly) db.pragma("query_only = ON");
    }
  }
  try {
    const version = db.pragma("user_version", { simple: true }) as number;
    db.prepare("SELECT count(*) FROM sqlite_master").get();
    const trusted = path === ":memory:" ? null : checkIntegrity(db, path);
    const foreign = foreignDatabaseReason(db);
    if (foreign) throw unreadable(path, `it is another application's SQLite database, not a board: ${foreign}`);
    if (facts.readOnly) {
      if (version < SCHEMA_VERSION) {
        if (tablesOf(db).length === 0) {
          throw new CoreError(
            "board_read_only",
            `cannot use ${path}: it is an empty database, and making it a board needs a write (${facts.readOnly})`,
          );
        }
        facts.outdated = version;
      }
    } else {
      // The schema goes in before the switch to WAL, so a file that cannot become a board is
      // refused with its journal mode untouched too.
      if (version < SCHEMA_VERSION) initialise(db, path, options.now, facts);
      if (path !== ":memory:") withBusyRetry(() => db.pragma("journal_mode = WAL"), facts.busyTimeoutMs);
      db.pragma("synchronous = NORMAL");
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    }
    db.pragma("foreign_keys = ON");
    if (trusted && !facts.readOnly) {
      // Stamped only now that the file is known to be a board; the schema, migration and WAL
      // switch above are this connection's own SQLite writes.
      const now = identityOf(path);
      if (now) {
        if (now !== stampedIdentity(path)) writeStamp(path, now);
        trustedAtOpen.set(db, now);
      }
    }
    return { db, facts };
  } catch (err) {
    db.close();
    if (err instanceof CoreError) throw err;
    if (isSqliteCorruption(err)) throw unreadable(path, `the database is corrupt (${(err as Error).message})`);
    throw storageError(err, facts);
  }
}

/** `openBoardFile`'s connection alone. */
export function openDatabase(path: string, options: OpenDatabaseOptions): Database {
  return openBoardFile(path, options).db;
}

function openWritable(path: string, facts: FileFacts): Database {
  try {
    return new BetterSqlite3(path, { timeout: facts.busyTimeoutMs });
  } catch (err) {
    throw unreadable(path, (err as Error).message);
  }
}

/** True when the file's header says WAL (bytes 18 and 19, the write and read format versions, are 2). */
function isWalFile(path: string): boolean {
  const head = Buffer.alloc(20);
  try {
    const fd = openSync(path, "r");
    try {
      return readSync(fd, head, 0, 20, 0) === 20 && head[18] === 2;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

function walHasChanges(path: string): boolean {
  try {
    return statSync(`${path}-wal`).size > 0;
  } catch {
    return false;
  }
}

/**
 * The whole file read into memory, when that copy is the whole board: no `-wal` file with
 * changes beside it, and the file did not change (nor a `-shm` appear) while it was read.
 * Null otherwise.
 */
function wholeFileCopy(path: string): Buffer | null {
  if (walHasChanges(path)) return null;
  const before = statSync(path);
  const bytes = readFileSync(path);
  const after = statSync(path);
  const steady = before.mtimeMs === after.mtimeMs && before.size === after.size && bytes.length === after.size;
  if (!steady || existsSync(`${path}-shm`) || walHasChanges(path)) return null;
  // The copy has no WAL beside it: mark it as a rollback-journal database so SQLite reads it alone.
  if (bytes[18] === 2) bytes[18] = 1;
  if (bytes[19] === 2) bytes[19] = 1;
  return bytes;
}

/**
 * Opens a file this process cannot write, for reading, without creating anything beside it.
 *
 * SQLite reads a WAL board through its shared-memory file (`-shm`). When one exists (another
 * process has the board open), a read-only connection uses it. When none exists, SQLite would
 * create it, which a read-only directory does not allow, and which in a writable directory
 * leaves behind a `-shm` as read-only as the board file (SQLite gives it the file's mode): once
 * the file is made writable again, that leftover would keep the board read-only. So the board
 * is read from a copy in memory instead (`snapshot`): with no `-shm` no connection has it open,
 * and with no `-wal` holding changes the file alone is the whole board. The file is not
 * touched. (SQLite's `immutable=1` would read the file in place, but it is a URI parameter and
 * better-sqlite3 is built without URI filenames.) A rollback-journal file is read in place.
 */
function openForReading(path: string, facts: FileFacts): Database {
  if (isWalFile(path) && !existsSync(`${path}-shm`)) {
    const copy = wholeFileCopy(path);
    if (copy) return snapshotOf(copy, facts);
  }
  let db: Database;
  try {
    db = new BetterSqlite3(path, { readonly: true, fileMustExist: true, timeout: facts.busyTimeoutMs });
  } catch (err) {
    throw unreadable(path, (err as Error).message);
  }
  try {
    db.prepare("SELECT count(*) FROM sqlite_master").get();
    return db;
  } catch (err) {
    db.close();
    const code = errorCode(err);
    if (code !== "SQLITE_CANTOPEN" && !code.startsWith("SQLITE_READONLY")) {
      if (isSqliteCorruption(err)) throw unreadable(path, `the database is corrupt (${(err as Error).message})`);
      throw storageError(err, facts);
    }
  }
  // SQLite could not set up its shared memory: the copy is the only way left to read the board.
  const copy = wholeFileCopy(path);
  if (copy) return snapshotOf(copy, facts);
  throw new CoreError(
    "board_read_only",
    `cannot read ${path}: SQLite cannot create the shared-memory file it needs beside it (${facts.readOnly})${walHasChanges(path) ? `, and its write-ahead log ${path}-wal holds changes` : ""}; open it once where its directory can be written`,
  );
}

function snapshotOf(copy: Buffer, facts: FileFacts): Database {
  facts.snapshot = true;
  return new BetterSqlite3(copy, { readonly: true });
}

/**
 * Creates or migrates the schema in one IMMEDIATE transaction. A SQLite database whose tables
 * clash with the board schema (another program's file) is refused; the rollback leaves it as it was.
 */
function initialise(db: Database, path: string, now: number, facts: FileFacts): void {
  try {
    withBusyRetry(
      () =>
        db
          .transaction(() => {
            const current = db.pragma("user_version", { simple: true }) as number;
            if (current >= SCHEMA_VERSION) return;
            migrate(db, now);
            db.pragma(`user_version = ${SCHEMA_VERSION}`);
          })
          .immediate(),
      facts.busyTimeoutMs,
    );
  } catch (err) {
    const named = storageError(err, facts);
    if (named !== err) throw named;
    const code = errorCode(err);
    if (code.startsWith("SQLITE_") && !isBusy(err) && !isSqliteCorruption(err)) {
      throw unreadable(
        path,
        `it is a SQLite database but not a board this version can use (${(err as Error).message})`,
      );
    }
    throw err;
  }
}

export { isSqliteCorruption };
