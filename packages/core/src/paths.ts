import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { DATABASE_URL_PATTERN, SLUG_PATTERN } from "@switchyard/contract";
import { CoreError } from "./errors.ts";

export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_BOARD = "default";

/**
 * A Switchyard home: `SWITCHYARD_HOME`, else `~/.switchyard` (SPEC §2). `env` is kept so that
 * the board and path pins are read from the same environment the home came from.
 */
export interface Home {
  readonly root: string;
  readonly env: Env;
  /**
   * `postgres://…`: the boards (and their list) live in this PostgreSQL database, one schema per
   * board (SPEC §13); null: in the home's SQLite files. `SWITCHYARD_DATABASE_URL`, else
   * `storage.url` in config.yaml (the runtime's `storageHome` adds that one).
   */
  readonly databaseUrl: string | null;
}

/** Where one board keeps its files (reference §1.1). */
export interface BoardPaths {
  readonly slug: string;
  /** The board's SQLite file (unused when `databaseUrl` is set). */
  readonly dbPath: string;
  /** The home's PostgreSQL database, or null for the SQLite file (openKernel picks the driver by it). */
  readonly databaseUrl: string | null;
  readonly workspacesRoot: string;
  readonly logsDir: string;
  /** Holds board.json; for `default` this is `<root>/kanban/boards/default/`. */
  readonly metaDir: string;
}

function nonBlank(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

type PinName = "DB" | "BOARD" | "WORKSPACES_ROOT";

/** The non-blank values of an env pin in order of precedence: the SWITCHYARD_ name, then its HERMES_KANBAN_ twin. */
export function pinValues(env: Env, name: PinName): string[] {
  return [env[`SWITCHYARD_${name}`], env[`HERMES_KANBAN_${name}`]]
    .map(nonBlank)
    .filter((v): v is string => v !== undefined);
}

/** An env pin: the SWITCHYARD_ name wins, its HERMES_KANBAN_ twin is honoured after it. */
export function pin(env: Env, name: PinName): string | undefined {
  return pinValues(env, name)[0];
}

export function expandHome(path: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return join(homedir(), path.slice(2));
  return path;
}

export function resolveHome(env: Env = process.env): Home {
  const explicit = nonBlank(env.SWITCHYARD_HOME);
  const root = explicit ? resolve(expandHome(explicit)) : join(homedir(), ".switchyard");
  return { root, env, databaseUrl: databaseUrlOf(env.SWITCHYARD_DATABASE_URL, "SWITCHYARD_DATABASE_URL") };
}

/**
 * A database URL as configured (`what` names where it came from): trimmed, blank is none, and it
 * must be PostgreSQL's. The refusal never repeats the value, which may hold a password.
 */
export function databaseUrlOf(raw: string | undefined, what: string): string | null {
  const url = nonBlank(raw);
  if (url === undefined) return null;
  if (!DATABASE_URL_PATTERN.test(url)) {
    throw new CoreError("invalid_input", `${what} must be a PostgreSQL URL starting with postgres:// or postgresql://`);
  }
  return url;
}

/**
 * A database URL fit to show (a board's db_path, logs, errors): without its password, whether in
 * the user part or a `password=` parameter.
 */
export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    u.password = "";
    u.searchParams.delete("password");
    return u.toString();
  } catch {
    return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, "$1@").replace(/([?&])password=[^&]*&?/i, "$1");
  }
}

/**
 * Normalises a board slug: trimmed and lowercased; blank means "not given" (null). Anything
 * that does not match the slug rule is refused.
 */
export function normalizeSlug(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const slug = raw.trim().toLowerCase();
  if (slug === "") return null;
  if (!SLUG_PATTERN.test(slug)) {
    throw new CoreError(
      "invalid_input",
      `invalid board slug '${raw}': use lowercase letters, digits, '-' and '_' (at most 64, starting with a letter or digit)`,
    );
  }
  return slug;
}

export function validSlugOrNull(raw: string | null | undefined): string | null {
  try {
    return normalizeSlug(raw);
  } catch {
    return null;
  }
}

export function kanbanDir(home: Home): string {
  return join(home.root, "kanban");
}

export function boardsDir(home: Home): string {
  return join(kanbanDir(home), "boards");
}

export function currentFile(home: Home): string {
  return join(kanbanDir(home), "current");
}

/**
 * A board's directory. The slug must already be normalised: anything else (`../x`, `A/B`) is
 * refused here too, so no caller can reach outside `kanban/boards/` by mistake.
 */
export function boardDir(home: Home, slug: string): string {
  if (!SLUG_PATTERN.test(slug)) {
    throw new CoreError("invalid_input", `invalid board slug '${slug}': normalise it with normalizeSlug first`);
  }
  return join(boardsDir(home), slug);
}

/** Paths of a board, with the `SWITCHYARD_DB` and `SWITCHYARD_WORKSPACES_ROOT` pins applied. */
export function boardPaths(home: Home, slug: string): BoardPaths {
  const isDefault = slug === DEFAULT_BOARD;
  const dir = boardDir(home, slug);
  const dbPin = pin(home.env, "DB");
  const wsPin = pin(home.env, "WORKSPACES_ROOT");
  return {
    slug,
    databaseUrl: home.databaseUrl,
    dbPath: dbPin ? resolve(expandHome(dbPin)) : isDefault ? join(home.root, "kanban.db") : join(dir, "kanban.db"),
    workspacesRoot: wsPin
      ? resolve(expandHome(wsPin))
      : isDefault
        ? join(kanbanDir(home), "workspaces")
        : join(dir, "workspaces"),
    logsDir: isDefault ? join(kanbanDir(home), "logs") : join(dir, "logs"),
    metaDir: dir,
  };
}

/** A workspace path given by a user must be absolute (reference §3.9, SPEC §6). */
export function requireAbsolute(path: string, what: string): string {
  const p = expandHome(path.trim());
  if (!isAbsolute(p)) {
    throw new CoreError("invalid_input", `${what} must be an absolute path, got '${path}'`);
  }
  return p;
}
