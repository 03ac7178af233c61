import { existsSync, type FSWatcher, statSync, watch } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { Database, Statement } from "better-sqlite3";
import { isStorageFailure } from "../errors.ts";
import type { Queryable, Row, StorageDriver, Transaction } from "./driver.ts";
import { Mutex } from "./mutex.ts";
import {
  boardReadOnly,
  DEFAULT_BUSY_TIMEOUT_MS,
  type FileFacts,
  storageError,
  whyNotWritable,
} from "./sqlite-errors.ts";
import { closeBoardFile, type OpenDatabaseOptions, openBoardFile } from "./sqlite-file.ts";

/**
 * The SQLite driver (decision 012): one better-sqlite3 connection per open board. Every
 * statement is synchronous underneath; the async surface adds a per-connection lock so that a
 * write transaction (BEGIN IMMEDIATE … COMMIT) spanning several awaits is never entered by
 * another caller of this process, and reads outside it never see its uncommitted rows. Write
 * transactions also take a lock shared by every connection this process has on the same file:
 * SQLite's own lock would make a second connection's BEGIN IMMEDIATE block the whole thread
 * (busy timeout) while the first, which needs that thread to finish, waits behind it.
 *
 * A failure of the storage itself (full disk, read-only file, busy timeout) leaves the driver as
 * a `CoreError` naming the cause and the file (`storageError`, decision 014). Such a failure
 * inside a write transaction ends it: every later statement of that transaction is refused with
 * the same error (SQLite may already have rolled the whole transaction back, and a statement run
 * after that would commit on its own), and the transaction is rolled back, quietly, so the first
 * error is the one reported and nothing is half-written.
 */

/** One write lock per board file in this process, shared by all its connections. */
const fileLocks = new Map<string, { mutex: Mutex; users: number }>();

function fileLock(path: string): { mutex: Mutex; release(): void } {
  if (path === ":memory:") return { mutex: new Mutex(), release() {} };
  const key = resolve(path);
  let entry = fileLocks.get(key);
  if (!entry) {
    entry = { mutex: new Mutex(), users: 0 };
    fileLocks.set(key, entry);
  }
  entry.users++;
  const held = entry;
  let released = false;
  return {
    mutex: held.mutex,
    release() {
      if (released) return;
      released = true;
      held.users--;
      if (held.users === 0 && fileLocks.get(key) === held) fileLocks.delete(key);
    },
  };
}

const NO_PARAMS: readonly unknown[] = [];

/** How often other processes' commits are looked for when nothing reports them sooner. */
export const COMMIT_POLL_MS = 75;

export interface SqliteDriverOptions extends OpenDatabaseOptions {
  /** Poll interval for other processes' commits (`PRAGMA data_version`), in ms. */
  pollMs?: number;
}

/**
 * The file's identity, so a board file that was moved, removed or replaced is noticed; null when
 * missing. A board read from a copy in memory (`snapshot`) also changes identity when the file
 * is written or a WAL appears beside it, so that its owner reopens it and sees the change.
 */
function fileIdentity(path: string, snapshot = false): string | null {
  if (path === ":memory:") return path;
  try {
    const s = statSync(path);
    if (!snapshot) return `${s.dev}:${s.ino}`;
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${existsSync(`${path}-wal`)}`;
  } catch {
    return null;
  }
}

/** Statements of one connection, prepared once each (object rows and array rows apart). */
function statementCache(db: Database) {
  const rows = new Map<string, Statement>();
  const arrays = new Map<string, Statement>();
  return {
    rows(sql: string): Statement {
      let s = rows.get(sql);
      if (!s) {
        s = db.prepare(sql);
        rows.set(sql, s);
      }
      return s;
    },
    arrays(sql: string): Statement {
      let s = arrays.get(sql);
      if (!s) {
        s = db.prepare(sql).raw(true);
        arrays.set(sql, s);
      }
      return s;
    },
    clear() {
      rows.clear();
      arrays.clear();
    },
  };
}

/**
 * The synchronous statements behind both the transaction and the locked reads; a failure of the
 * storage leaves them named (`fail`).
 */
function direct(cache: ReturnType<typeof statementCache>, fail: (err: unknown) => unknown) {
  function named<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw fail(err);
    }
  }
  return {
    all: (sql: string, params: readonly unknown[]) => named(() => cache.rows(sql).all(...params) as Row[]),
    get: (sql: string, params: readonly unknown[]) => named(() => cache.rows(sql).get(...params) as Row | undefined),
    run: (sql: string, params: readonly unknown[]) => named(() => cache.rows(sql).run(...params).changes),
    each(sql: string, params: readonly unknown[], each: (row: unknown[]) => void) {
      named(() => {
        for (const row of cache.arrays(sql).iterate(...params) as IterableIterator<unknown[]>) each(row);
      });
    },
    /** A statement of the transaction's own (BEGIN, COMMIT, SAVEPOINT …). */
    exec: (sql: string) => named(() => cache.rows(sql).run()),
  };
}

/**
 * Watches the board for commits made elsewhere: the directory's change notifications for the
 * file and its WAL (at once, where the file system has them) and a poll of `data_version`.
 */
function commitWatcher(path: string, changed: () => boolean, notify: () => void, pollMs: number) {
  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  let queued = false;
  const check = () => {
    if (changed()) notify();
  };
  const soon = () => {
    if (queued) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      check();
    });
  };
  return {
    start() {
      if (timer) return;
      timer = setInterval(check, pollMs);
      timer.unref();
      if (path === ":memory:") return;
      const names = new Set([basename(path), `${basename(path)}-wal`]);
      try {
        watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
          if (name === null || names.has(String(name))) soon();
        });
        watcher.on("error", () => {
          watcher?.close();
          watcher = null;
        });
      } catch {
        watcher = null; // the poll still finds every commit
      }
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      watcher?.close();
      watcher = null;
    },
  };
}

/** Opens (creating and initialising on first use) a board's SQLite file as a storage driver. */
export function openSqliteDriver(path: string, options: SqliteDriverOptions): StorageDriver {
  const { db, facts } = openBoardFile(path, options);
  return createSqliteDriver(db, path, options.pollMs ?? COMMIT_POLL_MS, facts);
}

/** Wraps an open, initialised connection; `facts` (from `openBoardFile`) name its failures. */
export function createSqliteDriver(
  db: Database,
  path: string,
  pollMs = COMMIT_POLL_MS,
  facts: Partial<FileFacts> = {},
): StorageDriver {
  const file: FileFacts = {
    path,
    busyTimeoutMs: DEFAULT_BUSY_TIMEOUT_MS,
    readOnly: db.readonly ? "it was opened read-only" : null,
    unwritable: false,
    outdated: null,
    snapshot: false,
    ...facts,
  };
  const fail = (err: unknown) => storageError(err, file);
  const cache = statementCache(db);
  const sql = direct(cache, fail);
  const lock = new Mutex();
  const writers = fileLock(path);
  const listeners = new Set<() => void>();
  const identity = fileIdentity(path, file.snapshot);
  let version = dataVersion();
  let closed = false;
  let savepoints = 0;
  /** The storage failure that ended the write transaction in flight, if one did. */
  let broken: unknown = null;

  function dataVersion(): number {
    return Number(db.pragma("data_version", { simple: true }));
  }

  function notify(): void {
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; the commit stands.
      }
    }
  }

  /** A board opened read-only because it could not be written, which now can: its owner reopens it to write. */
  function writableAgain(): boolean {
    return file.unwritable && whyNotWritable(path) === null;
  }

  const watcher = commitWatcher(
    path,
    () => {
      if (closed) return false;
      if (fileIdentity(path, file.snapshot) !== identity) return true;
      const now = dataVersion();
      if (now === version) return false;
      version = now;
      return true;
    },
    notify,
    pollMs,
  );

  /**
   * Runs a synchronous statement once no transaction of this connection is in flight. When the
   * lock is free (the common case) it runs at once and no promise is waited for.
   */
  function locked<T>(fn: () => T): Promise<T> {
    const wait = lock.acquire();
    if (wait) {
      return wait.then(() => {
        try {
          return fn();
        } finally {
          lock.release();
        }
      });
    }
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err);
    } finally {
      lock.release();
    }
  }

  /**
   * Runs a synchronous step of the write transaction. A failure of the storage, or any failure
   * after which SQLite no longer has the transaction open, ends it: `broken` is then what every
   * later step, and the write itself, throws.
   */
  function step<T>(fn: () => T): T {
    if (broken) throw broken;
    try {
      return fn();
    } catch (err) {
      if (isStorageFailure(err) || !db.inTransaction) broken = err;
      throw err;
    }
  }

  /** A synchronous statement inside the transaction, as a settled promise. */
  function settled<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(step(fn));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Undoes the transaction in flight, if SQLite has not already; a failure here must not hide the error that led to it. */
  function rollbackQuietly(): void {
    try {
      if (db.inTransaction) cache.rows("ROLLBACK").run();
    } catch {
      // The error that led here is the one to report. Nothing was committed; the next write
      // tries the rollback again before it begins.
    }
  }

  const tx: Transaction = {
    all: <R>(q: string, params: readonly unknown[] = NO_PARAMS) => settled(() => sql.all(q, params) as R[]),
    get: <R>(q: string, params: readonly unknown[] = NO_PARAMS) => settled(() => sql.get(q, params) as R | undefined),
    run: (q, params = NO_PARAMS) => settled(() => sql.run(q, params)),
    each: (q, params, each) => settled(() => sql.each(q, params, each)),
    async savepoint(fn) {
      const name = `sp${++savepoints}`;
      try {
        step(() => sql.exec(`SAVEPOINT ${name}`));
        let result: Awaited<ReturnType<typeof fn>>;
        try {
          result = await fn();
        } catch (err) {
          // Undo only this savepoint's changes, unless the transaction itself has ended. If the
          // undo fails, the transaction cannot go on: it ends with the error that led here.
          if (!broken) {
            try {
              if (!db.inTransaction) throw err;
              sql.exec(`ROLLBACK TO ${name}`);
              sql.exec(`RELEASE ${name}`);
            } catch {
              broken = err;
            }
          }
          throw broken ?? err;
        }
        step(() => sql.exec(`RELEASE ${name}`));
        return result;
      } finally {
        savepoints--;
      }
    },
  };

  const reads: Queryable = {
    all: <R>(q: string, params: readonly unknown[] = []) => locked(() => sql.all(q, params) as R[]),
    get: <R>(q: string, params: readonly unknown[] = []) => locked(() => sql.get(q, params) as R | undefined),
    async run(q, params = NO_PARAMS) {
      const changes = await locked(() => sql.run(q, params));
      if (changes > 0) notify();
      return changes;
    },
    each: (q, params, each) => locked(() => sql.each(q, params, each)),
  };

  return {
    dialect: "sqlite",
    ...reads,
    readOnly: file.readOnly !== null,
    async write(fn) {
      if (file.readOnly !== null) throw boardReadOnly(path, file.readOnly);
      const turn = writers.mutex.acquire();
      if (turn) await turn;
      const wait = lock.acquire();
      if (wait) await wait;
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        broken = null;
        rollbackQuietly();
        sql.exec("BEGIN IMMEDIATE");
        try {
          result = await fn(tx);
          step(() => sql.exec("COMMIT"));
        } catch (err) {
          rollbackQuietly();
          throw broken ?? err;
        } finally {
          broken = null;
        }
      } finally {
        lock.release();
        writers.mutex.release();
      }
      notify();
      return result;
    },
    onCommit(listener) {
      listeners.add(listener);
      watcher.start();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) watcher.stop();
      };
    },
    stale: () => closed || fileIdentity(path, file.snapshot) !== identity || writableAgain(),
    checkIntegrity: () =>
      locked(() => {
        try {
          const rows = db.pragma("integrity_check") as Array<{ integrity_check: string }>;
          return rows.map((r) => r.integrity_check).join("; ");
        } catch (err) {
          throw fail(err);
        }
      }),
    async close() {
      if (closed) return;
      const wait = lock.acquire();
      if (wait) await wait;
      closed = true;
      writers.release();
      watcher.stop();
      listeners.clear();
      cache.clear();
      if (db.open) closeBoardFile(db, path);
      lock.release();
    },
  };
}

/**
 * The schema version a board file records (`PRAGMA user_version`), read without migrating or
 * writing anything (the file is opened read-only, as `openKernel(…, { readonly: true })` does);
 * null when the file does not exist yet. A file that is not a board is refused as on open.
 */
export function readSqliteSchemaVersion(path: string): number | null {
  if (!existsSync(path)) return null;
  const { db } = openBoardFile(path, { now: 0, readonly: true });
  try {
    return Number(db.pragma("user_version", { simple: true }));
  } finally {
    db.close();
  }
}
