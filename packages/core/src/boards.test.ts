import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { refusal, tempDir, tempHome } from "../test/fixtures.ts";
import {
  boardExists,
  clearCurrentBoard,
  createBoard,
  currentBoard,
  listBoards,
  openBoard,
  readBoardMeta,
  removeBoard,
  requireBoard,
  setCurrentBoard,
  titleCase,
  writeBoardMeta,
} from "./boards.ts";
import { createManualClock, createSequentialIds } from "./clock.ts";
import { type Kernel, openKernel } from "./kernel.ts";
import { boardDir, boardPaths, boardsDir, currentFile, type Env, type Home, resolveHome } from "./paths.ts";
import { SCHEMA_VERSION } from "./storage/sqlite-schema.ts";
import { createTask, listTasks } from "./tasks.ts";

const NOW = 1_700_000_000;
const opts = { now: NOW, clock: createManualClock(NOW), host: "testhost" };

/** The same home seen with other environment variables (a process started with pins). */
function withEnv(home: Home, env: Env): Home {
  return resolveHome({ SWITCHYARD_HOME: home.root, ...env });
}

async function open(home: Home, slug?: string | null): Promise<Kernel> {
  return openBoard(home, slug, { clock: createManualClock(NOW), ids: createSequentialIds(), host: "testhost" });
}

describe("the current board", () => {
  it("is default on a fresh home", async () => {
    expect(await currentBoard(tempHome())).toBe("default");
  });

  it("follows the current file once a board is switched to", async () => {
    const home = tempHome();
    await createBoard(home, "ops", {}, opts);
    await setCurrentBoard(home, "ops");
    expect(readFileSync(currentFile(home), "utf8").trim()).toBe("ops");
    expect(await currentBoard(home)).toBe("ops");
  });

  it("refuses to switch to a board that does not exist, leaving the pointer alone", async () => {
    const home = tempHome();
    const err = await refusal(() => setCurrentBoard(home, "nowhere"));
    expect(err.code).toBe("board_not_found");
    expect(existsSync(currentFile(home))).toBe(false);
  });

  it("takes SWITCHYARD_BOARD over the current file", async () => {
    const home = tempHome();
    await createBoard(home, "ops", {}, opts);
    await createBoard(home, "dev", {}, opts);
    await setCurrentBoard(home, "ops");
    expect(await currentBoard(withEnv(home, { SWITCHYARD_BOARD: "dev" }))).toBe("dev");
  });

  it("honours HERMES_KANBAN_BOARD, after SWITCHYARD_BOARD", async () => {
    const home = tempHome();
    expect(await currentBoard(withEnv(home, { HERMES_KANBAN_BOARD: "hermes-side" }))).toBe("hermes-side");
    expect(await currentBoard(withEnv(home, { SWITCHYARD_BOARD: "ours", HERMES_KANBAN_BOARD: "theirs" }))).toBe("ours");
    expect(await currentBoard(withEnv(home, { SWITCHYARD_BOARD: " ", HERMES_KANBAN_BOARD: "theirs" }))).toBe("theirs");
  });

  it("lets an invalid env value fall through to the next source", async () => {
    const home = tempHome();
    await createBoard(home, "ops", {}, opts);
    await setCurrentBoard(home, "ops");
    expect(await currentBoard(withEnv(home, { SWITCHYARD_BOARD: "Not/A Slug" }))).toBe("ops");
    expect(await currentBoard(withEnv(home, { SWITCHYARD_BOARD: "Not/A Slug", HERMES_KANBAN_BOARD: "dev" }))).toBe(
      "dev",
    );
    expect(await currentBoard(withEnv(tempHome(), { HERMES_KANBAN_BOARD: "../etc" }))).toBe("default");
  });

  it("falls back to default when the pointer names a board that no longer exists", async () => {
    const home = tempHome();
    mkdirSync(join(home.root, "kanban"), { recursive: true });
    writeFileSync(currentFile(home), "gone\n");
    expect(await currentBoard(home)).toBe("default");
    writeFileSync(currentFile(home), "Not A Slug\n");
    expect(await currentBoard(home)).toBe("default");
  });

  it("is cleared by clearCurrentBoard", async () => {
    const home = tempHome();
    await createBoard(home, "ops", {}, opts);
    await setCurrentBoard(home, "ops");
    clearCurrentBoard(home);
    expect(await currentBoard(home)).toBe("default");
    clearCurrentBoard(home); // clearing twice is harmless
  });

  it("is where openBoard goes without a slug, unless the env pins another", async () => {
    const home = tempHome();
    await createBoard(home, "ops", {}, opts);
    await setCurrentBoard(home, "ops");
    const k = await open(home);
    expect(k.paths.slug).toBe("ops");
    await k.close();
    const pinned = await open(withEnv(home, { SWITCHYARD_BOARD: "default" }));
    expect(pinned.paths.dbPath).toBe(join(home.root, "kanban.db"));
    await pinned.close();
  });
});

describe("requiring a board", () => {
  it("resolves a given slug, lowercased", async () => {
    const home = tempHome();
    await createBoard(home, "ops", {}, opts);
    expect(await requireBoard(home, " OPS ")).toBe("ops");
    expect(await requireBoard(home, "default")).toBe("default");
  });

  it("refuses a missing board with board_not_found and a malformed one with invalid_input", async () => {
    const home = tempHome();
    const missing = await refusal(() => requireBoard(home, "nowhere"));
    expect(missing.code).toBe("board_not_found");
    expect(missing.message).toContain("switchyard boards create nowhere");
    expect((await refusal(() => requireBoard(home, "bad/slug"))).code).toBe("invalid_input");
    expect((await refusal(() => open(home, "nowhere"))).code).toBe("board_not_found");
    expect(existsSync(boardDir(home, "nowhere"))).toBe(false);
  });
});

describe("opening a board whose file is not a database", () => {
  it("refuses with board_unreadable and leaves the file as it was", async () => {
    const home = tempHome();
    const path = join(home.root, "kanban.db");
    mkdirSync(home.root, { recursive: true });
    writeFileSync(path, "notes, not a board\n");
    const err = await refusal(() => open(home));
    expect(err.code).toBe("board_unreadable");
    expect(err.message).toContain(path);
    expect(readFileSync(path, "utf8")).toBe("notes, not a board\n");
  });
});

describe("creating a board", () => {
  it("writes its metadata and initialises its database", async () => {
    const home = tempHome();
    const { board, created } = await createBoard(
      home,
      "Atm10-Server",
      { description: "the modded server", icon: "⛏", color: "#884400" },
      opts,
    );
    expect(created).toBe(true);
    expect(board).toEqual({
      slug: "atm10-server",
      name: "Atm10 Server",
      description: "the modded server",
      icon: "⛏",
      color: "#884400",
      created_at: NOW,
      archived: false,
      db_path: join(home.root, "kanban", "boards", "atm10-server", "kanban.db"),
    });
    const onDisk = JSON.parse(readFileSync(join(boardDir(home, "atm10-server"), "board.json"), "utf8"));
    expect(onDisk).toEqual({
      slug: "atm10-server",
      name: "Atm10 Server",
      description: "the modded server",
      icon: "⛏",
      color: "#884400",
      created_at: NOW,
      archived: false,
    });
    const db = await openKernel(boardPaths(home, "atm10-server"), { readonly: true });
    expect(await db.db.get("PRAGMA user_version")).toEqual({ user_version: SCHEMA_VERSION });
    await db.close();
  });

  it("is idempotent: a second create keeps the data and the first created_at", async () => {
    const home = tempHome();
    await createBoard(home, "ops", { name: "Operations" }, opts);
    const k = await open(home, "ops");
    await createTask(k, { title: "keep me" });
    await k.close();
    const again = await createBoard(home, "ops", {}, { ...opts, now: NOW + 500 });
    expect(again.created).toBe(false);
    expect(again.board.name).toBe("Operations");
    expect(again.board.created_at).toBe(NOW);
    const k2 = await open(home, "ops");
    expect((await listTasks(k2)).map((t) => t.title)).toEqual(["keep me"]);
    await k2.close();
  });

  it("refuses an invalid or empty slug without creating anything", async () => {
    const home = tempHome();
    expect((await refusal(() => createBoard(home, "bad slug", {}, opts))).code).toBe("invalid_input");
    expect((await refusal(() => createBoard(home, "  ", {}, opts))).code).toBe("invalid_input");
    expect((await refusal(() => createBoard(home, "_archived", {}, opts))).code).toBe("invalid_input");
    expect(existsSync(boardsDir(home))).toBe(false);
  });

  it("can create the default board's metadata while its database stays at <home>/kanban.db", async () => {
    const home = tempHome();
    const { board, created } = await createBoard(home, "default", { name: "Main" }, opts);
    expect(created).toBe(true);
    expect(board.db_path).toBe(join(home.root, "kanban.db"));
    expect(existsSync(join(home.root, "kanban.db"))).toBe(true);
    expect(existsSync(join(boardDir(home, "default"), "board.json"))).toBe(true);
    expect(existsSync(join(boardDir(home, "default"), "kanban.db"))).toBe(false);
  });
});

describe("board metadata", () => {
  it("synthesises defaults from the slug when board.json is missing or malformed", async () => {
    const home = tempHome();
    expect(titleCase("atm10-server")).toBe("Atm10 Server");
    expect(await readBoardMeta(home, "my_board")).toMatchObject({ name: "My Board", description: "", archived: false });
    mkdirSync(boardDir(home, "broken"), { recursive: true });
    writeFileSync(join(boardDir(home, "broken"), "board.json"), "{ not json");
    expect(await readBoardMeta(home, "broken")).toMatchObject({ slug: "broken", name: "Broken", created_at: null });
    writeFileSync(join(boardDir(home, "broken"), "board.json"), "[1, 2]");
    expect((await readBoardMeta(home, "broken")).name).toBe("Broken");
  });

  it("renames a board's display name only, keeping its slug, files and created_at", async () => {
    const home = tempHome();
    await createBoard(home, "ops", { description: "keep" }, opts);
    const renamed = await writeBoardMeta(home, "ops", { name: "  Night Shift  " }, NOW + 99);
    expect(renamed).toMatchObject({ slug: "ops", name: "Night Shift", description: "keep", created_at: NOW });
    expect(renamed.db_path).toBe(boardPaths(home, "ops").dbPath);
    expect((await listBoards(home)).map((b) => [b.slug, b.name])).toEqual([
      ["default", "Default"],
      ["ops", "Night Shift"],
    ]);
  });
});

describe("listing boards", () => {
  it("lists default first, then the others alphabetically", async () => {
    const home = tempHome();
    for (const slug of ["zeta", "alpha", "mid-1"]) await createBoard(home, slug, {}, opts);
    expect((await listBoards(home)).map((b) => b.slug)).toEqual(["default", "alpha", "mid-1", "zeta"]);
  });

  it("lists only default on a fresh home", async () => {
    expect((await listBoards(tempHome())).map((b) => b.slug)).toEqual(["default"]);
  });

  it("skips directories that hold neither a database nor board.json, or are not valid slugs", async () => {
    const home = tempHome();
    await createBoard(home, "real", {}, opts);
    mkdirSync(join(boardsDir(home), "empty-dir"), { recursive: true });
    mkdirSync(join(boardsDir(home), "Bad Name"), { recursive: true });
    writeFileSync(join(boardsDir(home), "Bad Name", "board.json"), "{}");
    mkdirSync(join(boardsDir(home), "db-only"), { recursive: true });
    writeFileSync(join(boardsDir(home), "db-only", "kanban.db"), "");
    expect((await listBoards(home)).map((b) => b.slug)).toEqual(["default", "db-only", "real"]);
  });

  it("leaves out boards marked archived when asked to", async () => {
    const home = tempHome();
    await createBoard(home, "live", {}, opts);
    await createBoard(home, "shelved", {}, opts);
    await writeBoardMeta(home, "shelved", { archived: true }, NOW);
    expect((await listBoards(home)).map((b) => b.slug)).toEqual(["default", "live", "shelved"]);
    expect((await listBoards(home, { includeArchived: false })).map((b) => b.slug)).toEqual(["default", "live"]);
  });
});

describe("removing a board", () => {
  it("archives by default into boards/_archived/<slug>-<ts>, with its files", async () => {
    const home = tempHome();
    await createBoard(home, "ops", {}, opts);
    const result = await removeBoard(home, "ops", { now: NOW + 1 });
    const target = join(boardsDir(home), "_archived", `ops-${NOW + 1}`);
    expect(result).toEqual({ slug: "ops", action: "archived", new_path: target });
    expect(existsSync(join(target, "kanban.db"))).toBe(true);
    expect(existsSync(join(target, "board.json"))).toBe(true);
    expect(await boardExists(home, "ops")).toBe(false);
    expect((await listBoards(home)).map((b) => b.slug)).toEqual(["default"]);
  });

  it("adds -n to the archive name when that name is taken", async () => {
    const home = tempHome();
    const paths: Array<string | null> = [];
    for (let i = 0; i < 3; i++) {
      await createBoard(home, "ops", {}, opts);
      paths.push((await removeBoard(home, "ops", { now: NOW })).new_path);
    }
    const base = join(boardsDir(home), "_archived", `ops-${NOW}`);
    expect(paths).toEqual([base, `${base}-1`, `${base}-2`]);
  });

  it("hard-deletes when archive is false", async () => {
    const home = tempHome();
    await createBoard(home, "ops", {}, opts);
    expect(await removeBoard(home, "ops", { archive: false, now: NOW })).toEqual({
      slug: "ops",
      action: "deleted",
      new_path: null,
    });
    expect(existsSync(boardDir(home, "ops"))).toBe(false);
    expect(existsSync(join(boardsDir(home), "_archived"))).toBe(false);
  });

  it("refuses to remove default, and leaves it in place", async () => {
    const home = tempHome();
    const k = await open(home, "default");
    await createTask(k, { title: "stays" });
    await k.close();
    const err = await refusal(() => removeBoard(home, "default", { now: NOW }));
    expect(err.code).toBe("board_protected");
    expect((await refusal(() => removeBoard(home, "DEFAULT", { archive: false, now: NOW }))).code).toBe(
      "board_protected",
    );
    expect(existsSync(join(home.root, "kanban.db"))).toBe(true);
  });

  it("refuses to remove a board that does not exist, and a malformed slug", async () => {
    const home = tempHome();
    expect((await refusal(() => removeBoard(home, "ghost", { now: NOW }))).code).toBe("board_not_found");
    expect((await refusal(() => removeBoard(home, "../..", { now: NOW }))).code).toBe("invalid_input");
    expect((await refusal(() => removeBoard(home, "", { now: NOW }))).code).toBe("invalid_input");
  });

  it("clears the current pointer when it named the removed board, and only then", async () => {
    const home = tempHome();
    await createBoard(home, "ops", {}, opts);
    await createBoard(home, "dev", {}, opts);
    await setCurrentBoard(home, "ops");
    await removeBoard(home, "dev", { now: NOW });
    expect(await currentBoard(home)).toBe("ops");
    await removeBoard(home, "ops", { now: NOW });
    expect(existsSync(currentFile(home))).toBe(false);
    expect(await currentBoard(home)).toBe("default");
  });
});

describe("boards are separate", () => {
  it("keeps tasks on the board they were created on", async () => {
    const home = tempHome();
    await createBoard(home, "ops", {}, opts);
    const def = await open(home, "default");
    const ops = await open(home, "ops");
    await createTask(def, { title: "on default" });
    await createTask(ops, { title: "on ops" });
    expect((await listTasks(def)).map((t) => t.title)).toEqual(["on default"]);
    expect((await listTasks(ops)).map((t) => t.title)).toEqual(["on ops"]);
    expect(def.paths.dbPath).not.toBe(ops.paths.dbPath);
    await def.close();
    await ops.close();
  });

  it("puts every board on the pinned file when SWITCHYARD_DB is set", async () => {
    const home = tempHome();
    const pinnedDb = join(tempDir(), "pinned.db");
    const pinned = withEnv(home, { SWITCHYARD_DB: pinnedDb });
    await createBoard(pinned, "ops", {}, opts);
    const k = await open(pinned, "ops");
    expect(k.paths.dbPath).toBe(pinnedDb);
    await createTask(k, { title: "on the pinned file" });
    await k.close();
    expect(existsSync(join(boardDir(home, "ops"), "kanban.db"))).toBe(false);
  });
});
