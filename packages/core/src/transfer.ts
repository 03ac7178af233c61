import {
  BOARD_DOCUMENT_FORMAT,
  BOARD_DOCUMENT_VERSION,
  type BoardCell,
  BoardDocument,
  type BoardTableRows,
} from "@switchyard/contract";
import { CoreError, isCoreError } from "./errors.ts";
import type { Kernel } from "./kernel.ts";
import {
  advanceIdentities,
  boardTables,
  identityOverride,
  quoted,
  recordedSchemaVersion,
  type TableShape,
} from "./storage/board-tables.ts";

/**
 * Moving a whole board between databases (issue 17, SPEC §13): `exportBoard` reads every row of
 * every board table into a document (contract `BoardDocument`), `importBoard` writes one into
 * an empty board, on either storage. Nothing is translated: ids (the task ids, the event ids
 * that are the live stream's cursor, run and comment ids, the tasks' rowid that orders the
 * cards) and every column value arrive exactly as they were, so an export of the imported board
 * equals the document it came from.
 */

/**
 * The tables a board's content lives in, in the order an import loads them. Export and import
 * carry every table of the board's schema except those in NOT_TRANSFERRED, so a table the
 * schema gains is carried without a change here; transfer.test.ts compares both lists with the
 * live schema of each storage, so a new table must be placed in one of them deliberately.
 */
export const BOARD_TABLES = [
  "tasks",
  "task_links",
  "task_comments",
  "task_runs",
  "task_events",
  "run_proofs",
  "kanban_notify_subs",
  "profile_pauses",
  "board_settings",
] as const;

/** Tables of a board's schema that are not its content, and why they stay behind. */
export const NOT_TRANSFERRED: Readonly<Record<string, string>> = {
  switchyard_meta: "the PostgreSQL schema's own bookkeeping (its version); the target keeps its own",
  hosts:
    "runtime state, left out on purpose: the dispatcher hosts working the board now and their leases; " +
    "a host registers again by its heartbeat on whichever database it works",
};

const leftOut = (table: string) => Object.hasOwn(NOT_TRANSFERRED, table);

/** SQL parameters per multi-row INSERT: under SQLite's oldest default limit (999) and PostgreSQL's (65,535). */
const PARAMS_PER_INSERT = 990;

function transferredTables(shapes: ReadonlyMap<string, TableShape>): TableShape[] {
  const order = new Map<string, number>(BOARD_TABLES.map((name, i) => [name, i]));
  return [...shapes.values()]
    .filter((t) => !leftOut(t.name))
    .sort((a, b) => (order.get(a.name) ?? order.size) - (order.get(b.name) ?? order.size) || compare(a.name, b.name));
}

/** Code-unit order for text and numeric order for numbers, NULL first: the same on every storage. */
function compare(a: BoardCell | undefined, b: BoardCell | undefined): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A table's rows in its primary key's order (every column's, without one). */
function sortRows(table: TableShape, rows: BoardCell[][]): void {
  const key = (table.key.length > 0 ? table.key : table.columns).map((c) => table.columns.indexOf(c));
  rows.sort((a, b) => {
    for (const i of key) {
      const d = compare(a[i], b[i]);
      if (d !== 0) return d;
    }
    return 0;
  });
}

async function readDocument(k: Kernel): Promise<BoardDocument> {
  const tables: Record<string, BoardTableRows> = {};
  for (const table of transferredTables(await boardTables(k.db, k.dialect))) {
    const rows: BoardCell[][] = [];
    await k.db.each(`SELECT ${table.columns.map(quoted).join(", ")} FROM ${quoted(table.name)}`, [], (row) => {
      rows.push(row as BoardCell[]);
    });
    sortRows(table, rows);
    tables[table.name] = { columns: [...table.columns], rows };
  }
  return {
    format: BOARD_DOCUMENT_FORMAT,
    version: BOARD_DOCUMENT_VERSION,
    board: k.paths.slug,
    dialect: k.dialect,
    schema_version: await recordedSchemaVersion(k.db, k.dialect),
    exported_at: k.clock.now(),
    tables,
  };
}

/**
 * Every row of the board, as one consistent snapshot: it is read inside a write transaction,
 * so no write lands halfway through (a board that can only be read is read as it stands).
 * Rows come in each table's key order, so two exports of the same content are equal.
 */
export async function exportBoard(k: Kernel): Promise<BoardDocument> {
  return k.readOnly ? readDocument(k) : k.write(readDocument);
}

/**
 * The document as JSON text, in pieces: the header, then one line per row, so a large board is
 * written without building one string of the whole of it. `JSON.parse` of the pieces joined
 * equals `doc`.
 */
export function* formatBoardDocument(doc: BoardDocument): Generator<string> {
  const { tables, ...header } = doc;
  yield `${JSON.stringify(header).slice(0, -1)},"tables":{`;
  let firstTable = true;
  for (const [name, table] of Object.entries(tables)) {
    yield `${firstTable ? "" : ","}\n${JSON.stringify(name)}:{"columns":${JSON.stringify(table.columns)},"rows":[`;
    firstTable = false;
    let firstRow = true;
    for (const row of table.rows) {
      yield `${firstRow ? "" : ","}\n${JSON.stringify(row)}`;
      firstRow = false;
    }
    yield "]}";
  }
  yield "\n}}\n";
}

function invalid(message: string): CoreError {
  return new CoreError("invalid_input", message);
}

/**
 * Reads a document (JSON text, or a value already parsed): refuses with `invalid_input` what is
 * not JSON, not a board export, of another version, or malformed (a row whose length is not its
 * table's column count, a column named twice).
 */
export function parseBoardDocument(input: unknown): BoardDocument {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw invalid(`not a board export: the text is not JSON (${(err as Error).message})`);
    }
  }
  const head = (value ?? {}) as { format?: unknown; version?: unknown };
  if (typeof value !== "object" || Array.isArray(value) || head.format !== BOARD_DOCUMENT_FORMAT) {
    throw invalid(`not a board export: its format is not '${BOARD_DOCUMENT_FORMAT}'`);
  }
  if (head.version !== BOARD_DOCUMENT_VERSION) {
    throw invalid(
      `board export version ${JSON.stringify(head.version)} cannot be read by this Switchyard (it reads version ${BOARD_DOCUMENT_VERSION})`,
    );
  }
  const parsed = BoardDocument.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`malformed board export: ${issue?.path.join(".") || "(document)"}: ${issue?.message}`);
  }
  for (const [name, table] of Object.entries(parsed.data.tables)) {
    if (new Set(table.columns).size !== table.columns.length) throw invalid(`table ${name} names a column twice`);
    const bad = table.rows.findIndex((row) => row.length !== table.columns.length);
    if (bad >= 0) {
      throw invalid(
        `table ${name}, row ${bad + 1}: ${table.rows[bad]?.length} values for ${table.columns.length} columns`,
      );
    }
  }
  return parsed.data;
}

/** Rows per table, as an import or export reports them. */
export function rowCounts(doc: BoardDocument): Record<string, number> {
  return Object.fromEntries(Object.entries(doc.tables).map(([name, t]) => [name, t.rows.length]));
}

async function insertRows(k: Kernel, name: string, table: BoardTableRows): Promise<void> {
  const columns = table.columns.map(quoted).join(", ");
  const tuple = `(${table.columns.map(() => "?").join(", ")})`;
  const perInsert = Math.max(1, Math.floor(PARAMS_PER_INSERT / Math.max(1, table.columns.length)));
  for (let i = 0; i < table.rows.length; i += perInsert) {
    const batch = table.rows.slice(i, i + perInsert);
    const sql = `INSERT INTO ${quoted(name)} (${columns})${identityOverride(k.dialect)} VALUES ${batch.map(() => tuple).join(", ")}`;
    try {
      await k.db.run(sql, batch.flat());
    } catch (err) {
      if (isCoreError(err)) throw err;
      throw invalid(`table ${name}, rows ${i + 1}-${i + batch.length}: ${(err as Error).message}`);
    }
  }
}

/**
 * Loads a board export into this board, which must be empty (no row in any board table; a
 * board with content is refused with `board_exists`), in one write transaction: every row as it
 * was, ids included. A document that is not a board export of this version, or names a table or
 * column this board's schema does not have, or whose rows this schema refuses, is refused with
 * `invalid_input`; a refusal changes nothing. The rows' own events are the board's history, so
 * the import appends none (its export equals the document). Returns the rows loaded per table.
 */
export async function importBoard(k: Kernel, input: unknown): Promise<Record<string, number>> {
  const doc = parseBoardDocument(input);
  return k.write(async (k) => {
    const shapes = await boardTables(k.db, k.dialect);
    for (const [name, table] of Object.entries(doc.tables)) {
      const shape = shapes.get(name);
      if (!shape || leftOut(name)) throw invalid(`the export has a table this board does not: ${name}`);
      const unknown = table.columns.filter((c) => !shape.columns.includes(c));
      if (unknown.length > 0) {
        throw invalid(`the export's table ${name} has columns this board's does not: ${unknown.join(", ")}`);
      }
    }
    const filled: string[] = [];
    for (const table of transferredTables(shapes)) {
      if (await k.db.get(`SELECT 1 AS one FROM ${quoted(table.name)} LIMIT 1`)) filled.push(table.name);
    }
    if (filled.length > 0) {
      throw new CoreError(
        "board_exists",
        `board '${k.paths.slug}' is not empty (it has rows in ${filled.join(", ")}); import into a new board`,
      );
    }
    const order = transferredTables(shapes).map((t) => t.name);
    for (const name of order) {
      const table = doc.tables[name];
      if (table) await insertRows(k, name, table);
    }
    await advanceIdentities(k.db, k.dialect);
    return rowCounts(doc);
  });
}
