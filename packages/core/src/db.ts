import { closeSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3, { type Database } from "better-sqlite3";
import { CoreError } from "./errors.ts";
import { migrate, SCHEMA_VERSION } from "./schema.ts";

const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");
const BUSY_TIMEOUT_MS = 30_000;

function unreadable(path: string, why: string): CoreError {
  return new CoreError(
    "board_unreadable",
    `refusing to open ${path}: ${why}. The file was left exactly as it was; move it aside or restore a backup.`,
  );
}

/** Refuses a non-empty file whose first bytes are not the SQLite header, before SQLite opens it. */
function checkHeader(path: string): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return; // does not exist yet: SQLite creates it
  }
  if (size === 0) return;
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n < head.length || !head.equals(SQLITE_HEADER)) {
      throw unreadable(path, "it is not a SQLite database");
    }
  } finally {
    closeSync(fd);
  }
}

function isSqliteCorruption(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code ?? "";
  return code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT");
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code ?? "";
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
}

function withBusyRetry<T>(fn: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      return fn();
    } catch (err) {
      if (!isBusy(err) || Date.now() > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

export interface OpenDatabaseOptions {
  /** Unix seconds, for the migration backfill. */
  now: number;
  readonly?: boolean;
}

/**
 * Opens a board's SQLite file (reference §1.2): WAL, synchronous=NORMAL, foreign_keys=ON, a 30 s
 * busy timeout. The first open of a file (user_version below ours) creates the schema and runs
 * the migration pass inside one IMMEDIATE transaction, re-checking the version once it holds
 * the write lock, so concurrent first opens from several processes are safe. A file that is not
 * a SQLite database, or is corrupt, is refused and never written.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions): Database {
  if (path !== ":memory:") {
    checkHeader(path);
    mkdirSync(dirname(path), { recursive: true });
  }
  let db: Database;
  try {
    db = new BetterSqlite3(path, { timeout: BUSY_TIMEOUT_MS, readonly: options.readonly ?? false });
  } catch (err) {
    throw unreadable(path, (err as Error).message);
  }
  try {
    const version = db.pragma("user_version", { simple: true }) as number;
    db.prepare("SELECT count(*) FROM sqlite_master").get();
    if (version < SCHEMA_VERSION) {
      const check = db.pragma("quick_check", { simple: true });
      if (check !== "ok") throw unreadable(path, `the database is corrupt (${String(check)})`);
    }
    if (!options.readonly) {
      if (path !== ":memory:") withBusyRetry(() => db.pragma("journal_mode = WAL"));
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
      if (version < SCHEMA_VERSION) initialise(db, options.now);
    }
    return db;
  } catch (err) {
    db.close();
    if (err instanceof CoreError) throw err;
    if (isSqliteCorruption(err)) throw unreadable(path, `the database is corrupt (${(err as Error).message})`);
    throw err;
  }
}

function initialise(db: Database, now: number): void {
  withBusyRetry(() =>
    db
      .transaction(() => {
        const current = db.pragma("user_version", { simple: true }) as number;
        if (current >= SCHEMA_VERSION) return;
        migrate(db, now);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })
      .immediate(),
  );
}

export { isSqliteCorruption };
