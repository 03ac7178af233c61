import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { BoardMeta, BoardMetaInput, RemoveBoardResult } from "@switchyard/contract";
import { CoreError } from "./errors.ts";
import { type Kernel, type OpenKernelOptions, openKernel } from "./kernel.ts";
import {
  boardDir,
  boardExists,
  boardPaths,
  boardsDir,
  currentFile,
  DEFAULT_BOARD,
  type Home,
  normalizeSlug,
  pinValues,
  validSlugOrNull,
} from "./paths.ts";
import { busyTimeoutFromEnv } from "./storage/sqlite-file.ts";

/** Boards (reference §1.1): one SQLite file each, plus board.json and the `current` pointer. */

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
 * The active board: `SWITCHYARD_BOARD` (then `HERMES_KANBAN_BOARD`) when it is a valid slug, else
 * the `current` file when it names an existing board, else `default`. Bad values fall through
 * silently to the next source.
 */
export function currentBoard(home: Home): string {
  const fromEnv = pinValues(home.env, "BOARD")
    .map(validSlugOrNull)
    .find((slug) => slug !== null);
  if (fromEnv) return fromEnv;
  const fromFile = validSlugOrNull(readText(currentFile(home))?.trim());
  if (fromFile && boardExists(home, fromFile)) return fromFile;
  return DEFAULT_BOARD;
}

export function setCurrentBoard(home: Home, slug: string): void {
  const s = requireBoard(home, slug);
  writeAtomic(currentFile(home), `${s}\n`);
}

export function clearCurrentBoard(home: Home): void {
  rmSync(currentFile(home), { force: true });
}

/**
 * Resolves a requested board (or the active one when none is given): a malformed slug is
 * invalid input, a board other than `default` that does not exist is `board_not_found`.
 */
export function requireBoard(home: Home, requested?: string | null): string {
  const slug = normalizeSlug(requested) ?? currentBoard(home);
  if (!boardExists(home, slug)) {
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

/** board.json with the computed db_path; a missing or malformed file gives defaults. */
export function readBoardMeta(home: Home, slug: string): BoardMeta {
  let raw: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(readText(metaPath(home, slug)) ?? "{}");
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) raw = parsed;
  } catch {
    raw = {};
  }
  const str = (v: unknown, d: string) => (typeof v === "string" ? v : d);
  return {
    slug,
    name: str(raw.name, "") || titleCase(slug),
    description: str(raw.description, ""),
    icon: str(raw.icon, ""),
    color: str(raw.color, ""),
    created_at: typeof raw.created_at === "number" ? raw.created_at : null,
    archived: raw.archived === true,
    db_path: boardPaths(home, slug).dbPath,
  };
}

/** Merges the given fields into board.json; `created_at` is set on the first write. */
export function writeBoardMeta(
  home: Home,
  slug: string,
  fields: BoardMetaInput & { archived?: boolean },
  now: number,
): BoardMeta {
  const current = readBoardMeta(home, slug);
  const next = {
    slug,
    name: fields.name?.trim() || current.name,
    description: fields.description ?? current.description,
    icon: fields.icon ?? current.icon,
    color: fields.color ?? current.color,
    created_at: current.created_at ?? now,
    archived: fields.archived ?? current.archived,
  };
  writeAtomic(metaPath(home, slug), `${JSON.stringify(next, null, 2)}\n`);
  return readBoardMeta(home, slug);
}

/** Idempotent: writes metadata and initialises the database. */
export async function createBoard(
  home: Home,
  rawSlug: string,
  fields: BoardMetaInput,
  options: OpenKernelOptions & { now: number },
): Promise<{ board: BoardMeta; created: boolean }> {
  const slug = normalizeSlug(rawSlug);
  if (!slug) throw new CoreError("invalid_input", "board slug is required");
  if (slug === ARCHIVE_DIR) throw new CoreError("invalid_input", `'${ARCHIVE_DIR}' is reserved`);
  const existed = slug === DEFAULT_BOARD ? existsSync(metaPath(home, slug)) : boardExists(home, slug);
  const board = writeBoardMeta(home, slug, fields, options.now);
  await (await openBoard(home, slug, options)).close();
  return { board, created: !existed };
}

/** `default` first, then every other board directory holding a database or board.json, by slug. */
export function listBoards(home: Home, options: { includeArchived?: boolean } = {}): BoardMeta[] {
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
    .map((slug) => readBoardMeta(home, slug))
    .filter((m) => options.includeArchived !== false || !m.archived);
}

/**
 * Removes a board: archived by default (moved to `boards/_archived/<slug>-<ts>[-n]`), or
 * deleted. `default` and unknown boards are refused; the `current` pointer is cleared if it
 * named this board.
 */
export function removeBoard(
  home: Home,
  rawSlug: string,
  options: { archive?: boolean; now: number },
): RemoveBoardResult {
  const slug = normalizeSlug(rawSlug);
  if (!slug) throw new CoreError("invalid_input", "board slug is required");
  if (slug === DEFAULT_BOARD) throw new CoreError("board_protected", "the default board cannot be removed");
  if (!boardExists(home, slug)) throw new CoreError("board_not_found", `board '${slug}' does not exist`);
  if (validSlugOrNull(readText(currentFile(home))?.trim()) === slug) clearCurrentBoard(home);
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
  const slug = requireBoard(home, requested);
  return openKernel(boardPaths(home, slug), { busyTimeoutMs: busyTimeoutFromEnv(home.env), ...options });
}
