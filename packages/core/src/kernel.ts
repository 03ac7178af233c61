import { hostname } from "node:os";
import type { Database, Statement } from "better-sqlite3";
import { type Clock, type IdSource, randomIds, systemClock } from "./clock.ts";
import { openDatabase } from "./db.ts";
import type { BoardPaths } from "./paths.ts";

/**
 * An open board: its database and everything the kernel's commands need that is not in the
 * database. Time, ids and the host identity are injected so tests can fix them.
 */
export interface Kernel {
  readonly db: Database;
  readonly paths: BoardPaths;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** This host's name; claims are `host:pid`, and crash detection only trusts this host's pids. */
  readonly host: string;
  /** The process that makes claims through this kernel. */
  readonly pid: number;
  /** Prepares (once per kernel) and returns a statement. */
  stmt(sql: string): Statement;
  /** Runs `fn` in one IMMEDIATE write transaction (nested calls become savepoints). */
  write<T>(fn: () => T): T;
  close(): void;
}

export interface OpenKernelOptions {
  clock?: Clock;
  ids?: IdSource;
  host?: string;
  pid?: number;
}

export function openKernel(paths: BoardPaths, options: OpenKernelOptions = {}): Kernel {
  const clock = options.clock ?? systemClock;
  const db = openDatabase(paths.dbPath, { now: clock.now() });
  return createKernel(db, paths, options);
}

/** Wraps an already-open, initialised database. */
export function createKernel(db: Database, paths: BoardPaths, options: OpenKernelOptions = {}): Kernel {
  const cache = new Map<string, Statement>();
  // One transaction function for every write (it takes the work as its argument), instead of
  // wrapping each write anew: the wrapper is built once per kernel, not once per command.
  const transaction = db.transaction((fn: () => unknown) => fn());
  return {
    db,
    paths,
    clock: options.clock ?? systemClock,
    ids: options.ids ?? randomIds,
    host: options.host ?? hostname(),
    pid: options.pid ?? process.pid,
    stmt(sql) {
      let s = cache.get(sql);
      if (!s) {
        s = db.prepare(sql);
        cache.set(sql, s);
      }
      return s;
    },
    write<T>(fn: () => T): T {
      return (db.inTransaction ? transaction(fn) : transaction.immediate(fn)) as T;
    },
    close() {
      cache.clear();
      if (db.open) db.close();
    },
  };
}

/** `host:pid`: the lock a claim made by this kernel carries. */
export function claimerOf(k: Kernel): string {
  return `${k.host}:${k.pid}`;
}

/** The host part of a `host:pid` lock, or null. */
export function lockHost(lock: string | null): string | null {
  if (!lock) return null;
  const i = lock.lastIndexOf(":");
  return i > 0 ? lock.slice(0, i) : null;
}
