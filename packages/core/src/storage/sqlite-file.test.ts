import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { sidecars, snapshotFile } from "../../test/files.ts";
import { refusalSync, tempDir } from "../../test/fixtures.ts";
import { reportOf, runTogether } from "../../test/processes.ts";
import { createManualClock, createSequentialIds } from "../clock.ts";
import { openKernel } from "../kernel.ts";
import { boardPaths, resolveHome } from "../paths.ts";
import { createTask, listTasks, TASK_ORDER } from "../tasks.ts";
import {
  checkStampIsCurrent,
  checkStampPath,
  openDatabase,
  recordCheckedFile,
  WAL_AUTOCHECKPOINT_PAGES,
} from "./sqlite-file.ts";
import { migrate, SCHEMA_VERSION } from "./sqlite-schema.ts";

const NOW = 1_700_000_000;
const TABLES = ["kanban_notify_subs", "task_comments", "task_events", "task_links", "task_runs", "tasks"];

function tablesOf(db: BetterSqlite3.Database): string[] {
  const rows = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as Array<{ name: string }>;
  return rows.map((r) => r.name);
}

function schemaOf(db: BetterSqlite3.Database): Array<{ type: string; name: string; sql: string | null }> {
  return db.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").all() as Array<{
    type: string;
    name: string;
    sql: string | null;
  }>;
}

function indexesOf(db: BetterSqlite3.Database): string[] {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name").all() as Array<{
    name: string;
  }>;
  return rows.map((r) => r.name);
}

/** The key columns of an index with their direction (1 = DESC). */
function indexColumns(db: BetterSqlite3.Database, index: string): Array<[string | null, number]> {
  return (db.prepare(`PRAGMA index_xinfo(${index})`).all() as Array<{ name: string | null; desc: number; key: number }>)
    .filter((c) => c.key === 1)
    .map((c) => [c.name, c.desc]);
}

function boardIn(dir: string) {
  return boardPaths(resolveHome({ SWITCHYARD_HOME: dir }), "default");
}

/**
 * A real SQLite file of some hundred pages with `userVersion`, made by SQLite itself (no
 * Switchyard code): an early Hermes board, whose `tasks` table has the reference's columns from
 * before the migration pass (§1.3, §1.4) and nothing else.
 */
function realSqliteFile(path: string, options: { wal: boolean; userVersion: number }): void {
  const db = new BetterSqlite3(path);
  if (options.wal) db.pragma("journal_mode = WAL");
  db.exec(`CREATE TABLE tasks (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, body TEXT, assignee TEXT, status TEXT NOT NULL,
    priority INTEGER DEFAULT 0, created_by TEXT, created_at INTEGER NOT NULL, started_at INTEGER,
    completed_at INTEGER, workspace_kind TEXT NOT NULL DEFAULT 'scratch', workspace_path TEXT,
    claim_lock TEXT, claim_expires INTEGER)`);
  const insert = db.prepare("INSERT INTO tasks (id, title, body, status, created_at) VALUES (?, ?, ?, 'ready', ?)");
  db.transaction(() => {
    for (let i = 0; i < 400; i++) {
      insert.run(`t_${i.toString(16).padStart(8, "0")}`, `task ${i}`, "x".repeat(300), NOW + i);
    }
  })();
  db.pragma(`user_version = ${options.userVersion}`);
  db.close();
}

/** Overwrites every page after the first with deterministic garbage: the header stays valid. */
function garblePagesAfterFirst(path: string): void {
  const pageSize = 4096;
  const size = statSync(path).size;
  const fd = openSync(path, "r+");
  let seed = 12345;
  try {
    for (let offset = pageSize; offset < size; offset += pageSize) {
      const page = Buffer.alloc(pageSize);
      for (let i = 0; i < pageSize; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        page[i] = seed & 0xff;
      }
      writeSync(fd, page, 0, pageSize, offset);
    }
  } finally {
    closeSync(fd);
  }
}

/** Opening must refuse with board_unreadable and leave the file and its directory exactly as they were. */
function expectRefusedUntouched(path: string, because: RegExp): void {
  const before = snapshotFile(path);
  const err = refusalSync(() => openDatabase(path, { now: NOW }));
  expect(err.code).toBe("board_unreadable");
  expect(err.message).toContain(path);
  expect(err.message).toMatch(because);
  expect(err.message).not.toContain("\n");
  const after = snapshotFile(path);
  expect(after.size).toBe(before.size);
  expect(after.mtimeMs).toBe(before.mtimeMs);
  expect(after.bytes.equals(before.bytes)).toBe(true);
  expect(sidecars(path)).toEqual([]);
}

describe("opening a board file", () => {
  it("creates every table of the reference schema on a fresh path", () => {
    const path = join(tempDir(), "kanban.db");
    const db = openDatabase(path, { now: NOW });
    expect(tablesOf(db)).toEqual(expect.arrayContaining(TABLES));
    db.close();
  });

  it("records the schema version in PRAGMA user_version", () => {
    const path = join(tempDir(), "kanban.db");
    const db = openDatabase(path, { now: NOW });
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it("turns on WAL with synchronous=NORMAL, foreign_keys, a busy timeout and its checkpoint interval", () => {
    const path = join(tempDir(), "kanban.db");
    const db = openDatabase(path, { now: NOW });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("synchronous", { simple: true })).toBe(1);
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.pragma("busy_timeout", { simple: true })).toBeGreaterThanOrEqual(30_000);
    expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(WAL_AUTOCHECKPOINT_PAGES);
    db.close();
    // WAL is a property of the file: a plain connection sees it too.
    const plain = new BetterSqlite3(path);
    expect(plain.pragma("journal_mode", { simple: true })).toBe("wal");
    plain.close();
  });

  it("creates the parent directories of a board path that does not exist yet", () => {
    const path = join(tempDir(), "a", "b", "kanban.db");
    openDatabase(path, { now: NOW }).close();
    expect(statSync(path).isFile()).toBe(true);
  });

  it("initialises an empty (zero-byte) file as a board", () => {
    const path = join(tempDir(), "kanban.db");
    writeFileSync(path, "");
    const db = openDatabase(path, { now: NOW });
    expect(tablesOf(db)).toEqual(expect.arrayContaining(TABLES));
    db.close();
  });

  it("is idempotent: reopening keeps the data and the schema exactly", async () => {
    const dir = tempDir();
    const paths = boardIn(dir);
    const clock = createManualClock(NOW);
    const k1 = await openKernel(paths, { clock, ids: createSequentialIds() });
    await createTask(k1, { title: "survives reopening", body: "with a body", assignee: "alice", priority: 3 });
    await k1.close();
    const first = openDatabase(paths.dbPath, { now: NOW });
    const schema = schemaOf(first);
    first.close();

    const k2 = await openKernel(paths, { clock, ids: createSequentialIds(100) });
    expect(await k2.db.all("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")).toEqual(schema);
    expect((await listTasks(k2)).map((t) => [t.title, t.body, t.assignee, t.priority])).toEqual([
      ["survives reopening", "with a body", "alice", 3],
    ]);
    await k2.close();
    // Running the migration pass again on an initialised board changes nothing either.
    const db = openDatabase(paths.dbPath, { now: NOW });
    const rowsBefore = db.prepare("SELECT * FROM tasks").all();
    db.transaction(() => migrate(db, NOW + 100)).immediate();
    expect(schemaOf(db)).toEqual(schema);
    expect(db.prepare("SELECT * FROM tasks").all()).toEqual(rowsBefore);
    db.close();
  });

  it.each([
    [1, "without a card-order index"],
    [2, "with version 2's idx_tasks_order"],
  ])(
    "upgrades a version-%i board (%s) on its next open: it gains idx_tasks_queue and keeps its tasks",
    async (version) => {
      const paths = boardIn(tempDir());
      const k1 = await openKernel(paths, { clock: createManualClock(NOW), ids: createSequentialIds() });
      await createTask(k1, { title: `made under version ${version}`, priority: 2 });
      await k1.close();
      const old = openDatabase(paths.dbPath, { now: NOW });
      old.exec("DROP INDEX idx_tasks_queue");
      if (version === 2) old.exec("CREATE INDEX idx_tasks_order ON tasks(priority DESC, created_at, id)");
      old.pragma(`user_version = ${version}`);
      expect(indexesOf(old)).not.toContain("idx_tasks_queue");
      expect(indexesOf(old).includes("idx_tasks_order")).toBe(version === 2);
      old.close();

      const k2 = await openKernel(paths, { clock: createManualClock(NOW), ids: createSequentialIds(100) });
      expect((await listTasks(k2)).map((t) => t.title)).toEqual([`made under version ${version}`]);
      await k2.close();
      const db = new BetterSqlite3(paths.dbPath);
      expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
      expect(SCHEMA_VERSION).toBe(8);
      expect(indexColumns(db, "idx_tasks_queue")).toEqual([
        ["priority", 1],
        ["created_at", 0],
      ]);
      expect(indexesOf(db)).toContain("idx_tasks_queue");
      expect(indexesOf(db)).not.toContain("idx_tasks_order");
      db.close();
    },
  );

  it("reads the board in card order from the index instead of sorting every task", () => {
    const db = openDatabase(join(tempDir(), "kanban.db"), { now: NOW });
    expect(TASK_ORDER).toBe("priority DESC, created_at ASC, rowid ASC");
    const plan = (
      db
        .prepare(`EXPLAIN QUERY PLAN SELECT * FROM tasks WHERE status != 'archived' ORDER BY ${TASK_ORDER}`)
        .all() as Array<{ detail: string }>
    ).map((r) => r.detail);
    expect(plan).toEqual(["SCAN tasks USING INDEX idx_tasks_queue"]);
    db.close();
  });
});

describe("refusing a file that is not a healthy SQLite database", () => {
  it("refuses a text file at the board path and leaves it byte-for-byte unchanged", () => {
    const path = join(tempDir(), "kanban.db");
    writeFileSync(path, "my notes: this is not a database\n".repeat(50));
    expectRefusedUntouched(path, /not a SQLite database/);
  });

  it("refuses a file shorter than the SQLite header", () => {
    const path = join(tempDir(), "kanban.db");
    writeFileSync(path, "SQLite");
    expectRefusedUntouched(path, /not a SQLite database/);
  });

  it("refuses a directory at the board path", () => {
    const path = join(tempDir(), "kanban.db");
    mkdirSync(path);
    const err = refusalSync(() => openDatabase(path, { now: NOW }));
    expect(err.code).toBe("board_unreadable");
    expect(statSync(path).isDirectory()).toBe(true);
  });

  it("refuses a file with a valid header whose first page is garbage", () => {
    const path = join(tempDir(), "kanban.db");
    const bytes = Buffer.alloc(8192);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
    Buffer.from("SQLite format 3\0", "latin1").copy(bytes);
    writeFileSync(path, bytes);
    expectRefusedUntouched(path, /corrupt/);
  });

  it("refuses a Hermes-style (rollback journal) database whose pages are garbage", () => {
    const path = join(tempDir(), "kanban.db");
    realSqliteFile(path, { wal: false, userVersion: 0 });
    garblePagesAfterFirst(path);
    expectRefusedUntouched(path, /corrupt/);
  });

  it("refuses a Switchyard board (user_version set, WAL) whose pages became garbage", () => {
    const path = join(tempDir(), "kanban.db");
    realSqliteFile(path, { wal: true, userVersion: SCHEMA_VERSION });
    garblePagesAfterFirst(path);
    expectRefusedUntouched(path, /corrupt/);
  });

  it("refuses a corrupt rollback-journal board with user_version set without switching it to WAL", () => {
    const path = join(tempDir(), "kanban.db");
    realSqliteFile(path, { wal: false, userVersion: SCHEMA_VERSION });
    garblePagesAfterFirst(path);
    expectRefusedUntouched(path, /corrupt/);
  });

  it("refuses a SQLite database whose tables clash with the board schema, leaving it unchanged", () => {
    const path = join(tempDir(), "kanban.db");
    const db = new BetterSqlite3(path);
    db.exec("CREATE TABLE tasks (id TEXT PRIMARY KEY, name TEXT)");
    db.prepare("INSERT INTO tasks VALUES ('a', 'another program')").run();
    db.close();
    expectRefusedUntouched(path, /not a board/);
  });

  it("still opens the healthy file it was compared against (the garbage is what is refused)", () => {
    const path = join(tempDir(), "kanban.db");
    realSqliteFile(path, { wal: false, userVersion: 0 });
    const db = openDatabase(path, { now: NOW });
    expect(db.prepare("SELECT count(*) AS n FROM tasks").get()).toEqual({ n: 400 });
    expect(tablesOf(db)).toEqual(expect.arrayContaining(TABLES));
    db.close();
  });
});

/** Sets the header's freelist page count (bytes 36–39) wrong: SQLite still reads the board, quick_check refuses it. */
function miscountFreelist(path: string): void {
  const fd = openSync(path, "r+");
  try {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(3);
    writeSync(fd, count, 0, 4, 36);
  } finally {
    closeSync(fd);
  }
}

/** Opens the board in a process of its own (this process's first-open cache stays out of it). */
async function openInAnotherProcess(path: string): Promise<void> {
  const results = await runTogether([{ script: "open-board.ts", args: [path] }]);
  expect(results.map((r) => reportOf<{ ok: boolean; version?: number }>(r))).toEqual([
    { ok: true, version: SCHEMA_VERSION },
  ]);
}

describe("the integrity check and its stamp (decision 022)", () => {
  it("records a passed check beside the board, and the next process refuses the board once it is damaged", async () => {
    const path = join(tempDir(), "kanban.db");
    await openInAnotherProcess(path);
    expect(checkStampIsCurrent(path)).toBe(true);
    const stamp = readFileSync(checkStampPath(path));
    garblePagesAfterFirst(path);
    expect(checkStampIsCurrent(path)).toBe(false);
    expectRefusedUntouched(path, /corrupt/);
    expect(readFileSync(checkStampPath(path)).equals(stamp)).toBe(true);
  });

  it("trusts a file exactly as a passed check left it, and checks it again once anything else touches it", async () => {
    const path = join(tempDir(), "kanban.db");
    await openInAnotherProcess(path);
    miscountFreelist(path);
    // As if a check had passed on the file in this very state: an unchanged file is not read again.
    recordCheckedFile(path);
    const trusted = openDatabase(path, { now: NOW });
    expect(trusted.pragma("quick_check", { simple: true })).not.toBe("ok");
    trusted.close();
    // Setting the modification time back still changes the file's change time: checked again.
    const { atime, mtime } = statSync(path);
    utimesSync(path, atime, mtime);
    expect(checkStampIsCurrent(path)).toBe(false);
    expectRefusedUntouched(path, /corrupt.*Freelist/);
  });

  it("renews the stamp when a kernel that wrote closes the board, so the next process trusts it as the write left it", async () => {
    const paths = boardIn(tempDir());
    const k = await openKernel(paths, { clock: createManualClock(NOW), ids: createSequentialIds() });
    await createTask(k, { title: "written after the check" });
    await k.close();
    expect(existsSync(`${paths.dbPath}-wal`)).toBe(false); // the close checkpointed into the file
    expect(checkStampIsCurrent(paths.dbPath)).toBe(true);
  });

  it("writes no stamp beside a file it refuses or opens read-only", async () => {
    const foreign = join(tempDir(), "kanban.db");
    const db = new BetterSqlite3(foreign);
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY)");
    db.close();
    expectRefusedUntouched(foreign, /not a board/);
    expect(existsSync(checkStampPath(foreign))).toBe(false);

    const path = join(tempDir(), "kanban.db");
    realSqliteFile(path, { wal: true, userVersion: SCHEMA_VERSION });
    openDatabase(path, { now: NOW, readonly: true }).close();
    expect(existsSync(checkStampPath(path))).toBe(false);
  });
});

describe("the first open of a fresh path from several processes at once", () => {
  it("succeeds in every process and leaves exactly the schema one process alone creates", async () => {
    const processes = 5;
    for (let round = 0; round < 2; round++) {
      const path = join(tempDir(), "kanban.db");
      const results = await runTogether(
        Array.from({ length: processes }, () => ({ script: "open-board.ts", args: [path] })),
      );
      const reports = results.map((r) => reportOf<{ ok: boolean; version?: number; message?: string }>(r));
      expect(reports).toEqual(Array.from({ length: processes }, () => ({ ok: true, version: SCHEMA_VERSION })));

      // The schema cookie counts committed schema changes: the raced file has exactly the
      // changes of a file initialised by one process alone, so the schema was created once.
      const alone = join(tempDir(), "kanban.db");
      openDatabase(alone, { now: NOW }).close();
      const single = new BetterSqlite3(alone);
      const db = new BetterSqlite3(path);
      expect(db.pragma("schema_version", { simple: true })).toBe(single.pragma("schema_version", { simple: true }));
      expect(schemaOf(db)).toEqual(schemaOf(single));
      single.close();
      expect(tablesOf(db)).toEqual(expect.arrayContaining(TABLES));
      expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.pragma("quick_check", { simple: true })).toBe("ok");
      db.close();
    }
  });
});
