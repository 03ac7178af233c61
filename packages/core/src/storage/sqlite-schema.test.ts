import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { tempHome } from "../../test/fixtures.ts";
import { referenceDdl } from "../../test/reference-schema.ts";
import { claimTask, setWorkerPid } from "../claims.ts";
import { createManualClock, createSequentialIds } from "../clock.ts";
import { recordWorkerExit } from "../failures.ts";
import { type Kernel, openKernel } from "../kernel.ts";
import { recomputeReady } from "../links.ts";
import { boardPaths, DEFAULT_BOARD } from "../paths.ts";
import { pausedProfiles } from "../pauses.ts";
import { getTask, setMaxRetries, setModelOverride } from "../tasks.ts";
import { SCHEMA_VERSION } from "./sqlite-schema.ts";

const NOW = 1_700_000_000;

function open(paths: ReturnType<typeof boardPaths>): Promise<Kernel> {
  return openKernel(paths, { clock: createManualClock(NOW), ids: createSequentialIds(), host: "testhost" });
}

function columnsOf(db: BetterSqlite3.Database, table: string) {
  return db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string; type: string; notnull: number }>;
}

/** What the failure policy (decision 013) adds to a board, as SQLite reports it. */
function expectFailurePolicySchema(path: string): void {
  const db = new BetterSqlite3(path, { readonly: true });
  const tasks = columnsOf(db, "tasks");
  for (const name of ["max_retries", "retry_after"]) {
    expect(
      tasks.find((c) => c.name === name),
      `tasks.${name}`,
    ).toMatchObject({ type: "INTEGER", notnull: 0 });
  }
  expect(columnsOf(db, "profile_pauses").map((c) => c.name)).toEqual([
    "profile",
    "fingerprint",
    "failures",
    "task_id",
    "paused_at",
    "resumed_at",
    "resumed_by",
  ]);
  expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
  db.close();
}

describe("schema version 4 (the failure policy)", () => {
  it("is given to a board Hermes wrote at the reference schema, whose tasks keep working under the policy", async () => {
    const paths = boardPaths(tempHome(), DEFAULT_BOARD);
    const raw = new BetterSqlite3(paths.dbPath);
    raw.pragma("journal_mode = WAL");
    raw.exec(referenceDdl());
    raw.exec(`
      INSERT INTO tasks (id, title, status, created_at, assignee) VALUES ('t_0000aaaa', 'from Hermes', 'ready', 1690000000, 'eve');
      INSERT INTO tasks (id, title, status, created_at, assignee) VALUES ('t_0000bbbb', 'also Hermes', 'ready', 1690000001, 'eve');
    `);
    raw.close();

    const k = await open(paths);
    expectFailurePolicySchema(paths.dbPath);
    expect(await getTask(k, "t_0000aaaa")).toMatchObject({ max_retries: null, retry_after: null });
    expect(await pausedProfiles(k)).toEqual([]);
    await setMaxRetries(k, "t_0000aaaa", 1);
    const run = (await claimTask(k, "t_0000bbbb"))?.current_run_id as number;
    await setWorkerPid(k, "t_0000bbbb", run, 900);
    await recordWorkerExit(k, "t_0000bbbb", run, { pid: 900, code: 75, signal: null });
    expect(await getTask(k, "t_0000bbbb")).toMatchObject({ status: "ready", spawn_failures: 0, retry_after: NOW + 30 });
    expect((await getTask(k, "t_0000aaaa"))?.max_retries).toBe(1);
    await k.close();
  });

  it("is given to a version-3 Switchyard board on its next open, keeping its tasks", async () => {
    const paths = boardPaths(tempHome(), DEFAULT_BOARD);
    const k1 = await open(paths);
    await k1.db.run(
      "INSERT INTO tasks (id, title, status, created_at) VALUES ('t_0000cccc', 'made under 3', 'todo', 1)",
    );
    await k1.close();
    const old = new BetterSqlite3(paths.dbPath);
    old.exec("ALTER TABLE tasks DROP COLUMN max_retries");
    old.exec("ALTER TABLE tasks DROP COLUMN retry_after");
    old.exec("DROP TABLE profile_pauses");
    old.pragma("user_version = 3");
    old.close();

    const k2 = await open(paths);
    expectFailurePolicySchema(paths.dbPath);
    expect(await getTask(k2, "t_0000cccc")).toMatchObject({
      title: "made under 3",
      max_retries: null,
      retry_after: null,
    });
    await k2.close();
  });
});

describe("schema version 5 (tasks parked by hand, decision 015)", () => {
  it("adds tasks.parked to a Hermes board: its waiting child is promoted when due, its parentless todo task stays", async () => {
    const paths = boardPaths(tempHome(), DEFAULT_BOARD);
    const raw = new BetterSqlite3(paths.dbPath);
    raw.pragma("journal_mode = WAL");
    raw.exec(referenceDdl());
    raw.exec(`
      INSERT INTO tasks (id, title, status, created_at) VALUES ('t_0000aaaa', 'parent', 'done', 1690000000);
      INSERT INTO tasks (id, title, status, created_at) VALUES ('t_0000bbbb', 'waiting child', 'todo', 1690000001);
      INSERT INTO tasks (id, title, status, created_at) VALUES ('t_0000cccc', 'dragged to todo', 'todo', 1690000002);
      INSERT INTO task_links (parent_id, child_id) VALUES ('t_0000aaaa', 't_0000bbbb');
    `);
    raw.close();

    const k = await open(paths);
    const db = new BetterSqlite3(paths.dbPath, { readonly: true });
    expect(columnsOf(db, "tasks").find((c) => c.name === "parked")).toMatchObject({ type: "INTEGER", notnull: 1 });
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    expect(await recomputeReady(k)).toBe(1);
    expect(await getTask(k, "t_0000bbbb")).toMatchObject({ status: "ready", parked: false });
    expect(await getTask(k, "t_0000cccc")).toMatchObject({ status: "todo", parked: false });
    await k.close();
  });
});

describe("schema version 6 (a task's own model, SPEC §14)", () => {
  it("adds tasks.model_override to a Hermes board, whose tasks read with none and take one", async () => {
    const paths = boardPaths(tempHome(), DEFAULT_BOARD);
    const raw = new BetterSqlite3(paths.dbPath);
    raw.pragma("journal_mode = WAL");
    raw.exec(referenceDdl());
    raw.exec(
      "INSERT INTO tasks (id, title, status, created_at) VALUES ('t_0000aaaa', 'from Hermes', 'ready', 1690000000);",
    );
    raw.close();

    const k = await open(paths);
    const db = new BetterSqlite3(paths.dbPath, { readonly: true });
    expect(columnsOf(db, "tasks").find((c) => c.name === "model_override")).toMatchObject({ type: "TEXT", notnull: 0 });
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    expect(await getTask(k, "t_0000aaaa")).toMatchObject({ model_override: null });
    await setModelOverride(k, "t_0000aaaa", "anthropic/claude-sonnet-4");
    expect(await getTask(k, "t_0000aaaa")).toMatchObject({ model_override: "anthropic/claude-sonnet-4" });
    await k.close();
  });
});
