import type Pg from "pg";
import { CoreError, isCoreError } from "../errors.ts";
import type { Queryable, StorageDriver, Transaction } from "./driver.ts";
import { Mutex } from "./mutex.ts";
import { PG_DDL, PG_SCHEMA_VERSION } from "./postgres-schema.ts";

/**
 * The PostgreSQL driver (issue 17, decision 012's seam): one schema per board in one database,
 * a pool of connections whose `search_path` is that schema. A write transaction takes the
 * board's transaction-scoped advisory lock first, so writes to one board are one at a time
 * across every process and host (event ids stay in commit order for the cursor), and announces
 * its commit with NOTIFY, which every other connection to the board hears (`onCommit`).
 *
 * SQL arrives in the subset both engines share, with `?` placeholders; they become `$1`, `$2`…
 * BIGINT and NUMERIC values come back as JS numbers (ids and Unix seconds fit).
 */

/** A board's schema name: `board_` and its slug, quoted where it is used. */
export function schemaOf(slug: string): string {
  return `board_${slug}`;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The NOTIFY channel of a board (identifiers are at most 63 bytes). */
function channelOf(schema: string): string {
  return `sy_${schema}`.slice(0, 63);
}

/** The advisory-lock key of a board: a 32-bit hash of its schema name (two keys: switchyard, board). */
function lockKey(schema: string): number {
  let h = 0;
  for (const ch of schema) h = (Math.imul(h, 31) + (ch.codePointAt(0) ?? 0)) | 0;
  return h;
}
const LOCK_SPACE = 0x5359; // "SY"

/** `?` placeholders outside quoted text and identifiers, numbered for PostgreSQL. */
export function numbered(sql: string): string {
  let out = "";
  let n = 0;
  let quoteChar: string | null = null;
  for (const ch of sql) {
    if (quoteChar) {
      if (ch === quoteChar) quoteChar = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quoteChar = ch;
      out += ch;
    } else if (ch === "?") {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * The `pg` library, loaded on the first use of a PostgreSQL board: most processes (a CLI call on
 * a SQLite board) never need it, and loading it costs a CLI call ~30 ms (docs/performance.md).
 */
let pg: typeof Pg;
export async function loadPg(): Promise<typeof Pg> {
  pg ??= (await import("pg")).default;
  return pg;
}

const BIGINT_OID = 20;
const NUMERIC_OID = 1700;
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === BIGINT_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as "text");
  },
};

/** SQLSTATE classes and codes that mean the database cannot be reached or used right now. */
const UNAVAILABLE = new Set(["57P01", "57P02", "57P03", "53300", "08000", "08001", "08003", "08004", "08006"]);
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "EPIPE"]);

/** A failure of the database itself, named (`storage_unavailable`); anything else as it was. */
export function named(err: unknown, where: string): unknown {
  if (isCoreError(err)) return err;
  const e = err as { code?: string; message?: string };
  if ((e.code && (UNAVAILABLE.has(e.code) || NETWORK.has(e.code))) || /Connection terminated/.test(e.message ?? "")) {
    return new CoreError(
      "storage_unavailable",
      `the board's database cannot be reached (${where}): ${e.message ?? e.code}`,
    );
  }
  return err;
}

export interface PostgresDriverOptions {
  /** `postgres://…` of the database. */
  url: string;
  /** The board's schema (`schemaOf(slug)`). */
  schema: string;
  /** Connections in the pool (default 4). */
  poolSize?: number;
}

function queryable(
  run: (sql: string, params: readonly unknown[], arrays?: boolean) => Promise<Pg.QueryResult>,
): Queryable {
  return {
    all: async <R>(sql: string, params: readonly unknown[] = []) => (await run(sql, params)).rows as R[],
    get: async <R>(sql: string, params: readonly unknown[] = []) => (await run(sql, params)).rows[0] as R | undefined,
    run: async (sql, params = []) => (await run(sql, params)).rowCount ?? 0,
    async each(sql, params, each) {
      for (const row of (await run(sql, params, true)).rows as unknown[][]) each(row);
    },
  };
}

/** Opens a board in PostgreSQL, creating its schema and tables on first use. */
export async function openPostgresDriver(options: PostgresDriverOptions): Promise<StorageDriver> {
  const { schema } = options;
  const where = `schema ${schema}`;
  await loadPg();
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 4,
    options: `-c search_path=${quote(schema)}`,
    types,
  });
  // An idle connection that drops must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const listeners = new Set<() => void>();
  const lock = new Mutex();
  let listener: Pg.Client | null = null;
  let closed = false;

  const notify = () => {
    for (const l of [...listeners]) {
      try {
        l();
      } catch {
        // A listener's failure is its own.
      }
    }
  };

  /** Statements on the pool (committed data) or on a transaction's connection, failures named. */
  const runner =
    (on: Pg.Pool | Pg.PoolClient) =>
    async (sql: string, params: readonly unknown[], arrays = false): Promise<Pg.QueryResult> => {
      try {
        return await on.query({
          text: numbered(sql),
          values: params as unknown[],
          ...(arrays ? { rowMode: "array" as const } : {}),
        });
      } catch (err) {
        throw named(err, where);
      }
    };
  const poolRun = runner(pool);

  // The schema and its tables, once per database, under the board's lock.
  {
    let client: Pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      await pool.end().catch(() => {});
      throw named(err, where);
    }
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_SPACE, lockKey(schema)]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`);
      const has = await client.query(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'switchyard_meta'",
        [schema],
      );
      const version =
        has.rowCount && has.rowCount > 0
          ? Number(
              (await client.query("SELECT value FROM switchyard_meta WHERE key = 'schema_version'")).rows[0]?.value ??
                0,
            )
          : 0;
      if (version < PG_SCHEMA_VERSION) {
        await client.query(PG_DDL);
        await client.query(
          "INSERT INTO switchyard_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          [String(PG_SCHEMA_VERSION)],
        );
      }
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      client.release();
      await pool.end().catch(() => {});
      throw named(err, where);
    }
    client.release();
  }

  const reads = queryable(poolRun);

  return {
    dialect: "postgres",
    readOnly: false,
    ...reads,
    async run(sql, params = []) {
      const changed = await reads.run(sql, params);
      if (changed > 0) notify();
      return changed;
    },
    async write(fn) {
      if (closed) throw new CoreError("storage_unavailable", `the board's database connection is closed (${where})`);
      const wait = lock.acquire();
      if (wait) await wait;
      let client: Pg.PoolClient | null = null;
      try {
        try {
          client = await pool.connect();
        } catch (err) {
          throw named(err, where);
        }
        const c = client;
        const run = runner(c);
        let savepoints = 0;
        const tx: Transaction = {
          ...queryable(run),
          async savepoint(inner) {
            const name = `sp${++savepoints}`;
            try {
              await run(`SAVEPOINT ${name}`, []);
              try {
                const result = await inner();
                await run(`RELEASE SAVEPOINT ${name}`, []);
                return result;
              } catch (err) {
                await run(`ROLLBACK TO SAVEPOINT ${name}`, []);
                await run(`RELEASE SAVEPOINT ${name}`, []);
                throw err;
              }
            } finally {
              savepoints--;
            }
          },
        };
        await run("BEGIN", []);
        let result: Awaited<ReturnType<typeof fn>>;
        try {
          await run("SELECT pg_advisory_xact_lock(?, ?)", [LOCK_SPACE, lockKey(schema)]);
          result = await fn(tx);
          await run("SELECT pg_notify(?, '')", [channelOf(schema)]);
          await run("COMMIT", []);
        } catch (err) {
          await c.query("ROLLBACK").catch(() => {});
          throw err;
        }
        notify();
        return result;
      } finally {
        client?.release();
        lock.release();
      }
    },
    onCommit(l) {
      listeners.add(l);
      if (!listener && !closed) {
        const client = new pg.Client({ connectionString: options.url });
        listener = client;
        client.on("notification", notify);
        client.on("error", () => {});
        client
          .connect()
          .then(() => client.query(`LISTEN ${quote(channelOf(schema))}`))
          .catch(() => {});
      }
      return () => {
        listeners.delete(l);
        if (listeners.size === 0 && listener) {
          void listener.end().catch(() => {});
          listener = null;
        }
      };
    },
    stale: () => closed,
    async checkIntegrity() {
      await poolRun("SELECT 1", []);
      return "ok";
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      if (listener) await listener.end().catch(() => {});
      listener = null;
      await pool.end().catch(() => {});
    },
  };
}

/**
 * The schema version a board's PostgreSQL schema records in `switchyard_meta`, read on one
 * short connection without creating or migrating anything; null when the schema or its
 * `switchyard_meta` does not exist yet. An unreachable database is `storage_unavailable`.
 */
export async function readPostgresSchemaVersion(options: { url: string; schema: string }): Promise<number | null> {
  const where = `schema ${options.schema}`;
  await loadPg();
  const client = new pg.Client({ connectionString: options.url });
  client.on("error", () => {});
  try {
    await client.connect();
    const has = await client.query(
      "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'switchyard_meta'",
      [options.schema],
    );
    if (!has.rowCount) return null;
    const row = await client.query<{ value: string }>(
      `SELECT value FROM ${quote(options.schema)}.switchyard_meta WHERE key = 'schema_version'`,
    );
    return row.rows[0] ? Number(row.rows[0].value) : null;
  } catch (err) {
    throw named(err, where);
  } finally {
    await client.end().catch(() => {});
  }
}
