import { closeSync, mkdirSync, openSync, readSync, type Stats, statSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3, { type Database } from "better-sqlite3";
import { CoreError } from "../errors.ts";
import { migrate, SCHEMA_VERSION } from "./sqlite-schema.ts";

const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");
const BUSY_TIMEOUT_MS = 30_000;

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

/**
 * Paths whose integrity this process has already checked. `PRAGMA quick_check` reads the whole
 * file, so it runs on the first open of a path in each process (as the reference initialises
 * each path once per process), not on every open.
 */
const checkedPaths = new Set<string>();

/** quick_check's report on one line (it lists one problem per row, some spanning lines). */
function oneLine(problems: readonly string[]): string {
  const text = problems.join("; ").replace(/\s+/g, " ").trim();
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

export interface OpenDatabaseOptions {
  /** Unix seconds, for the migration backfill. */
  now: number;
  readonly?: boolean;
}

/**
 * Opens a board's SQLite file (reference §1.2): WAL, synchronous=NORMAL, foreign_keys=ON, a 30 s
 * busy timeout, and a checkpoint every `WAL_AUTOCHECKPOINT_PAGES` pages. The first open of a
 * file (user_version below ours) creates the schema and runs the migration pass inside one
 * IMMEDIATE transaction, re-checking the version once it holds the write lock, so concurrent
 * first opens from several processes are safe. A file that is not
 * a SQLite database, or is corrupt (checked with `quick_check` on the first open of the path in
 * this process, before anything is written), is refused and never written.
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
    if (path !== ":memory:" && !checkedPaths.has(path)) {
      const problems = db.pragma("quick_check") as Array<{ quick_check: string }>;
      const first = problems[0]?.quick_check ?? "ok";
      if (first !== "ok")
        throw unreadable(path, `the database is corrupt (${oneLine(problems.map((p) => p.quick_check))})`);
      checkedPaths.add(path);
    }
    if (!options.readonly) {
      // The schema goes in before the switch to WAL, so a file that cannot become a board is
      // refused with its journal mode untouched too.
      if (version < SCHEMA_VERSION) initialise(db, path, options.now);
      if (path !== ":memory:") withBusyRetry(() => db.pragma("journal_mode = WAL"));
      db.pragma("synchronous = NORMAL");
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      db.pragma("foreign_keys = ON");
    }
    return db;
  } catch (err) {
    db.close();
    if (err instanceof CoreError) throw err;
    if (isSqliteCorruption(err)) throw unreadable(path, `the database is corrupt (${(err as Error).message})`);
    throw err;
  }
}

/**
 * Creates or migrates the schema in one IMMEDIATE transaction. A SQLite database whose tables
 * clash with the board schema (another program's file) is refused; the rollback leaves it as it was.
 */
function initialise(db: Database, path: string, now: number): void {
  try {
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
  } catch (err) {
    const code = (err as { code?: string } | null)?.code ?? "";
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
