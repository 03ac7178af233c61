import type pg from "pg";
import { CoreError } from "../errors.ts";
import { loadPg, named } from "./postgres.ts";

/**
 * The list of boards in a PostgreSQL database (SPEC §13): the table `switchyard.switchyard_boards`,
 * one row per board (its board.json in a files home), beside one schema per board. Every host
 * that uses the database sees the same boards. The schema and table are made on first use; the
 * `default` board's row always exists.
 *
 * One small pool per database URL, shared by the process, that lets the process exit while it is
 * idle; `closeCatalogs` ends them all.
 */

/** One board's row: what board.json holds in a files home. */
export interface CatalogRow {
  slug: string;
  name: string;
  description: string;
  icon: string;
  color: string;
  created_at: number | null;
  archived: boolean;
}

const TABLE = "switchyard.switchyard_boards";
const COLUMNS = "slug, name, description, icon, color, created_at, archived";
/** Catalog changes (and its creation) take this transaction-scoped advisory lock: one at a time everywhere. */
const CATALOG_LOCK = [0x5359, 0x4341] as const; // "SY", "CA"
const WHERE = "the board catalog";

const CREATE = `
CREATE SCHEMA IF NOT EXISTS switchyard;
CREATE TABLE IF NOT EXISTS ${TABLE} (
  slug        TEXT PRIMARY KEY,
  name        TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  icon        TEXT NOT NULL DEFAULT '',
  color       TEXT NOT NULL DEFAULT '',
  created_at  BIGINT,
  archived    BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO ${TABLE} (slug) VALUES ('default') ON CONFLICT (slug) DO NOTHING;
`;

interface Catalog {
  pool: pg.Pool;
  /** Set once the schema, table and `default` row are known to exist. */
  ready: Promise<void> | null;
}

const catalogs = new Map<string, Catalog>();

function rowOf(raw: Record<string, unknown>): CatalogRow {
  return {
    slug: String(raw.slug),
    name: String(raw.name ?? ""),
    description: String(raw.description ?? ""),
    icon: String(raw.icon ?? ""),
    color: String(raw.color ?? ""),
    created_at: raw.created_at === null || raw.created_at === undefined ? null : Number(raw.created_at),
    archived: raw.archived === true,
  };
}

async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw named(err, WHERE);
  }
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1, $2)", [...CATALOG_LOCK]);
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw named(err, WHERE);
  } finally {
    client.release();
  }
}

/** Creates the catalog unless it is there; two processes doing so at once wait on the lock. */
async function ensure(pool: pg.Pool): Promise<void> {
  const found = await pool.query("SELECT to_regclass($1) AS t", [TABLE]).catch((err: unknown) => {
    throw named(err, WHERE);
  });
  if (found.rows[0]?.t) {
    await pool.query(`INSERT INTO ${TABLE} (slug) VALUES ('default') ON CONFLICT (slug) DO NOTHING`).catch((err) => {
      throw named(err, WHERE);
    });
    return;
  }
  await inTransaction(pool, (client) => client.query(CREATE));
}

/** The pool of a database's catalog, the catalog made on first use. */
async function catalogPool(url: string): Promise<pg.Pool> {
  let catalog = catalogs.get(url);
  if (!catalog) {
    const { Pool } = await loadPg();
    const pool = new Pool({ connectionString: url, max: 2, allowExitOnIdle: true });
    // An idle connection that drops must not crash the process; the next query reconnects.
    pool.on("error", () => {});
    catalog = { pool, ready: null };
    catalogs.set(url, catalog);
  }
  const c = catalog;
  c.ready ??= ensure(c.pool).catch((err: unknown) => {
    c.ready = null; // tried again on the next use
    throw err;
  });
  await c.ready;
  return c.pool;
}

/** One board's row, or null when the catalog has none. */
export async function catalogRow(url: string, slug: string): Promise<CatalogRow | null> {
  const pool = await catalogPool(url);
  try {
    const result = await pool.query(`SELECT ${COLUMNS} FROM ${TABLE} WHERE slug = $1`, [slug]);
    return result.rows[0] ? rowOf(result.rows[0]) : null;
  } catch (err) {
    throw named(err, WHERE);
  }
}

/** Every board's row, by slug. */
export async function catalogRows(url: string): Promise<CatalogRow[]> {
  const pool = await catalogPool(url);
  try {
    const result = await pool.query(`SELECT ${COLUMNS} FROM ${TABLE} ORDER BY slug`);
    return result.rows.map(rowOf);
  } catch (err) {
    throw named(err, WHERE);
  }
}

/**
 * Writes a board's row as `merge` makes it from the row there (null when there is none), under
 * the catalog's lock, so two hosts changing one board do not lose either change. Returns the rows
 * before and after.
 */
export async function mergeCatalogRow(
  url: string,
  slug: string,
  merge: (current: CatalogRow | null) => CatalogRow,
): Promise<{ before: CatalogRow | null; after: CatalogRow }> {
  const pool = await catalogPool(url);
  return inTransaction(pool, async (client) => {
    const found = await client.query(`SELECT ${COLUMNS} FROM ${TABLE} WHERE slug = $1`, [slug]);
    const before = found.rows[0] ? rowOf(found.rows[0]) : null;
    const after = merge(before);
    if (after.slug !== slug) throw new CoreError("invalid_input", `a board's row cannot change its slug (${slug})`);
    await client.query(
      `INSERT INTO ${TABLE} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (slug) DO UPDATE SET name = excluded.name, description = excluded.description,
         icon = excluded.icon, color = excluded.color, created_at = excluded.created_at, archived = excluded.archived`,
      [slug, after.name, after.description, after.icon, after.color, after.created_at, after.archived],
    );
    return { before, after };
  });
}

/** Deletes a board for good: its schema with everything in it, and its row, in one transaction. */
export async function dropCatalogBoard(url: string, slug: string, schema: string): Promise<void> {
  const pool = await catalogPool(url);
  await inTransaction(pool, async (client) => {
    await client.query(`DROP SCHEMA IF EXISTS "${schema.replaceAll('"', '""')}" CASCADE`);
    await client.query(`DELETE FROM ${TABLE} WHERE slug = $1`, [slug]);
  });
}

/** Ends every catalog pool of this process (a process may also just exit: idle pools do not hold it). */
export async function closeCatalogs(): Promise<void> {
  const all = [...catalogs.values()];
  catalogs.clear();
  await Promise.all(all.map((c) => c.pool.end().catch(() => {})));
}
