import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { claimTask } from "../src/claims.ts";
import { createManualClock, createSequentialIds } from "../src/clock.ts";
import { listComments } from "../src/comments.ts";
import { completeTask, finishChecks, waiveCompletion } from "../src/completion.ts";
import { listEvents } from "../src/events.ts";
import { type Kernel, openKernel } from "../src/kernel.ts";
import { childIds, parentIds } from "../src/links.ts";
import { boardPaths, DEFAULT_BOARD } from "../src/paths.ts";
import { setPolicy } from "../src/policy.ts";
import { listRuns } from "../src/runs.ts";
import type { Queryable } from "../src/storage/driver.ts";
import { createSqliteDriver } from "../src/storage/sqlite.ts";
import { migrate, SCHEMA_VERSION } from "../src/storage/sqlite-schema.ts";
import { createTask, getTask, listTasks } from "../src/tasks.ts";
import { tempHome } from "./fixtures.ts";
import { reportOf, runTogether } from "./processes.ts";
import {
  AUTOINCREMENT_TABLES,
  OLDER_HERMES_DDL,
  REFERENCE_COLUMNS,
  REFERENCE_INDEXES,
  referenceDdl,
} from "./reference-schema.ts";

const OPENED_AT = 1_700_000_000;
type Row = Record<string, unknown>;

/** The rows an older Hermes left, keyed by table, in the old column set. */
const OLD_TASKS: Row[] = [
  {
    id: "t_0000aaaa",
    title: "Design the schema",
    body: "## Plan\n- ünïcødé ✓ and 'quotes'",
    assignee: "alice",
    status: "done",
    priority: 2,
    created_by: "user",
    created_at: 1_690_000_000,
    started_at: 1_690_000_100,
    completed_at: 1_690_000_500,
    workspace_kind: "scratch",
    workspace_path: "/home/me/.hermes/kanban/workspaces/t_0000aaaa",
    claim_lock: null,
    claim_expires: null,
  },
  {
    id: "t_0000bbbb",
    title: "Write the migration",
    body: null,
    assignee: "bob",
    status: "ready",
    priority: 1,
    created_by: "alice",
    created_at: 1_690_000_010,
    started_at: null,
    completed_at: null,
    workspace_kind: "worktree",
    workspace_path: null,
    claim_lock: null,
    claim_expires: null,
  },
  {
    id: "t_0000cccc",
    title: "Run the worker",
    body: "in flight when Hermes stopped",
    assignee: "carol",
    status: "running",
    priority: 5,
    created_by: "user",
    created_at: 1_690_000_020,
    started_at: 1_690_000_700,
    completed_at: null,
    workspace_kind: "dir",
    workspace_path: "/srv/work",
    claim_lock: "oldhost:4242",
    claim_expires: 1_690_003_600,
  },
  {
    id: "t_0000dddd",
    title: "Waits on the running one",
    body: null,
    assignee: "carol",
    status: "todo",
    priority: 0,
    created_by: "user",
    created_at: 1_690_000_030,
    started_at: null,
    completed_at: null,
    workspace_kind: "scratch",
    workspace_path: null,
    claim_lock: null,
    claim_expires: null,
  },
  {
    id: "t_0000eeee",
    title: "Gave up spawning",
    body: null,
    assignee: "dave",
    status: "blocked",
    priority: 0,
    created_by: "user",
    created_at: 1_690_000_040,
    started_at: null,
    completed_at: null,
    workspace_kind: "scratch",
    workspace_path: null,
    claim_lock: null,
    claim_expires: null,
  },
  {
    id: "t_0000ffff",
    title: "A rough idea",
    body: null,
    assignee: null,
    status: "triage",
    priority: 0,
    created_by: "dashboard",
    created_at: 1_690_000_050,
    started_at: null,
    completed_at: null,
    workspace_kind: "scratch",
    workspace_path: null,
    claim_lock: null,
    claim_expires: null,
  },
  {
    id: "t_ab12",
    title: "From the days of 2-byte ids",
    body: null,
    assignee: "alice",
    status: "archived",
    priority: -1,
    created_by: "user",
    created_at: 1_680_000_000,
    started_at: null,
    completed_at: null,
    workspace_kind: "scratch",
    workspace_path: null,
    claim_lock: null,
    claim_expires: null,
  },
];

const OLD_LINKS: Row[] = [
  { parent_id: "t_0000aaaa", child_id: "t_0000bbbb" },
  { parent_id: "t_0000cccc", child_id: "t_0000dddd" },
];

const OLD_COMMENTS: Row[] = [
  { id: 1, task_id: "t_0000aaaa", author: "alice", body: "Looks good", created_at: 1_690_000_400 },
  { id: 2, task_id: "t_0000cccc", author: "bob", body: "Any progress? 🚧", created_at: 1_690_000_800 },
];

const OLD_EVENTS: Row[] = [
  {
    id: 1,
    task_id: "t_0000aaaa",
    kind: "created",
    payload: '{"assignee": "alice", "status": "ready", "parents": [], "tenant": null}',
    created_at: 1_690_000_000,
  },
  { id: 2, task_id: "t_0000aaaa", kind: "priority", payload: '{"priority": 2}', created_at: 1_690_000_005 },
  { id: 3, task_id: "t_0000aaaa", kind: "completed", payload: '{"result_len": 0}', created_at: 1_690_000_500 },
  { id: 4, task_id: "t_0000bbbb", kind: "ready", payload: null, created_at: 1_690_000_500 },
  {
    id: 5,
    task_id: "t_0000cccc",
    kind: "claimed",
    payload: '{"lock": "oldhost:4242", "expires": 1690003600}',
    created_at: 1_690_000_700,
  },
  {
    id: 6,
    task_id: "t_0000eeee",
    kind: "spawn_auto_blocked",
    payload: '{"failures": 5, "error": "hermes not found"}',
    created_at: 1_690_000_900,
  },
  { id: 7, task_id: "t_0000ffff", kind: "some_future_kind", payload: '{"x": 1}', created_at: 1_690_000_950 },
];

const RENAMED: Record<string, string> = { ready: "promoted", priority: "reprioritized", spawn_auto_blocked: "gave_up" };

function insertRows(db: BetterSqlite3.Database, table: string, rows: Row[]): void {
  for (const row of rows) {
    const cols = Object.keys(row);
    db.prepare(`INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map((c) => `@${c}`).join(", ")})`).run(row);
  }
}

/** Writes a board the way an older Hermes would have left it, with no Switchyard code. */
function writeOlderHermesBoard(path: string): void {
  const db = new BetterSqlite3(path);
  db.pragma("journal_mode = WAL");
  db.exec(OLDER_HERMES_DDL);
  db.transaction(() => {
    insertRows(db, "tasks", OLD_TASKS);
    insertRows(db, "task_links", OLD_LINKS);
    insertRows(db, "task_comments", OLD_COMMENTS);
    insertRows(db, "task_events", OLD_EVENTS);
  })();
  db.close();
}

function olderHermesHome() {
  const home = tempHome();
  const paths = boardPaths(home, DEFAULT_BOARD);
  writeOlderHermesBoard(paths.dbPath);
  return { home, paths };
}

function open(paths: ReturnType<typeof boardPaths>): Promise<Kernel> {
  return openKernel(paths, { clock: createManualClock(OPENED_AT), ids: createSequentialIds(), host: "newhost" });
}

/** Statements on a plain connection (no Switchyard code opened it), for the helpers below. */
function plain(db: BetterSqlite3.Database): Queryable {
  return createSqliteDriver(db, db.name);
}

/** Every row of every table, for before/after comparisons. */
async function dump(db: Queryable): Promise<Record<string, Row[]>> {
  const tables = await db.all<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  const out: Record<string, Row[]> = {};
  for (const t of tables) out[t.name] = await db.all(`SELECT * FROM ${t.name} ORDER BY rowid`);
  return out;
}

function pick(row: Row, keys: readonly string[]): Row {
  return Object.fromEntries(keys.map((k) => [k, row[k]]));
}

function tableInfo(db: Queryable, table: string) {
  return db.all<{
    name: string;
    type: string;
    notnull: number;
    dflt_value: string | null;
    pk: number;
  }>(`PRAGMA table_info(${table})`);
}

/** Core's tables and columns are a superset of reference §1.3: same names, declared types, NOT NULL, defaults, keys. */
async function expectReferenceSuperset(db: Queryable): Promise<void> {
  for (const [table, spec] of Object.entries(REFERENCE_COLUMNS)) {
    const info = await tableInfo(db, table);
    for (const col of spec) {
      const actual = info.find((c) => c.name === col.name);
      expect(actual, `${table}.${col.name} exists`).toBeDefined();
      expect({
        table,
        name: actual?.name,
        type: actual?.type.toUpperCase(),
        notnull: actual?.notnull,
        dflt: actual?.dflt_value,
        pk: actual?.pk,
      }).toEqual({ table, name: col.name, type: col.type, notnull: col.notnull, dflt: col.dflt, pk: col.pk });
    }
  }
  for (const table of AUTOINCREMENT_TABLES) {
    const row = await db.get<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = ?", [table]);
    expect(row?.sql.toUpperCase()).toContain("AUTOINCREMENT");
  }
  for (const index of REFERENCE_INDEXES) {
    const row = await db.get<{ tbl_name: string }>(
      "SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND name = ?",
      [index.name],
    );
    expect(row?.tbl_name, `index ${index.name}`).toBe(index.table);
    const cols = (await db.all<{ name: string }>(`PRAGMA index_info(${index.name})`)).map((c) => c.name);
    expect(cols, `columns of ${index.name}`).toEqual(index.columns);
  }
}

describe("the schema core creates", () => {
  it("has every table, column and index of reference §1.3 with the same names and declared types", async () => {
    const k = await open(boardPaths(tempHome(), DEFAULT_BOARD));
    await expectReferenceSuperset(k.db);
    await k.close();
  });

  it("keeps the reference's column order on a fresh board", async () => {
    const k = await open(boardPaths(tempHome(), DEFAULT_BOARD));
    for (const [table, spec] of Object.entries(REFERENCE_COLUMNS)) {
      const names = (await tableInfo(k.db, table)).map((c) => c.name);
      expect(names.slice(0, spec.length), table).toEqual(spec.map((c) => c.name));
    }
    await k.close();
  });

  it("is matched by the reference DDL written out here, so the comparison itself is sound", async () => {
    const raw = new BetterSqlite3(":memory:");
    raw.exec(referenceDdl());
    const db = plain(raw);
    await expectReferenceSuperset(db);
    raw.exec("ALTER TABLE tasks DROP COLUMN skills");
    await expect(expectReferenceSuperset(db)).rejects.toThrow(/tasks.skills/);
    raw.close();
  });
});

describe("a board an older Hermes left behind", () => {
  it("opens, and every table then matches the reference schema", async () => {
    const { paths } = olderHermesHome();
    const k = await open(paths);
    await expectReferenceSuperset(k.db);
    expect(await k.db.get("PRAGMA user_version")).toEqual({ user_version: SCHEMA_VERSION });
    await k.close();
  });

  it("keeps every task row and value, with the migrated columns at their defaults", async () => {
    const { paths } = olderHermesHome();
    const k = await open(paths);
    const rows = await k.db.all("SELECT * FROM tasks ORDER BY rowid");
    expect(rows.map((r) => pick(r, Object.keys(OLD_TASKS[0] ?? {})))).toEqual(OLD_TASKS);
    for (const row of rows) {
      expect(row.spawn_failures).toBe(0);
      for (const c of ["tenant", "result", "idempotency_key", "worker_pid", "last_spawn_error"]) {
        expect(row[c], `${row.id}.${c}`).toBeNull();
      }
      for (const c of [
        "max_runtime_seconds",
        "last_heartbeat_at",
        "workflow_template_id",
        "current_step_key",
        "skills",
      ]) {
        expect(row[c], `${row.id}.${c}`).toBeNull();
      }
      if (row.id !== "t_0000cccc") expect(row.current_run_id, `${row.id}.current_run_id`).toBeNull();
    }
    await k.close();
  });

  it("keeps links and comments exactly", async () => {
    const { paths } = olderHermesHome();
    const k = await open(paths);
    expect(await k.db.all("SELECT * FROM task_links ORDER BY rowid")).toEqual(OLD_LINKS);
    expect(await k.db.all("SELECT * FROM task_comments ORDER BY id")).toEqual(OLD_COMMENTS);
    expect(await parentIds(k, "t_0000bbbb")).toEqual(["t_0000aaaa"]);
    expect(await childIds(k, "t_0000cccc")).toEqual(["t_0000dddd"]);
    expect((await listComments(k, "t_0000cccc")).map((c) => c.body)).toEqual(["Any progress? 🚧"]);
    await k.close();
  });

  it("keeps every event, renames the legacy kinds in place and adds run_id as NULL", async () => {
    const { paths } = olderHermesHome();
    const k = await open(paths);
    const rows = await k.db.all("SELECT * FROM task_events ORDER BY id");
    expect(rows).toEqual(OLD_EVENTS.map((e) => ({ ...e, kind: RENAMED[e.kind as string] ?? e.kind, run_id: null })));
    const legacy = await k.db.get(
      "SELECT count(*) AS n FROM task_events WHERE kind IN ('ready', 'priority', 'spawn_auto_blocked')",
    );
    expect(legacy).toEqual({ n: 0 });
    expect((await listEvents(k, "t_0000eeee")).map((e) => [e.kind, e.payload])).toEqual([
      ["gave_up", { failures: 5, error: "hermes not found" }],
    ]);
    await k.close();
  });

  it("gives the running task an open run built from its claim, and points the task at it", async () => {
    const { paths } = olderHermesHome();
    const k = await open(paths);
    const runs = await k.db.all("SELECT * FROM task_runs");
    expect(runs).toHaveLength(1);
    const task = await getTask(k, "t_0000cccc");
    expect(task?.status).toBe("running");
    expect(task?.current_run_id).toBe(runs[0]?.id);
    expect(runs[0]).toMatchObject({
      task_id: "t_0000cccc",
      profile: "carol",
      status: "running",
      claim_lock: "oldhost:4242",
      claim_expires: 1_690_003_600,
      started_at: 1_690_000_700,
      ended_at: null,
      outcome: null,
    });
    await k.close();
  });

  it("is idempotent: reopening and re-running the migration change nothing", async () => {
    const { paths } = olderHermesHome();
    const first = await open(paths);
    const once = await dump(first.db);
    await first.close();

    const again = await open(paths);
    expect(await dump(again.db)).toEqual(once);
    await again.close();
    const raw1 = new BetterSqlite3(paths.dbPath);
    raw1.transaction(() => migrate(raw1, OPENED_AT + 3600)).immediate();
    expect(await dump(plain(raw1))).toEqual(once);
    raw1.close();

    // A file whose version marker was lost (e.g. restored by a tool that drops it) is migrated
    // again from scratch, and that too changes nothing.
    const raw = new BetterSqlite3(paths.dbPath);
    raw.pragma("user_version = 0");
    raw.close();
    const third = await open(paths);
    expect(await dump(third.db)).toEqual(once);
    await third.close();
  });

  it("is a working board afterwards: the backfilled run completes and promotes the waiting child", async () => {
    const { paths } = olderHermesHome();
    const k = await open(paths);
    const runId = (await getTask(k, "t_0000cccc"))?.current_run_id ?? null;
    const done = await completeTask(k, "t_0000cccc", { summary: "finished after the upgrade", runId });
    expect(done.task.status).toBe("done");
    expect((await listRuns(k, "t_0000cccc")).map((r) => [r.id, r.outcome, r.summary])).toEqual([
      [runId, "completed", "finished after the upgrade"],
    ]);
    expect((await getTask(k, "t_0000dddd"))?.status).toBe("ready");
    expect((await listTasks(k)).map((t) => t.id)).not.toContain("t_ab12");
    expect((await listTasks(k, { includeArchived: true })).map((t) => t.id)).toContain("t_ab12");
    await k.close();
  });

  it("is migrated once when several processes open it at the same moment", async () => {
    const { home, paths } = olderHermesHome();
    const results = await runTogether(
      Array.from({ length: 5 }, () => ({ script: "open-kernel.ts", args: [home.root] })),
    );
    for (const r of results) expect(reportOf(r)).toEqual({ ok: true, tasks: OLD_TASKS.length });
    const k = await open(paths);
    const runs = await k.db.all("SELECT task_id, status, ended_at, error FROM task_runs");
    expect(runs).toEqual([{ task_id: "t_0000cccc", status: "running", ended_at: null, error: null }]);
    expect(await k.db.get("SELECT count(*) AS n FROM task_events")).toEqual({ n: OLD_EVENTS.length });
    await k.close();
  });
});

describe("a board written by Hermes at the reference's schema", () => {
  it("opens with its runs, events and notification subscriptions untouched", async () => {
    const home = tempHome();
    const paths = boardPaths(home, DEFAULT_BOARD);
    const raw = new BetterSqlite3(paths.dbPath);
    raw.pragma("journal_mode = WAL");
    raw.exec(referenceDdl());
    raw.exec(`
      INSERT INTO tasks (id, title, status, created_at, assignee, claim_lock, claim_expires, started_at, current_run_id, skills)
        VALUES ('t_12345678', 'claimed by Hermes', 'running', 1690000000, 'eve', 'hermeshost:77', 1690000900, 1690000000, 1, '["review"]');
      INSERT INTO task_runs (id, task_id, profile, status, claim_lock, claim_expires, started_at)
        VALUES (1, 't_12345678', 'eve', 'running', 'hermeshost:77', 1690000900, 1690000000);
      INSERT INTO task_events (task_id, run_id, kind, payload, created_at)
        VALUES ('t_12345678', 1, 'claimed', '{"lock": "hermeshost:77", "expires": 1690000900, "run_id": 1}', 1690000000);
      INSERT INTO kanban_notify_subs (task_id, platform, chat_id, created_at, last_event_id)
        VALUES ('t_12345678', 'telegram', '42', 1690000000, 1);
    `);
    const before = await dump(plain(raw));
    raw.close();

    const k = await open(paths);
    // Switchyard adds only what SPEC §2 allows: its nullable task columns, NULL on every row, its
    // `parked` column at its default 0 (decision 015), and its own tables, empty (decision 013).
    // Every value Hermes wrote is as it was.
    expect(await dump(k.db)).toEqual({
      ...before,
      tasks: before.tasks?.map((row) => ({
        ...row,
        max_retries: null,
        retry_after: null,
        parked: 0,
        model_override: null,
        require: null,
        verify_command: null,
        repo: null,
        base_ref: null,
      })),
      profile_pauses: [],
      run_proofs: [],
      board_settings: [],
      hosts: [],
    });
    expect(await getTask(k, "t_12345678")).toMatchObject({ current_run_id: 1, skills: ["review"], status: "running" });
    await k.close();
  });
});

describe("a board with receipts (SPEC §12)", () => {
  it("keeps the reference schema, and Hermes's reads of its own columns still work: the new facts are in new columns and tables only", async () => {
    const home = tempHome();
    const paths = boardPaths(home, DEFAULT_BOARD);
    const k = await open(paths);
    await setPolicy(k, { require: ["verify"], verify: "pnpm test" });
    const { task } = await createTask(k, {
      title: "Verified",
      assignee: "coder",
      workspace_kind: "dir",
      workspace_path: home.root,
    });
    const runId = (await claimTask(k, task.id))?.current_run_id as number;
    await completeTask(k, task.id, {
      runId,
      summary: "green",
      receipts: { tests: [{ command: "pnpm test", exit_code: 0 }] },
    });
    const results = ["pnpm test", "pnpm test"].map((command, i) => ({
      command,
      source: i === 0 ? ("test" as const) : ("verify" as const),
      expected_exit: 0,
      exit_code: 1,
      duration_ms: 10,
      output_tail: "1 failing",
      timed_out: false,
      ok: false,
    }));
    await finishChecks(k, task.id, runId, results);
    const { task: other } = await createTask(k, {
      title: "Waived",
      require: ["commits"],
      verify_command: "make check",
    });
    await refusalOf(completeTask(k, other.id, {}));
    await waiveCompletion(k, other.id, { reason: "done by hand" });
    await k.close();

    // What Hermes does on open (its DDL is CREATE TABLE IF NOT EXISTS, its migration adds only
    // missing columns) finds nothing to change, and its SELECTs of its own columns read every row.
    const raw = new BetterSqlite3(paths.dbPath);
    const db = plain(raw);
    await expectReferenceSuperset(db);
    for (const [table, spec] of Object.entries(REFERENCE_COLUMNS)) {
      const names = (await tableInfo(db, table)).map((c) => c.name);
      expect(names.slice(0, spec.length), table).toEqual(spec.map((c) => c.name));
      await db.all(`SELECT ${spec.map((c) => c.name).join(", ")} FROM ${table}`);
    }
    const tasks = await db.all<{ id: string; status: string }>("SELECT id, status FROM tasks ORDER BY rowid");
    expect(tasks.map((t) => t.status)).toEqual(["ready", "done"]);
    const runs = await db.all<{ status: string; outcome: string }>("SELECT status, outcome FROM task_runs ORDER BY id");
    expect(runs.map((r) => [r.status, r.outcome])).toEqual([
      ["unverified", "unverified"],
      ["completed", "completed"],
    ]);
    const tables = (await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")).map(
      (t) => t.name,
    );
    expect(tables).toEqual(expect.arrayContaining(["run_proofs", "board_settings"]));
    raw.close();
  });
});

async function refusalOf(work: Promise<unknown>): Promise<void> {
  await expect(work).rejects.toMatchObject({ code: "unverified_completion" });
}
