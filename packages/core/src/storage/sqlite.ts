import { type FSWatcher, statSync, watch } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { Database, Statement } from "better-sqlite3";
import type { Queryable, Row, StorageDriver, Transaction } from "./driver.ts";
import { Mutex } from "./mutex.ts";
import { type OpenDatabaseOptions, openDatabase } from "./sqlite-file.ts";

/**
 * The SQLite driver (decision 012): one better-sqlite3 connection per open board. Every
 * statement is synchronous underneath; the async surface adds a per-connection lock so that a
 * write transaction (BEGIN IMMEDIATE … COMMIT) spanning several awaits is never entered by
 * another caller of this process, and reads outside it never see its uncommitted rows. Write
 * transactions also take a lock shared by every connection this process has on the same file:
 * SQLite's own lock would make a second connection's BEGIN IMMEDIATE block the whole thread
 * (busy timeout) while the first, which needs that thread to finish, waits behind it.
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

/** The file's identity, so a board file that was moved, removed or replaced is noticed; null when missing. */
function fileIdentity(path: string): string | null {
  if (path === ":memory:") return path;
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
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

/** The synchronous statements behind both the transaction and the locked reads. */
function direct(cache: ReturnType<typeof statementCache>) {
  return {
    all: (sql: string, params: readonly unknown[]) => cache.rows(sql).all(...params) as Row[],
    get: (sql: string, params: readonly unknown[]) => cache.rows(sql).get(...params) as Row | undefined,
    run: (sql: string, params: readonly unknown[]) => cache.rows(sql).run(...params).changes,
    each(sql: string, params: readonly unknown[], each: (row: unknown[]) => void) {
      for (const row of cache.arrays(sql).iterate(...params) as IterableIterator<unknown[]>) each(row);
    },
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
  return createSqliteDriver(openDatabase(path, options), path, options.pollMs ?? COMMIT_POLL_MS);
}

/** Wraps an open, initialised connection. */
export function createSqliteDriver(db: Database, path: string, pollMs = COMMIT_POLL_MS): StorageDriver {
  const cache = statementCache(db);
  const sql = direct(cache);
  const lock = new Mutex();
  const writers = fileLock(path);
  const listeners = new Set<() => void>();
  const identity = fileIdentity(path);
  let version = dataVersion();
  let closed = false;
  let savepoints = 0;

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

  const watcher = commitWatcher(
    path,
    () => {
      if (closed) return false;
      if (fileIdentity(path) !== identity) return true;
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

  /** A synchronous statement inside the transaction, as a settled promise. */
  function settled<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  const tx: Transaction = {
    all: <R>(q: string, params: readonly unknown[] = NO_PARAMS) => settled(() => sql.all(q, params) as R[]),
    get: <R>(q: string, params: readonly unknown[] = NO_PARAMS) => settled(() => sql.get(q, params) as R | undefined),
    run: (q, params = NO_PARAMS) => settled(() => sql.run(q, params)),
    each: (q, params, each) => settled(() => sql.each(q, params, each)),
    async savepoint(fn) {
      const name = `sp${++savepoints}`;
      db.exec(`SAVEPOINT ${name}`);
      try {
        const result = await fn();
        db.exec(`RELEASE ${name}`);
        return result;
      } catch (err) {
        db.exec(`ROLLBACK TO ${name}`);
        db.exec(`RELEASE ${name}`);
        throw err;
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
    async write(fn) {
      const turn = writers.mutex.acquire();
      if (turn) await turn;
      const wait = lock.acquire();
      if (wait) await wait;
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        cache.rows("BEGIN IMMEDIATE").run();
        try {
          result = await fn(tx);
          cache.rows("COMMIT").run();
        } catch (err) {
          if (db.inTransaction) cache.rows("ROLLBACK").run();
          throw err;
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
    stale: () => closed || fileIdentity(path) !== identity,
    checkIntegrity: () =>
      locked(() => {
        const rows = db.pragma("integrity_check") as Array<{ integrity_check: string }>;
        return rows.map((r) => r.integrity_check).join("; ");
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
      if (db.open) db.close();
      lock.release();
    },
  };
}
