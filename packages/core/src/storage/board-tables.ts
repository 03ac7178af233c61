import type { Queryable, StorageDriver } from "./driver.ts";

/**
 * What a board's own database says about its tables, for moving a board between databases
 * (transfer.ts): the one place outside the drivers that reads a catalog (`sqlite_master` and
 * `pragma_table_info`, PostgreSQL's `information_schema`) or names a dialect's own syntax.
 */

type Dialect = StorageDriver["dialect"];

export interface TableShape {
  readonly name: string;
  /** Column names in declaration order. */
  readonly columns: readonly string[];
  /** The primary key's columns, in key order (empty when the table has none). */
  readonly key: readonly string[];
}

/**
 * The rowid of `tasks` is the last key of the board's card order (decision 012). SQLite gives
 * every row one without declaring it; the PostgreSQL schema declares it as the last column of
 * `tasks`. It is listed as that column on SQLite too, so both describe the same table.
 */
const SQLITE_ROWID_TABLES = new Set(["tasks"]);

/** `"name"`: an identifier quoted the way SQLite and PostgreSQL both read it. */
export function quoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

interface ColumnRow {
  table_name: string;
  column_name: string;
  key_position: number | null;
}

/** Every table of the board, by name, with its columns and primary key. */
export async function boardTables(db: Queryable, dialect: Dialect): Promise<Map<string, TableShape>> {
  const rows =
    dialect === "sqlite"
      ? await db.all<ColumnRow>(
          `SELECT m.name AS table_name, p.name AS column_name, CASE WHEN p.pk > 0 THEN p.pk END AS key_position
             FROM sqlite_master AS m, pragma_table_info(m.name) AS p
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
            ORDER BY m.name, p.cid`,
        )
      : await db.all<ColumnRow>(
          `SELECT c.table_name AS table_name, c.column_name AS column_name, k.ordinal_position AS key_position
             FROM information_schema.columns AS c
             JOIN information_schema.tables AS t
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
             LEFT JOIN information_schema.table_constraints AS pk
               ON pk.table_schema = c.table_schema AND pk.table_name = c.table_name AND pk.constraint_type = 'PRIMARY KEY'
             LEFT JOIN information_schema.key_column_usage AS k
               ON k.constraint_schema = pk.constraint_schema AND k.constraint_name = pk.constraint_name
              AND k.table_name = c.table_name AND k.column_name = c.column_name
            WHERE c.table_schema = current_schema()
            ORDER BY c.table_name, c.ordinal_position`,
        );
  const byTable = new Map<string, ColumnRow[]>();
  for (const row of rows) {
    const list = byTable.get(row.table_name) ?? [];
    list.push(row);
    byTable.set(row.table_name, list);
  }
  const shapes = new Map<string, TableShape>();
  for (const [name, cols] of byTable) {
    const columns = cols.map((c) => c.column_name);
    if (dialect === "sqlite" && SQLITE_ROWID_TABLES.has(name) && !columns.includes("rowid")) columns.push("rowid");
    const key = cols
      .filter((c) => c.key_position !== null)
      .sort((a, b) => Number(a.key_position) - Number(b.key_position))
      .map((c) => c.column_name);
    shapes.set(name, { name, columns, key });
  }
  return shapes;
}

/**
 * The words between an INSERT's column list and its VALUES that let it give identity columns
 * their values: PostgreSQL generates `tasks.rowid` ALWAYS, and refuses a value for it without
 * `OVERRIDING SYSTEM VALUE`. SQLite takes any rowid or AUTOINCREMENT id it is given.
 */
export function identityOverride(dialect: Dialect): string {
  return dialect === "postgres" ? " OVERRIDING SYSTEM VALUE" : "";
}

/**
 * After rows were inserted with their own ids: moves every identity column's sequence past the
 * largest id, so the next row gets a fresh one. PostgreSQL only; SQLite's AUTOINCREMENT and
 * rowid already continue after the largest id stored.
 */
export async function advanceIdentities(db: Queryable, dialect: Dialect): Promise<void> {
  if (dialect !== "postgres") return;
  const identities = await db.all<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND is_identity = 'YES'`,
  );
  for (const { table_name: table, column_name: column } of identities) {
    await db.get(
      `SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT MAX(${quoted(column)}) FROM ${quoted(table)}), 0) + 1, false) AS next`,
      [quoted(table), column],
    );
  }
}

/**
 * The board's schema version as its database records it: SQLite's `user_version`, or the
 * `schema_version` row of PostgreSQL's `switchyard_meta`; null when none is recorded.
 */
export async function recordedSchemaVersion(db: Queryable, dialect: Dialect): Promise<number | null> {
  const row =
    dialect === "sqlite"
      ? await db.get<{ version: number }>("SELECT user_version AS version FROM pragma_user_version")
      : await db.get<{ version: string }>("SELECT value AS version FROM switchyard_meta WHERE key = 'schema_version'");
  return row ? Number(row.version) : null;
}
