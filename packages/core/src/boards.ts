import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { BoardMeta, BoardMetaInput, RemoveBoardResult } from "@switchyard/contract";
import { CoreError } from "./errors.ts";
import { type Kernel, type OpenKernelOptions, openKernel } from "./kernel.ts";
import {
  type BoardPaths,
  boardDir,
  boardPaths,
  boardsDir,
  currentFile,
  DEFAULT_BOARD,
  type Home,
  normalizeSlug,
  pinValues,
  validSlugOrNull,
  withoutPassword,
} from "./paths.ts";
import { schemaOf } from "./storage/postgres.ts";
import {
  type CatalogRow,
  catalogRow,
  catalogRows,
  dropCatalogBoard,
  mergeCatalogRow,
} from "./storage/postgres-catalog.ts";
import { busyTimeoutFromEnv } from "./storage/sqlite-file.ts";

/**
 * Boards (reference §1.1, SPEC §13). In a files home: one SQLite file each, plus board.json. With
 * a database URL (`home.databaseUrl`): one schema each in that PostgreSQL database, and a row in
 * its catalog (storage/postgres-catalog.ts) instead of board.json, so every host sees the same
 * boards. Either way the `current` pointer is a file of this home: a user's preference on this host.
 */

const ARCHIVE_DIR = "_archived";

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** "atm10-server" -> "Atm10 Server". */
export function titleCase(slug: string): string {
  return slug
    .split(/[-_]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join(" ");
}

/**
 * The default board always exists; another exists when its directory or database does (files),
 * or when the catalog has its row, archived or not (PostgreSQL).
 */
export async function boardExists(home: Home, slug: string): Promise<boolean> {
  if (slug === DEFAULT_BOARD) return true;
  const dir = boardDir(home, slug);
  if (home.databaseUrl) return (await catalogRow(home.databaseUrl, slug)) !== null;
  return existsSync(dir) || existsSync(join(dir, "kanban.db"));
}

/**
 * The active board: `SWITCHYARD_BOARD` (then `HERMES_KANBAN_BOARD`) when it is a valid slug, else
 * the `current` file when it names an existing board, else `default`. Bad values fall through
 * silently to the next source.
 */
export async function currentBoard(home: Home): Promise<string> {
  const fromEnv = pinValues(home.env, "BOARD")
    .map(validSlugOrNull)
    .find((slug) => slug !== null);
  if (fromEnv) return fromEnv;
  const fromFile = validSlugOrNull(readText(currentFile(home))?.trim());
  if (fromFile && (await boardExists(home, fromFile))) return fromFile;
  return DEFAULT_BOARD;
}

export async function setCurrentBoard(home: Home, slug: string): Promise<void> {
  const s = await requireBoard(home, slug);
  writeAtomic(currentFile(home), `${s}\n`);
}

export function clearCurrentBoard(home: Home): void {
  rmSync(currentFile(home), { force: true });
}

/**
 * Resolves a requested board (or the active one when none is given): a malformed slug is
 * invalid input, a board other than `default` that does not exist is `board_not_found`.
 */
export async function requireBoard(home: Home, requested?: string | null): Promise<string> {
  const slug = normalizeSlug(requested) ?? (await currentBoard(home));
  if (!(await boardExists(home, slug))) {
    throw new CoreError(
      "board_not_found",
      `board '${slug}' does not exist; create it with: switchyard boards create ${slug}`,
    );
  }
  return slug;
}

function metaPath(home: Home, slug: string): string {
  return join(boardDir(home, slug), "board.json");
}

/**
 * Where a board's data is, as people are shown it (a board's `db_path`): its SQLite file, or, in
 * PostgreSQL, the database URL without its password and `#<the board's schema>`.
 */
export function boardLocation(paths: BoardPaths): string {
  return paths.databaseUrl ? `${withoutPassword(paths.databaseUrl)}#${schemaOf(paths.slug)}` : paths.dbPath;
}

/** A board's metadata from its stored fields (board.json or its catalog row); what is missing gets defaults. */
function metaOf(home: Home, slug: string, raw: Record<string, unknown>): BoardMeta {
  const str = (v: unknown, d: string) => (typeof v === "string" ? v : d);
  return {
    slug,
    name: str(raw.name, "") || titleCase(slug),
    description: str(raw.description, ""),
    icon: str(raw.icon, ""),
    color: str(raw.color, ""),
    created_at: typeof raw.created_at === "number" ? raw.created_at : null,
    archived: raw.archived === true,
    db_path: boardLocation(boardPaths(home, slug)),
  };
}

function readFileMeta(home: Home, slug: string): BoardMeta {
  let raw: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(readText(metaPath(home, slug)) ?? "{}");
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) raw = parsed;
  } catch {
    raw = {};
  }
  return metaOf(home, slug, raw);
}

/**
 * board.json (or the catalog row) with the computed db_path; a missing or malformed file, or a
 * missing row, gives defaults.
 */
export async function readBoardMeta(home: Home, slug: string): Promise<BoardMeta> {
  if (!home.databaseUrl) return readFileMeta(home, slug);
  boardDir(home, slug); // refuses a malformed slug, as the files do
  const row = await catalogRow(home.databaseUrl, slug);
  return metaOf(home, slug, row ? { ...row } : {});
}

type MetaFields = BoardMetaInput & { archived?: boolean };

/** The stored fields after a write of `fields`; `created_at` is set on the first write. */
function merged(slug: string, current: BoardMeta, fields: MetaFields, now: number): CatalogRow {
  return {
    slug,
    name: fields.name?.trim() || current.name,
    description: fields.description ?? current.description,
    icon: fields.icon ?? current.icon,
    color: fields.color ?? current.color,
    created_at: current.created_at ?? now,
    archived: fields.archived ?? current.archived,
  };
}

/** A catalog write: the row as `fields` change it, under the catalog's lock. */
async function mergeRow(
  home: Home,
  url: string,
  slug: string,
  fields: MetaFields,
  now: number,
): Promise<{ before: CatalogRow | null; meta: BoardMeta }> {
  boardDir(home, slug); // refuses a malformed slug, as the files do
  const { before, after } = await mergeCatalogRow(url, slug, (row) =>
    merged(slug, metaOf(home, slug, row ? { ...row } : {}), fields, now),
  );
  return { before, meta: metaOf(home, slug, { ...after }) };
}

/** Merges the given fields into board.json (or the catalog row); `created_at` is set on the first write. */
export async function writeBoardMeta(home: Home, slug: string, fields: MetaFields, now: number): Promise<BoardMeta> {
  if (home.databaseUrl) return (await mergeRow(home, home.databaseUrl, slug, fields, now)).meta;
  const next = merged(slug, readFileMeta(home, slug), fields, now);
  writeAtomic(metaPath(home, slug), `${JSON.stringify(next, null, 2)}\n`);
  return readFileMeta(home, slug);
}

/**
 * Idempotent: writes metadata and initialises the database. In PostgreSQL, creating an archived
 * board brings it back (with its tasks): an archived board is still there, only hidden.
 */
export async function createBoard(
  home: Home,
  rawSlug: string,
  fields: BoardMetaInput,
  options: OpenKernelOptions & { now: number },
): Promise<{ board: BoardMeta; created: boolean }> {
  const slug = normalizeSlug(rawSlug);
  if (!slug) throw new CoreError("invalid_input", "board slug is required");
  if (slug === ARCHIVE_DIR) throw new CoreError("invalid_input", `'${ARCHIVE_DIR}' is reserved`);
  if (home.databaseUrl) {
    const { before, meta } = await mergeRow(home, home.databaseUrl, slug, { ...fields, archived: false }, options.now);
    await (await openBoard(home, slug, options)).close();
    // `default`'s row is there from the start; it is created by its first write, as its board.json is.
    return { board: meta, created: before === null || before.created_at === null };
  }
  const existed = slug === DEFAULT_BOARD ? existsSync(metaPath(home, slug)) : await boardExists(home, slug);
  const board = await writeBoardMeta(home, slug, fields, options.now);
  await (await openBoard(home, slug, options)).close();
  return { board, created: !existed };
}

/**
 * `default` first, then the others by slug: every other board directory holding a database or
 * board.json (files), or every row of the catalog (PostgreSQL).
 */
export async function listBoards(home: Home, options: { includeArchived?: boolean } = {}): Promise<BoardMeta[]> {
  if (home.databaseUrl) {
    const rows = await catalogRows(home.databaseUrl);
    const stored = new Map(rows.map((r) => [r.slug, r]));
    const slugs = [DEFAULT_BOARD, ...rows.map((r) => r.slug).filter((slug) => slug !== DEFAULT_BOARD)];
    return slugs
      .map((slug) => metaOf(home, slug, { ...stored.get(slug) }))
      .filter((m) => options.includeArchived !== false || !m.archived);
  }
  const slugs = new Set<string>([DEFAULT_BOARD]);
  const dir = boardsDir(home);
  if (existsSync(dir)) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || validSlugOrNull(entry.name) !== entry.name) continue;
      const d = join(dir, entry.name);
      if (existsSync(join(d, "kanban.db")) || existsSync(join(d, "board.json"))) slugs.add(entry.name);
    }
  }
  const [first, ...rest] = [...slugs];
  return [first as string, ...rest.sort()]
    .map((slug) => readFileMeta(home, slug))
    .filter((m) => options.includeArchived !== false || !m.archived);
}

/**
 * Removes a board: archived by default (moved to `boards/_archived/<slug>-<ts>[-n]`; in
 * PostgreSQL marked `archived`, its tasks kept), or deleted (in PostgreSQL its schema is dropped
 * with everything in it, and its row). `default` and unknown boards are refused; the `current`
 * pointer is cleared if it named this board.
 */
export async function removeBoard(
  home: Home,
  rawSlug: string,
  options: { archive?: boolean; now: number },
): Promise<RemoveBoardResult> {
  const slug = normalizeSlug(rawSlug);
  if (!slug) throw new CoreError("invalid_input", "board slug is required");
  if (slug === DEFAULT_BOARD) throw new CoreError("board_protected", "the default board cannot be removed");
  if (!(await boardExists(home, slug))) throw new CoreError("board_not_found", `board '${slug}' does not exist`);
  if (validSlugOrNull(readText(currentFile(home))?.trim()) === slug) clearCurrentBoard(home);
  if (home.databaseUrl) {
    if (options.archive === false) {
      await dropCatalogBoard(home.databaseUrl, slug, schemaOf(slug));
      return { slug, action: "deleted", new_path: null };
    }
    await mergeRow(home, home.databaseUrl, slug, { archived: true }, options.now);
    return { slug, action: "archived", new_path: null };
  }
  const dir = boardDir(home, slug);
  if (options.archive === false) {
    rmSync(dir, { recursive: true, force: true });
    return { slug, action: "deleted", new_path: null };
  }
  const base = join(boardsDir(home), ARCHIVE_DIR, `${slug}-${options.now}`);
  let target = base;
  for (let n = 1; existsSync(target); n++) target = `${base}-${n}`;
  mkdirSync(dirname(target), { recursive: true });
  renameSync(dir, target);
  return { slug, action: "archived", new_path: target };
}

/** Opens a board's database (creating and initialising it on first use). */
export async function openBoard(
  home: Home,
  requested?: string | null,
  options: OpenKernelOptions = {},
): Promise<Kernel> {
  const slug = await requireBoard(home, requested);
  return openKernel(boardPaths(home, slug), { busyTimeoutMs: busyTimeoutFromEnv(home.env), ...options });
}
