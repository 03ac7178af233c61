import * as z from "zod";

/**
 * Moving a board between databases (issue 17): the document `switchyard export` writes and
 * `switchyard import` reads, and what `switchyard migrate` reports. The document holds every
 * row of every board table as it is stored (snake_case columns, Unix seconds, JSON text where
 * the column holds JSON), so a SQLite board and a PostgreSQL board round-trip through it.
 */

export const BOARD_DOCUMENT_FORMAT = "switchyard-board";
export const BOARD_DOCUMENT_VERSION = 1;

/** One stored value: text, an integer (ids, Unix seconds, counters) or NULL. */
export const BoardCell = z.union([z.string(), z.number(), z.null()]);
export type BoardCell = z.infer<typeof BoardCell>;

/** One table: its column names, and its rows as arrays of values in that order. */
export const BoardTableRows = z.strictObject({
  columns: z.array(z.string().min(1)),
  rows: z.array(z.array(BoardCell)),
});
export type BoardTableRows = z.infer<typeof BoardTableRows>;

export const StorageDialect = z.enum(["sqlite", "postgres"]);
export type StorageDialect = z.infer<typeof StorageDialect>;

/** A whole board, as `switchyard export` writes it. */
export const BoardDocument = z.strictObject({
  format: z.literal(BOARD_DOCUMENT_FORMAT),
  version: z.literal(BOARD_DOCUMENT_VERSION),
  /** The board it was exported from. */
  board: z.string(),
  /** Which database it was exported from; `schema_version` is that database's schema version. */
  dialect: StorageDialect,
  schema_version: z.number().int().nullable(),
  /** Unix seconds. */
  exported_at: z.number().int(),
  tables: z.record(z.string(), BoardTableRows),
});
export type BoardDocument = z.infer<typeof BoardDocument>;

/** `export --json` (to a file) and `import --json`: the board, the file, and the rows of each table. */
export const CliTransfer = z.object({
  board: z.string(),
  file: z.string(),
  rows: z.record(z.string(), z.number().int()),
});
export type CliTransfer = z.infer<typeof CliTransfer>;

/**
 * Where a board's schema stands against this build: `up_to_date`; `pending` (older, migrated by
 * `migrate --apply` or the next open); `newer` (written by a later Switchyard, which this build
 * must not use); `absent` (no database yet: it is created at this build's version on first use).
 */
export const SCHEMA_STATES = ["up_to_date", "pending", "newer", "absent"] as const;
export const SchemaState = z.enum(SCHEMA_STATES);
export type SchemaState = z.infer<typeof SchemaState>;

/** One board in `migrate --json`. */
export const BoardSchemaStatus = z.object({
  board: z.string(),
  dialect: StorageDialect,
  /** The board's file (SQLite) or schema (PostgreSQL). */
  location: z.string(),
  /** The board's schema version; null when it has no database yet. */
  version: z.number().int().nullable(),
  /** This build's schema version for the dialect. */
  current: z.number().int(),
  state: SchemaState,
  /** True when this invocation migrated it (`--apply`). */
  migrated: z.boolean(),
});
export type BoardSchemaStatus = z.infer<typeof BoardSchemaStatus>;

/** `migrate --json`. */
export const CliMigrate = z.object({ applied: z.boolean(), boards: z.array(BoardSchemaStatus) });
export type CliMigrate = z.infer<typeof CliMigrate>;
