import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe, expect, it } from "vitest";
import {
  boardExists,
  boardLocation,
  createBoard,
  currentBoard,
  listBoards,
  openBoard,
  readBoardMeta,
  removeBoard,
  requireBoard,
  setCurrentBoard,
  writeBoardMeta,
} from "../src/boards.ts";
import { createManualClock } from "../src/clock.ts";
import type { Kernel } from "../src/kernel.ts";
import type { Home } from "../src/paths.ts";
import { closeCatalogs } from "../src/storage/postgres-catalog.ts";
import { createTask, listTasks } from "../src/tasks.ts";
import { onCleanup, refusal, tempDir, tempHome, testDatabaseUrl } from "./fixtures.ts";
import { reportOf, runTogether } from "./processes.ts";

/**
 * The board catalog in PostgreSQL (SPEC §13): with a database URL, boards are listed, created,
 * renamed, archived and deleted in the database, so every host sees the same boards. Each test
 * has a database of its own (the catalog is one per database).
 */

const NOW = 1_700_000_000;
const opts = { now: NOW, clock: createManualClock(NOW), host: "testhost" };

const serverUrl = () => {
  const u = testDatabaseUrl();
  if (!u) throw new Error("run by the core-postgres project, which starts the server");
  return u;
};

/** `url` with another database (and, if given, a password in its user part). */
function withDatabase(url: string, database: string, password?: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (password) u.password = password;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = serverUrl()): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database; dropped after the test (the catalog pools first). */
async function freshDatabase(password?: string): Promise<string> {
  const name = `catalog_${randomBytes(6).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  onCleanup(async () => {
    await closeCatalogs();
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });
  // The test server trusts every connection: a password in the URL is accepted and not checked.
  return withDatabase(serverUrl(), name, password);
}

/** A home (a host's) whose boards are in `url`. */
function hostHome(url: string): Home {
  return tempHome({ SWITCHYARD_DATABASE_URL: url });
}

async function open(home: Home, slug?: string | null): Promise<Kernel> {
  const k = await openBoard(home, slug, { clock: createManualClock(NOW), host: "testhost" });
  onCleanup(() => k.close());
  return k;
}

async function schemas(url: string): Promise<string[]> {
  return admin(async (c) => {
    const r = await c.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'board_%' ORDER BY nspname");
    return r.rows.map((row: { nspname: string }) => row.nspname);
  }, url);
}

const slugs = async (home: Home, includeArchived?: boolean) =>
  (await listBoards(home, includeArchived === undefined ? {} : { includeArchived })).map((b) => b.slug);

describe("the board catalog in PostgreSQL", () => {
  it("lists only default in a fresh database, making the catalog on first use", async () => {
    const url = await freshDatabase();
    const home = hostHome(url);
    expect(await slugs(home)).toEqual(["default"]);
    expect(await boardExists(home, "default")).toBe(true);
    const meta = await readBoardMeta(home, "default");
    expect(meta).toMatchObject({ slug: "default", name: "Default", created_at: null, archived: false });
    const tables = await admin(
      (c) => c.query("SELECT 1 FROM information_schema.tables WHERE table_schema = 'switchyard'"),
      url,
    );
    expect(tables.rowCount).toBe(1);
  });

  it("creates a board as a catalog row and a schema of its own, and a second create changes nothing", async () => {
    const url = await freshDatabase();
    const home = hostHome(url);
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
      db_path: `${url}#board_atm10-server`,
    });
    expect(await schemas(url)).toEqual(["board_atm10-server"]);
    const k = await open(home, "atm10-server");
    expect(k.dialect).toBe("postgres");
    await createTask(k, { title: "keep me" });

    const again = await createBoard(home, "atm10-server", {}, { ...opts, now: NOW + 500 });
    expect(again.created).toBe(false);
    expect(again.board).toEqual(board);
    expect((await listTasks(k)).map((t) => t.title)).toEqual(["keep me"]);
    expect(await slugs(home)).toEqual(["default", "atm10-server"]);
  });

  it("creates the default board's row on its first create, as its board.json is on disk", async () => {
    const home = hostHome(await freshDatabase());
    const first = await createBoard(home, "default", { name: "Main" }, opts);
    expect(first).toMatchObject({ created: true, board: { slug: "default", name: "Main", created_at: NOW } });
    expect((await createBoard(home, "default", {}, { ...opts, now: NOW + 1 })).created).toBe(false);
  });

  it("lists default first, then the others by slug, for every host on the database", async () => {
    const url = await freshDatabase();
    const here = hostHome(url);
    for (const slug of ["zeta", "alpha", "mid-1"]) await createBoard(here, slug, {}, opts);
    const elsewhere = hostHome(url);
    expect(await slugs(elsewhere)).toEqual(["default", "alpha", "mid-1", "zeta"]);
    expect(await requireBoard(elsewhere, " ALPHA ")).toBe("alpha");
    const k = await open(here, "alpha");
    await createTask(k, { title: "made here" });
    expect((await listTasks(await open(elsewhere, "alpha"))).map((t) => t.title)).toEqual(["made here"]);
  });

  it("keeps the current board a preference of each home", async () => {
    const url = await freshDatabase();
    const here = hostHome(url);
    const elsewhere = hostHome(url);
    await createBoard(here, "ops", {}, opts);
    await setCurrentBoard(here, "ops");
    expect(await currentBoard(here)).toBe("ops");
    expect(await currentBoard(elsewhere)).toBe("default");
    expect((await open(here)).paths.slug).toBe("ops");
    const missing = await refusal(() => setCurrentBoard(elsewhere, "nowhere"));
    expect(missing.code).toBe("board_not_found");
  });

  it("refuses an unknown board with board_not_found and a malformed slug with invalid_input", async () => {
    const home = hostHome(await freshDatabase());
    expect(await boardExists(home, "nowhere")).toBe(false);
    const missing = await refusal(() => requireBoard(home, "nowhere"));
    expect(missing.code).toBe("board_not_found");
    expect(missing.message).toContain("switchyard boards create nowhere");
    expect((await refusal(() => requireBoard(home, "bad/slug"))).code).toBe("invalid_input");
    expect((await refusal(() => open(home, "nowhere"))).code).toBe("board_not_found");
    expect((await refusal(() => createBoard(home, "_archived", {}, opts))).code).toBe("invalid_input");
    expect((await refusal(() => readBoardMeta(home, "../x"))).code).toBe("invalid_input");
  });

  it("renames a board's display name only, keeping its slug, tasks and created_at", async () => {
    const url = await freshDatabase();
    const home = hostHome(url);
    await createBoard(home, "ops", { description: "keep" }, opts);
    await createTask(await open(home, "ops"), { title: "stays" });
    const renamed = await writeBoardMeta(home, "ops", { name: "  Night Shift  " }, NOW + 99);
    expect(renamed).toMatchObject({ slug: "ops", name: "Night Shift", description: "keep", created_at: NOW });
    expect((await listBoards(hostHome(url))).map((b) => [b.slug, b.name])).toEqual([
      ["default", "Default"],
      ["ops", "Night Shift"],
    ]);
    expect((await listTasks(await open(home, "ops"))).map((t) => t.title)).toEqual(["stays"]);
  });

  it("archives a board by marking it: hidden from the served list, its tasks kept, and back on create", async () => {
    const url = await freshDatabase();
    const home = hostHome(url);
    await createBoard(home, "ops", {}, opts);
    await createBoard(home, "dev", {}, opts);
    await setCurrentBoard(home, "ops");
    const ops = await open(home, "ops");
    await createTask(ops, { title: "shelved work" });
    await ops.close();

    expect(await removeBoard(home, "ops", { now: NOW + 1 })).toEqual({
      slug: "ops",
      action: "archived",
      new_path: null,
    });
    expect(await currentBoard(home)).toBe("default");
    expect(await slugs(home, false)).toEqual(["default", "dev"]);
    expect((await listBoards(home)).find((b) => b.slug === "ops")).toMatchObject({ archived: true });
    expect(await boardExists(home, "ops")).toBe(true);
    expect(await schemas(url)).toEqual(["board_dev", "board_ops"]);

    const back = await createBoard(home, "ops", {}, { ...opts, now: NOW + 2 });
    expect(back).toMatchObject({ created: false, board: { archived: false, created_at: NOW } });
    expect((await listTasks(await open(home, "ops"))).map((t) => t.title)).toEqual(["shelved work"]);
  });

  it("deletes a board by dropping its schema with everything in it, and its row", async () => {
    const url = await freshDatabase();
    const home = hostHome(url);
    await createBoard(home, "ops", {}, opts);
    await createBoard(home, "dev", {}, opts);
    const ops = await open(home, "ops");
    await createTask(ops, { title: "gone with it" });
    await ops.close();

    expect(await removeBoard(home, "ops", { archive: false, now: NOW })).toEqual({
      slug: "ops",
      action: "deleted",
      new_path: null,
    });
    expect(await schemas(url)).toEqual(["board_dev"]);
    expect(await boardExists(home, "ops")).toBe(false);
    expect(await slugs(home)).toEqual(["default", "dev"]);
    expect((await refusal(() => requireBoard(hostHome(url), "ops"))).code).toBe("board_not_found");

    // A board made again with that slug starts empty.
    await createBoard(home, "ops", {}, opts);
    expect(await listTasks(await open(home, "ops"))).toEqual([]);
  });

  it("refuses to remove default, an unknown board and a malformed slug", async () => {
    const home = hostHome(await freshDatabase());
    expect((await refusal(() => removeBoard(home, "default", { now: NOW }))).code).toBe("board_protected");
    expect((await refusal(() => removeBoard(home, "ghost", { archive: false, now: NOW }))).code).toBe(
      "board_not_found",
    );
    expect((await refusal(() => removeBoard(home, "../..", { now: NOW }))).code).toBe("invalid_input");
  });

  it("never shows the database password: db_path is the URL without it, and #schema", async () => {
    const url = await freshDatabase("s3cr3t-pw");
    expect(url).toContain("s3cr3t-pw");
    const home = hostHome(url);
    const { board } = await createBoard(home, "ops", {}, opts);
    const shown = `${url.replace(":s3cr3t-pw@", "@")}#board_ops`;
    expect(board.db_path).toBe(shown);
    expect((await readBoardMeta(home, "ops")).db_path).toBe(shown);
    const all = await listBoards(home);
    expect(all.map((b) => b.db_path)).toEqual([shown.replace("#board_ops", "#board_default"), shown]);
    expect(JSON.stringify(all)).not.toContain("s3cr3t-pw");
    expect(boardLocation((await open(home, "ops")).paths)).toBe(shown);
  });

  it("names a database it cannot reach (storage_unavailable), without its password", async () => {
    const home = hostHome("postgres://postgres:s3cr3t-pw@127.0.0.1:1/postgres");
    const err = await refusal(() => listBoards(home));
    expect(err.code).toBe("storage_unavailable");
    expect(err.message).not.toContain("s3cr3t-pw");
    expect((await refusal(() => requireBoard(home, "ops"))).code).toBe("storage_unavailable");
  });

  it("is made once when many connections use a fresh database at the same moment, and none fails", async () => {
    const url = await freshDatabase();
    // Distinct URLs of the same database: a pool, and a first use, each.
    const homes = Array.from({ length: 12 }, (_, i) => hostHome(`${url}?application_name=first_use_${i}`));
    const seen = await Promise.allSettled(homes.map((home) => listBoards(home)));
    expect(seen.filter((r) => r.status === "rejected")).toEqual([]);
    expect(await slugs(hostHome(url))).toEqual(["default"]);
  });

  it("is made once when several processes use a fresh database at the same moment, and none fails", async () => {
    const url = await freshDatabase();
    const boards = ["one", "two", "three", "four"];
    const results = await runTogether(
      boards.map((slug) => ({ script: "catalog-first-use.ts", args: [url, slug, tempDir()] })),
    );
    for (const r of results) {
      const report = reportOf<{ ok: boolean; boards?: string[]; message?: string }>(r);
      expect(report, report.message).toMatchObject({ ok: true });
    }
    expect(await slugs(hostHome(url))).toEqual(["default", "four", "one", "three", "two"]);
    expect(await schemas(url)).toEqual(["board_four", "board_one", "board_three", "board_two"]);
  });
});
