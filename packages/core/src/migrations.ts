import type { BoardSchemaStatus, SchemaState } from "@switchyard/contract";
import { boardLocation } from "./boards.ts";
import { CoreError } from "./errors.ts";
import { type OpenKernelOptions, openKernel } from "./kernel.ts";
import type { BoardPaths } from "./paths.ts";
import { readPostgresSchemaVersion, schemaOf } from "./storage/postgres.ts";
import { PG_SCHEMA_VERSION } from "./storage/postgres-schema.ts";
import { readSqliteSchemaVersion } from "./storage/sqlite.ts";
import { SCHEMA_VERSION } from "./storage/sqlite-schema.ts";

/**
 * A board's schema against this build (`switchyard migrate`, issue 17). Opening a board
 * migrates it as it always did; these let an operator see first, and migrate every board at a
 * time of their choosing (before a fleet of runners opens them at once, say).
 */

function stateOf(version: number | null, current: number): SchemaState {
  if (version === null) return "absent";
  if (version < current) return "pending";
  return version > current ? "newer" : "up_to_date";
}

/**
 * Where the board's schema stands, read without creating, migrating or writing anything: a
 * SQLite file is opened read-only, a PostgreSQL schema's `switchyard_meta` is read on one
 * short connection.
 */
export async function boardSchemaStatus(paths: BoardPaths): Promise<BoardSchemaStatus> {
  const url = paths.databaseUrl;
  const [version, current] = url
    ? [await readPostgresSchemaVersion({ url, schema: schemaOf(paths.slug) }), PG_SCHEMA_VERSION]
    : [readSqliteSchemaVersion(paths.dbPath), SCHEMA_VERSION];
  return {
    board: paths.slug,
    dialect: url ? "postgres" : "sqlite",
    location: boardLocation(paths),
    version,
    current,
    state: stateOf(version, current),
    migrated: false,
  };
}

/**
 * Brings a board whose schema is older than this build's up to it (the migration an open runs,
 * under the board's lock), and returns where it stands then. A board that is up to date, or
 * has no database yet, is left alone; one written by a newer Switchyard is refused with
 * `invalid_input` and not touched.
 */
export async function migrateBoard(paths: BoardPaths, options: OpenKernelOptions = {}): Promise<BoardSchemaStatus> {
  const before = await boardSchemaStatus(paths);
  if (before.state === "newer") {
    throw new CoreError(
      "invalid_input",
      `board '${paths.slug}' has schema version ${before.version}, newer than this Switchyard's ${before.current}; upgrade Switchyard to use it`,
    );
  }
  if (before.state !== "pending") return before;
  await (await openKernel(paths, options)).close();
  return { ...(await boardSchemaStatus(paths)), migrated: true };
}
