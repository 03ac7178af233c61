import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { sidecars, snapshotFile } from "../../test/files.ts";
import { onCleanup, refusal, refusalSync, tempHome } from "../../test/fixtures.ts";
import { holdWriteLock } from "../../test/write-lock.ts";
import { openBoard } from "../boards.ts";
import { createManualClock, createSequentialIds } from "../clock.ts";
import { taskDetail } from "../detail.ts";
import { createKernel, type Kernel, openKernel } from "../kernel.ts";
import { recomputeReady } from "../links.ts";
import { bulkUpdate } from "../patch.ts";
import { boardPaths, DEFAULT_BOARD, type Home } from "../paths.ts";
import { createTask, listTasks } from "../tasks.ts";
import { createSqliteDriver } from "./sqlite.ts";
import { busyTimeoutFromEnv, openBoardFile } from "./sqlite-file.ts";

/**
 * The storage driver names failures of the storage itself (decision 014) and refuses another
 * application's database before writing anything. The CLI and API sides, with a real full disk,
 * chmod'd files and directories and a second process, are in apps/cli/test/storage-errors.test.ts.
 */

const NOW = 1_700_000_000;

function options() {
  return { clock: createManualClock(NOW), ids: createSequentialIds(), host: "testhost", pid: 4242 };
}

async function titles(k: Kernel): Promise<string[]> {
  return (await listTasks(k)).map((t) => t.title);
}

/** Every row of the tables a task write touches. */
async function rows(k: Kernel): Promise<unknown[]> {
  return [
    await k.db.all("SELECT * FROM tasks ORDER BY rowid"),
    await k.db.all("SELECT * FROM task_events ORDER BY id"),
  ];
}

/**
 * A board whose connection may not grow the file past its size when `cap` is on: SQLite's own
 * SQLITE_FULL (`PRAGMA max_page_count`), the error a full disk gives, through the real driver.
 */
async function boardThatFills(): Promise<{ k: Kernel; path: string; cap(on: boolean): void }> {
  const paths = boardPaths(tempHome(), DEFAULT_BOARD);
  const { db, facts } = openBoardFile(paths.dbPath, { now: NOW });
  const k = createKernel(createSqliteDriver(db, paths.dbPath, 20, facts), paths, options());
  onCleanup(() => k.close());
  await createTask(k, { title: "fits" });
  const pages = db.pragma("page_count", { simple: true }) as number;
  return {
    k,
    path: paths.dbPath,
    cap(on) {
      db.pragma(`max_page_count = ${on ? pages + 2 : 1_073_741_823}`);
    },
  };
}

const BIG = "x".repeat(200_000);

describe("a write the storage has no room for (SQLITE_FULL)", () => {
  it("is refused with storage_full naming the file; nothing of it is stored, and the board writes again once there is room", async () => {
    const { k, path, cap } = await boardThatFills();
    cap(true);
    const before = await rows(k);
    const err = await refusal(() => createTask(k, { title: "too big", body: BIG }));
    expect(err.code).toBe("storage_full");
    expect(err.message).toContain(path);
    expect(err.message).toContain("SQLITE_FULL");
    expect(err.message).toContain("nothing was written");
    expect(await rows(k)).toEqual(before);
    cap(false);
    await createTask(k, { title: "too big", body: BIG });
    expect(await titles(k)).toEqual(["fits", "too big"]);
  });

  it("ends the whole write even when code inside it catches the failure and goes on: one error, nothing half-written", async () => {
    const { k, cap } = await boardThatFills();
    cap(true);
    const before = await rows(k);
    const err = await refusal(() =>
      k.write(async (k) => {
        await createTask(k, { title: "small, first" });
        await createTask(k, { title: "big", body: BIG }).catch(() => null);
        await createTask(k, { title: "small, after" });
      }),
    );
    expect(err.code).toBe("storage_full");
    expect(await rows(k)).toEqual(before);
    // The connection is usable afterwards: no transaction was left open.
    await createTask(k, { title: "small, later" });
    expect(await titles(k)).toEqual(["fits", "small, later"]);
  });

  it("stops a bulk update instead of reporting the failure for every id", async () => {
    const { k, cap } = await boardThatFills();
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await createTask(k, { title: `t${n}` })).task.id);
    cap(true);
    const before = await rows(k);
    const err = await refusal(() => bulkUpdate(k, { ids, archive: false, status: "done", result: BIG }));
    expect(err.code).toBe("storage_full");
    expect(await rows(k)).toEqual(before);
  });
});

describe("a write lock held by another process past the busy timeout", () => {
  it("refuses the write with board_busy naming the file and the timeout; reads go on, and the write works once the lock is free", async () => {
    const home = tempHome({ SWITCHYARD_BUSY_TIMEOUT_SECONDS: "0.3" });
    const k = await openBoard(home, null, options());
    onCleanup(() => k.close());
    await createTask(k, { title: "before" });
    const { release } = await holdWriteLock(k.paths.dbPath);

    const started = Date.now();
    const err = await refusal(() => createTask(k, { title: "waits" }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(err.code).toBe("board_busy");
    expect(err.message).toContain(k.paths.dbPath);
    expect(err.message).toContain("0.3 s busy timeout, SQLITE_BUSY");
    expect(await titles(k)).toEqual(["before"]);

    await release();
    await createTask(k, { title: "after" });
    expect(await titles(k)).toEqual(["before", "after"]);
  });

  it("takes the timeout from SWITCHYARD_BUSY_TIMEOUT_SECONDS, and refuses a value that is not a number of seconds", () => {
    expect(busyTimeoutFromEnv({})).toBeUndefined();
    expect(busyTimeoutFromEnv({ SWITCHYARD_BUSY_TIMEOUT_SECONDS: " " })).toBeUndefined();
    expect(busyTimeoutFromEnv({ SWITCHYARD_BUSY_TIMEOUT_SECONDS: "0.5" })).toBe(500);
    expect(busyTimeoutFromEnv({ SWITCHYARD_BUSY_TIMEOUT_SECONDS: "45" })).toBe(45_000);
    for (const bad of ["soon", "0", "-1", "3601", "Infinity"]) {
      const err = refusalSync(() => busyTimeoutFromEnv({ SWITCHYARD_BUSY_TIMEOUT_SECONDS: bad }));
      expect(err.code).toBe("config_invalid");
      expect(err.message).toContain("SWITCHYARD_BUSY_TIMEOUT_SECONDS");
    }
  });
});

describe("a board opened read-only", () => {
  it("reads without writing (the promote is skipped) and refuses every write with board_read_only naming the file", async () => {
    const home = tempHome();
    const paths = boardPaths(home, DEFAULT_BOARD);
    const w = await openKernel(paths, options());
    const parent = (await createTask(w, { title: "parent" })).task.id;
    const child = (await createTask(w, { title: "child", parents: [parent] })).task.id;
    await w.db.run("UPDATE tasks SET status = 'done' WHERE id = ?", [parent]);
    await w.close();
    const before = snapshotFile(paths.dbPath);

    const k = await openKernel(paths, { ...options(), readonly: true });
    onCleanup(() => k.close());
    expect(k.readOnly).toBe(true);
    expect(await recomputeReady(k)).toBe(0);
    expect((await listTasks(k)).map((t) => [t.title, t.status])).toEqual([
      ["parent", "done"],
      ["child", "todo"],
    ]);
    expect((await taskDetail(k, child)).task.title).toBe("child");
    for (const write of [
      () => createTask(k, { title: "another" }),
      () => k.db.run("UPDATE tasks SET priority = 9 WHERE id = ?", [child]),
    ]) {
      const err = await refusal(write);
      expect(err.code).toBe("board_read_only");
      expect(err.message).toBe(
        `cannot write to ${paths.dbPath}: the board is read-only (it was opened read-only); reading it still works`,
      );
    }
    await k.close();
    const after = snapshotFile(paths.dbPath);
    expect(after.bytes.equals(before.bytes)).toBe(true);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(sidecars(paths.dbPath)).toEqual([]);
  });
});

describe("a read-only board made by an older version", () => {
  it("reads what its columns allow; a read that needs a newer column says the upgrade needs a write", async () => {
    const home = tempHome();
    const paths = boardPaths(home, DEFAULT_BOARD);
    const w = await openKernel(paths, options());
    await createTask(w, { title: "old" });
    await w.close();
    // Version 3, before the failure policy's columns (decision 013).
    const db = new BetterSqlite3(paths.dbPath);
    db.exec(
      "ALTER TABLE tasks DROP COLUMN max_retries; ALTER TABLE tasks DROP COLUMN retry_after; DROP TABLE profile_pauses",
    );
    db.pragma("user_version = 3");
    db.close();
    const before = snapshotFile(paths.dbPath);

    const k = await openKernel(paths, { ...options(), readonly: true });
    onCleanup(() => k.close());
    expect(await titles(k)).toEqual(["old"]);
    const err = await refusal(() => k.db.all("SELECT title, max_retries FROM tasks"));
    expect(err.code).toBe("board_read_only");
    expect(err.message).toMatch(
      new RegExp(
        `^cannot read ${paths.dbPath.replace(/[.]/g, "\\.")}: the board is read-only \\(it was opened read-only\\) and its schema \\(version 3\\) is older than this Switchyard's`,
      ),
    );
    await k.close();
    expect(snapshotFile(paths.dbPath).bytes.equals(before.bytes)).toBe(true);
  });
});

/** A SQLite file made by another program: SQLite itself, no Switchyard code. */
function foreignDatabase(path: string, wal: boolean, sql: string): void {
  const db = new BetterSqlite3(path);
  if (wal) db.pragma("journal_mode = WAL");
  db.exec(sql);
  db.close();
}

function openHome(home: Home, readonly = false) {
  return openKernel(boardPaths(home, DEFAULT_BOARD), { ...options(), readonly });
}

describe("another application's SQLite database", () => {
  it.each([
    ["rollback-journal", false],
    ["WAL", true],
  ])(
    "a %s database with a users table is refused before anything is written, and left byte for byte as it was",
    async (_mode, wal) => {
      const home = tempHome();
      const path = boardPaths(home, DEFAULT_BOARD).dbPath;
      foreignDatabase(
        path,
        wal,
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users (email) VALUES ('ann@example.com');",
      );
      const before = snapshotFile(path);
      for (const readonly of [false, true]) {
        const err = await refusal(() => openHome(home, readonly));
        expect(err.code).toBe("board_unreadable");
        expect(err.message).toBe(
          `refusing to open ${path}: it is another application's SQLite database, not a board: it has no tasks table (its tables: users). The file was left exactly as it was; move it aside or restore a backup.`,
        );
      }
      const after = snapshotFile(path);
      expect(after.bytes.equals(before.bytes)).toBe(true);
      expect(after.mtimeMs).toBe(before.mtimeMs);
      expect(sidecars(path)).toEqual([]);
    },
  );

  it("refuses a tasks table of its own (without the board's columns), and a board file another program added its tables to", async () => {
    const todo = tempHome();
    const todoPath = boardPaths(todo, DEFAULT_BOARD).dbPath;
    foreignDatabase(todoPath, false, "CREATE TABLE tasks (id INTEGER PRIMARY KEY, text TEXT, done INTEGER)");
    expect((await refusal(() => openHome(todo))).message).toContain(
      "not a board: its tasks table has no title, status, created_at columns",
    );

    const mixed = tempHome();
    const mixedPath = boardPaths(mixed, DEFAULT_BOARD).dbPath;
    await (await openHome(mixed)).close();
    foreignDatabase(mixedPath, false, "CREATE TABLE users (id INTEGER PRIMARY KEY); CREATE TABLE orders (id INTEGER)");
    const before = snapshotFile(mixedPath);
    expect((await refusal(() => openHome(mixed))).message).toContain(
      "not a board: it has tables no board has (orders, users)",
    );
    expect(snapshotFile(mixedPath).bytes.equals(before.bytes)).toBe(true);
  });

  it("opens a board with tables a later Hermes may add (task_*, kanban_*), and a SQLite file with no tables yet", async () => {
    const hermes = tempHome();
    const hermesPath = boardPaths(hermes, DEFAULT_BOARD).dbPath;
    const first = await openHome(hermes);
    await createTask(first, { title: "kept" });
    await first.close();
    foreignDatabase(
      hermesPath,
      true,
      "CREATE TABLE task_attachments (task_id TEXT); CREATE TABLE kanban_meta (k TEXT)",
    );
    const again = await openHome(hermes);
    expect(await titles(again)).toEqual(["kept"]);
    await again.close();

    const empty = tempHome();
    const emptyPath = boardPaths(empty, DEFAULT_BOARD).dbPath;
    foreignDatabase(emptyPath, false, "CREATE TABLE scratch (a); DROP TABLE scratch;");
    const fresh = await openHome(empty);
    await createTask(fresh, { title: "first" });
    expect(await titles(fresh)).toEqual(["first"]);
    await fresh.close();
  });
});
