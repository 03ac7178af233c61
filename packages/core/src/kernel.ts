import { hostname } from "node:os";
import { type Clock, type IdSource, randomIds, systemClock } from "./clock.ts";
import type { BoardPaths } from "./paths.ts";
import type { WorkspaceProbe } from "./probe.ts";
import type { Queryable, StorageDriver, Transaction } from "./storage/driver.ts";
import { openPostgresDriver, schemaOf } from "./storage/postgres.ts";
import { openSqliteDriver } from "./storage/sqlite.ts";

/**
 * An open board: its storage and everything the kernel's commands need that is not in the
 * database. Time, ids and the host identity are injected so tests can fix them.
 *
 * Commands take a `Kernel` first and are async. A mutation is one `k.write(async (k) => …)`:
 * inside the callback the shadowing `k` is the same board bound to the transaction (its `db`
 * runs in it, its `write` becomes a savepoint). Code inside a write must use that inner `k`:
 * the outer one waits for the transaction to end, which would never happen.
 */
export interface Kernel {
  readonly paths: BoardPaths;
  /** Which database holds the board: its file (`sqlite`) or a PostgreSQL schema (`postgres`). */
  readonly dialect: StorageDriver["dialect"];
  readonly clock: Clock;
  readonly ids: IdSource;
  /** This host's name; claims are `host:pid`, and crash detection only trusts this host's pids. */
  readonly host: string;
  /** The process that makes claims through this kernel. */
  readonly pid: number;
  /**
   * How this host looks into task workspaces (git, files) to verify completions and prepare
   * worktrees (SPEC §12); null where the host gave none, and then such claims are refused.
   */
  readonly probe: WorkspaceProbe | null;
  /** Statements: committed data outside a write, the transaction's inside one. */
  readonly db: Queryable;
  /** True for the kernel a `write` callback receives. */
  readonly inTransaction: boolean;
  /** True when the board can only be read: a write is refused with `board_read_only` (decision 014). */
  readonly readOnly: boolean;
  /** Runs `fn` in one write transaction (nested calls become savepoints). */
  write<T>(fn: (k: Kernel) => Promise<T>): Promise<T>;
  /** Calls `listener` after every commit to this board, from this process or another (see StorageDriver). */
  onCommit(listener: () => void): () => void;
  /** True when the board's storage was moved, removed or replaced since it was opened, or this kernel is closed. */
  stale(): boolean;
  /** The storage's consistency check: "ok", or the problems found. */
  checkIntegrity(): Promise<string>;
  close(): Promise<void>;
}

export interface OpenKernelOptions {
  clock?: Clock;
  ids?: IdSource;
  host?: string;
  pid?: number;
  /** Poll interval for other processes' commits, in ms (SQLite). */
  pollMs?: number;
  /** Open without writing: no schema creation or migration, no journal-mode switch. */
  readonly?: boolean;
  /** How long a write waits for another process's write lock before `board_busy` (default 30 s). */
  busyTimeoutMs?: number;
  /** The host's workspace probe (runtime `gitProbe`). */
  probe?: WorkspaceProbe | null;
  /**
   * `postgres://…`: the board lives in this PostgreSQL database (issue 17) instead of its SQLite
   * file, in the schema `schema` (default `board_<slug>`). Default: the paths' `databaseUrl`
   * (the home's), so every caller of openKernel follows the home's storage.
   */
  databaseUrl?: string | null;
  schema?: string;
}

/**
 * Opens a board's storage: its schema in the home's PostgreSQL database when there is one, else
 * its SQLite file (creating and initialising either on first use).
 */
export async function openKernel(paths: BoardPaths, options: OpenKernelOptions = {}): Promise<Kernel> {
  const databaseUrl = options.databaseUrl ?? paths.databaseUrl;
  if (databaseUrl) {
    const driver = await openPostgresDriver({
      url: databaseUrl,
      schema: options.schema ?? schemaOf(paths.slug),
    });
    return createKernel(driver, paths, options);
  }
  const clock = options.clock ?? systemClock;
  const driver = openSqliteDriver(paths.dbPath, {
    now: clock.now(),
    readonly: options.readonly,
    busyTimeoutMs: options.busyTimeoutMs,
    pollMs: options.pollMs,
  });
  return createKernel(driver, paths, options);
}

/** Wraps an open, initialised storage driver. */
export function createKernel(driver: StorageDriver, paths: BoardPaths, options: OpenKernelOptions = {}): Kernel {
  const base = {
    paths,
    dialect: driver.dialect,
    clock: options.clock ?? systemClock,
    ids: options.ids ?? randomIds,
    host: options.host ?? hostname(),
    pid: options.pid ?? process.pid,
    probe: options.probe ?? null,
    readOnly: driver.readOnly,
    onCommit: (listener: () => void) => driver.onCommit(listener),
    stale: () => driver.stale(),
    checkIntegrity: () => driver.checkIntegrity(),
    close: () => driver.close(),
  };
  const inside = (tx: Transaction): Kernel => {
    const k: Kernel = {
      ...base,
      db: tx,
      inTransaction: true,
      write: (fn) => tx.savepoint(() => fn(k)),
    };
    return k;
  };
  return {
    ...base,
    db: driver,
    inTransaction: false,
    write: (fn) => driver.write((tx) => fn(inside(tx))),
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
