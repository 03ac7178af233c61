import { randomBytes } from "node:crypto";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { refusal, tempHome, testDatabaseUrl } from "../test/fixtures.ts";
import { openKernel } from "./kernel.ts";
import { boardSchemaStatus, migrateBoard } from "./migrations.ts";
import { type BoardPaths, boardPaths } from "./paths.ts";
import { PG_SCHEMA_VERSION } from "./storage/postgres-schema.ts";
import { SCHEMA_VERSION } from "./storage/sqlite-schema.ts";

/**
 * `switchyard migrate`'s kernel side on the storage of the project that runs it: a SQLite file,
 * or (core-postgres) a board's schema in the test PostgreSQL server.
 */

const url = testDatabaseUrl();
const current = url ? PG_SCHEMA_VERSION : SCHEMA_VERSION;

function newBoard(): BoardPaths {
  const home = tempHome(url ? { SWITCHYARD_DATABASE_URL: url } : {});
  return boardPaths(home, `mig_${randomBytes(5).toString("hex")}`);
}

/** Records `version` as the board's schema version, as an older or newer Switchyard would have left it. */
async function recordVersion(paths: BoardPaths, version: number): Promise<void> {
  if (!url) {
    const db = new BetterSqlite3(paths.dbPath);
    db.pragma(`user_version = ${version}`);
    db.close();
    return;
  }
  const k = await openKernel(paths);
  try {
    await k.db.run("UPDATE switchyard_meta SET value = ? WHERE key = 'schema_version'", [String(version)]);
  } finally {
    await k.close();
  }
}

/** Opens the board once, as any command does: that creates or migrates its schema. */
async function open(paths: BoardPaths): Promise<void> {
  await (await openKernel(paths)).close();
}

describe("a board's schema against this build", () => {
  it("is absent before the board's first open, and up to date after it", async () => {
    const paths = newBoard();
    expect(await boardSchemaStatus(paths)).toEqual({
      board: paths.slug,
      dialect: url ? "postgres" : "sqlite",
      location: expect.any(String),
      version: null,
      current,
      state: "absent",
      migrated: false,
    });
    expect(await migrateBoard(paths)).toMatchObject({ state: "absent", migrated: false });
    expect(await boardSchemaStatus(paths)).toMatchObject({ state: "absent" });
    await open(paths);
    expect(await boardSchemaStatus(paths)).toMatchObject({ version: current, state: "up_to_date" });
    expect(await migrateBoard(paths)).toMatchObject({ version: current, state: "up_to_date", migrated: false });
  });

  it("is pending when older, is shown so without being migrated, and is brought up by migrateBoard", async () => {
    const paths = newBoard();
    await open(paths);
    await recordVersion(paths, current - 1);
    expect(await boardSchemaStatus(paths)).toMatchObject({ version: current - 1, current, state: "pending" });
    expect(await boardSchemaStatus(paths)).toMatchObject({ version: current - 1, state: "pending" });
    expect(await migrateBoard(paths)).toMatchObject({ version: current, state: "up_to_date", migrated: true });
    expect(await boardSchemaStatus(paths)).toMatchObject({ version: current, state: "up_to_date" });
  });

  it("written by a newer Switchyard is reported, and migrating it is refused without touching it", async () => {
    const paths = newBoard();
    await open(paths);
    await recordVersion(paths, current + 1);
    expect(await boardSchemaStatus(paths)).toMatchObject({ version: current + 1, state: "newer" });
    const err = await refusal(() => migrateBoard(paths));
    expect(err.code).toBe("invalid_input");
    expect(err.message).toBe(
      `board '${paths.slug}' has schema version ${current + 1}, newer than this Switchyard's ${current}; upgrade Switchyard to use it`,
    );
    expect(await boardSchemaStatus(paths)).toMatchObject({ version: current + 1, state: "newer" });
  });
});
