import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { refusalSync } from "../test/fixtures.ts";
import {
  boardPaths,
  currentFile,
  DEFAULT_BOARD,
  databaseUrlOf,
  expandHome,
  normalizeSlug,
  requireAbsolute,
  resolveHome,
  validSlugOrNull,
  withoutPassword,
} from "./paths.ts";

const ROOT = "/srv/sy-home";
const home = (env: Record<string, string> = {}) => resolveHome({ SWITCHYARD_HOME: ROOT, ...env });

describe("board slugs", () => {
  it.each(["default", "atm10-server", "hermes-agent", "a", "0", "q3_report", "x".repeat(64)])("accepts %s", (slug) => {
    expect(normalizeSlug(slug)).toBe(slug);
  });

  it.each([
    "-leading-hyphen",
    "_leading-underscore",
    "has/slash",
    "../escape",
    "has space",
    "dot.ted",
    "ümlaut",
    "x".repeat(65),
  ])("refuses %s as invalid input", (slug) => {
    const err = refusalSync(() => normalizeSlug(slug));
    expect(err.code).toBe("invalid_input");
    expect(err.message).toContain("invalid board slug");
  });

  it("treats an empty or blank slug as not given", () => {
    expect(normalizeSlug("")).toBeNull();
    expect(normalizeSlug("   ")).toBeNull();
    expect(normalizeSlug(null)).toBeNull();
    expect(normalizeSlug(undefined)).toBeNull();
  });

  it("lowercases and trims", () => {
    expect(normalizeSlug("  Atm10-Server ")).toBe("atm10-server");
  });

  it("validSlugOrNull swallows a bad slug instead of refusing", () => {
    expect(validSlugOrNull("Bad/Slug")).toBeNull();
    expect(validSlugOrNull("Good")).toBe("good");
  });
});

describe("the home", () => {
  it("is SWITCHYARD_HOME when set, made absolute", () => {
    expect(resolveHome({ SWITCHYARD_HOME: "/tmp/h" }).root).toBe("/tmp/h");
    expect(resolveHome({ SWITCHYARD_HOME: "rel/home" }).root).toBe(resolve("rel/home"));
    expect(resolveHome({ SWITCHYARD_HOME: "~/sy" }).root).toBe(join(homedir(), "sy"));
  });

  it("is ~/.switchyard when SWITCHYARD_HOME is unset or blank, and ignores HERMES_KANBAN_HOME", () => {
    expect(resolveHome({}).root).toBe(join(homedir(), ".switchyard"));
    expect(resolveHome({ SWITCHYARD_HOME: "  " }).root).toBe(join(homedir(), ".switchyard"));
    expect(resolveHome({ HERMES_KANBAN_HOME: "/tmp/hermes" }).root).toBe(join(homedir(), ".switchyard"));
  });

  it("has no database URL unless SWITCHYARD_DATABASE_URL names one (trimmed; blank is none)", () => {
    expect(resolveHome({ SWITCHYARD_HOME: ROOT }).databaseUrl).toBeNull();
    expect(resolveHome({ SWITCHYARD_DATABASE_URL: "  " }).databaseUrl).toBeNull();
    expect(resolveHome({ SWITCHYARD_DATABASE_URL: " postgres://sy@db:5432/fleet " }).databaseUrl).toBe(
      "postgres://sy@db:5432/fleet",
    );
    expect(resolveHome({ SWITCHYARD_DATABASE_URL: "postgresql://db/fleet" }).databaseUrl).toBe("postgresql://db/fleet");
  });

  it("refuses a SWITCHYARD_DATABASE_URL that is not PostgreSQL's, naming the variable and not the value", () => {
    const err = refusalSync(() => resolveHome({ SWITCHYARD_DATABASE_URL: "mysql://root:hunter2@db/fleet" }));
    expect(err.code).toBe("invalid_input");
    expect(err.message).toContain("SWITCHYARD_DATABASE_URL");
    expect(err.message).toContain("postgres://");
    expect(err.message).not.toContain("hunter2");
    expect(refusalSync(() => databaseUrlOf("/var/db.sqlite", "storage.url")).message).toContain("storage.url");
  });

  it("gives every board's paths the home's database URL", () => {
    const h = home({ SWITCHYARD_DATABASE_URL: "postgres://db/fleet" });
    expect(boardPaths(h, DEFAULT_BOARD).databaseUrl).toBe("postgres://db/fleet");
    expect(boardPaths(h, "ops").databaseUrl).toBe("postgres://db/fleet");
  });

  it("shows a database URL without its password, wherever it is given", () => {
    expect(withoutPassword("postgres://sy:hunter2@db:5432/fleet")).toBe("postgres://sy@db:5432/fleet");
    expect(withoutPassword("postgresql://sy@db/fleet?password=hunter2&sslmode=require")).toBe(
      "postgresql://sy@db/fleet?sslmode=require",
    );
    expect(withoutPassword("postgres://db/fleet")).toBe("postgres://db/fleet");
  });

  it("expands ~ only at the start", () => {
    expect(expandHome("~")).toBe(homedir());
    expect(expandHome("~/x")).toBe(join(homedir(), "x"));
    expect(expandHome("/a/~/b")).toBe("/a/~/b");
  });
});

describe("where a board keeps its files", () => {
  it("puts the default board at <home>/kanban.db with kanban/workspaces and kanban/logs", () => {
    expect(boardPaths(home(), DEFAULT_BOARD)).toEqual({
      slug: "default",
      databaseUrl: null,
      dbPath: `${ROOT}/kanban.db`,
      workspacesRoot: `${ROOT}/kanban/workspaces`,
      logsDir: `${ROOT}/kanban/logs`,
      metaDir: `${ROOT}/kanban/boards/default`,
    });
  });

  it("puts a named board under kanban/boards/<slug>/", () => {
    expect(boardPaths(home(), "atm10-server")).toEqual({
      slug: "atm10-server",
      databaseUrl: null,
      dbPath: `${ROOT}/kanban/boards/atm10-server/kanban.db`,
      workspacesRoot: `${ROOT}/kanban/boards/atm10-server/workspaces`,
      logsDir: `${ROOT}/kanban/boards/atm10-server/logs`,
      metaDir: `${ROOT}/kanban/boards/atm10-server`,
    });
  });

  it("refuses a slug that is not normalised, so no path leaves kanban/boards/", () => {
    for (const slug of ["../escape", "Upper", "a/b", ""]) {
      expect(refusalSync(() => boardPaths(home(), slug)).code).toBe("invalid_input");
    }
  });

  it("names the current-board pointer file", () => {
    expect(currentFile(home())).toBe(`${ROOT}/kanban/current`);
  });

  it("lets SWITCHYARD_DB pin the database file of any board, leaving the other paths alone", () => {
    const h = home({ SWITCHYARD_DB: "/pinned/board.db" });
    expect(boardPaths(h, DEFAULT_BOARD).dbPath).toBe("/pinned/board.db");
    expect(boardPaths(h, "other").dbPath).toBe("/pinned/board.db");
    expect(boardPaths(h, "other").workspacesRoot).toBe(`${ROOT}/kanban/boards/other/workspaces`);
  });

  it("lets SWITCHYARD_WORKSPACES_ROOT pin the workspaces root independently of the database", () => {
    const p = boardPaths(home({ SWITCHYARD_WORKSPACES_ROOT: "/scratch" }), "other");
    expect(p.workspacesRoot).toBe("/scratch");
    expect(p.dbPath).toBe(`${ROOT}/kanban/boards/other/kanban.db`);
    expect(p.logsDir).toBe(`${ROOT}/kanban/boards/other/logs`);
  });

  it("honours the HERMES_KANBAN_* twins of the pins", () => {
    const p = boardPaths(home({ HERMES_KANBAN_DB: "/h/kanban.db", HERMES_KANBAN_WORKSPACES_ROOT: "/h/ws" }), "default");
    expect(p.dbPath).toBe("/h/kanban.db");
    expect(p.workspacesRoot).toBe("/h/ws");
  });

  it("prefers the SWITCHYARD_ pin when both names are set", () => {
    const p = boardPaths(
      home({
        SWITCHYARD_DB: "/sy/kanban.db",
        HERMES_KANBAN_DB: "/h/kanban.db",
        SWITCHYARD_WORKSPACES_ROOT: "/sy/ws",
        HERMES_KANBAN_WORKSPACES_ROOT: "/h/ws",
      }),
      "default",
    );
    expect(p.dbPath).toBe("/sy/kanban.db");
    expect(p.workspacesRoot).toBe("/sy/ws");
  });

  it("lets a blank pin fall through to its twin, and blank twins to the default paths", () => {
    const twin = boardPaths(home({ SWITCHYARD_DB: "  ", HERMES_KANBAN_DB: "/h/kanban.db" }), "default");
    expect(twin.dbPath).toBe("/h/kanban.db");
    const neither = boardPaths(
      home({
        SWITCHYARD_DB: "",
        HERMES_KANBAN_DB: " ",
        SWITCHYARD_WORKSPACES_ROOT: "",
        HERMES_KANBAN_WORKSPACES_ROOT: "",
      }),
      "default",
    );
    expect(neither.dbPath).toBe(`${ROOT}/kanban.db`);
    expect(neither.workspacesRoot).toBe(`${ROOT}/kanban/workspaces`);
  });

  it("expands ~ in a pin", () => {
    expect(boardPaths(home({ SWITCHYARD_DB: "~/boards/k.db" }), "default").dbPath).toBe(join(homedir(), "boards/k.db"));
  });
});

describe("workspace paths given by a user", () => {
  it("accepts an absolute path and expands ~", () => {
    expect(requireAbsolute("/srv/work", "workspace_path")).toBe("/srv/work");
    expect(requireAbsolute(" ~/work ", "workspace_path")).toBe(join(homedir(), "work"));
  });

  it("refuses a relative path, naming what was wrong", () => {
    const err = refusalSync(() => requireAbsolute("work/here", "workspace_path"));
    expect(err.code).toBe("invalid_input");
    expect(err.message).toContain("workspace_path must be an absolute path");
  });
});
