/**
 * The storage seam (decision 012): everything the kernel asks of a database, and nothing more.
 * SQL is plain text with `?` placeholders, written in the subset SQLite and PostgreSQL share
 * (`RETURNING`, `ON CONFLICT DO NOTHING`, no `lastInsertRowid`); a driver translates what it must.
 */

/** A row read as an object of column values. */
export type Row = Record<string, unknown>;

/** Statements against one board. */
export interface Queryable {
  /** Every row, as objects. */
  all<R = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** The first row, or undefined. */
  get<R = Row>(sql: string, params?: readonly unknown[]): Promise<R | undefined>;
  /** A statement without rows (or whose rows are not wanted); resolves to the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Streams rows as arrays of column values, in the order of the SELECT list, to `each`: the
   * cheap way to read a big result (`GET /board` of a large board) without holding every row object.
   */
  each(sql: string, params: readonly unknown[], each: (row: unknown[]) => void): Promise<void>;
}

/** The inside of a write transaction. */
export interface Transaction extends Queryable {
  /** Runs `fn` in a savepoint: a refusal inside it undoes only its own changes. */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * One board's storage. Statements outside `write` see only committed data: they wait for a
 * transaction of this connection that is in flight, so two callers in one process never
 * interleave inside one.
 */
export interface StorageDriver extends Queryable {
  readonly dialect: "sqlite" | "postgres";
  /**
   * True when this board can only be read (decision 014): it was opened read-only, or its file,
   * directory or file system cannot be written. `write` then refuses with `board_read_only`.
   */
  readonly readOnly: boolean;
  /**
   * Runs `fn` in one write transaction with the board's single-writer semantics (SQLite:
   * BEGIN IMMEDIATE), committed when it resolves and rolled back when it rejects. Callers in
   * this process queue behind each other; other processes wait on the database's own lock.
   * A failure of the storage itself rolls the transaction back and rejects with a `CoreError`
   * naming the cause and the file: `storage_full`, `board_read_only` or `board_busy` (the
   * lock was held elsewhere past the busy timeout). Statements outside `write` name them too.
   */
  write<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * Calls `listener` after every commit to this board: this connection's own, and those of
   * other connections and processes (noticed within a poll interval, usually at once). Also
   * called when the storage becomes `stale()`. Returns the function that stops listening.
   */
  onCommit(listener: () => void): () => void;
  /**
   * True when what this driver opened is no longer what its location names (moved, removed,
   * replaced), or it is closed, or it was opened read-only because it could not be written and
   * now can be: its owner opens it again.
   */
  stale(): boolean;
  /** The database's own consistency check: "ok", or the problems it found on one line. */
  checkIntegrity(): Promise<string>;
  close(): Promise<void>;
}
