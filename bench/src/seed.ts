import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  boardPaths,
  DEFAULT_BOARD,
  type Home,
  openKernel,
  resolveHome,
  WAL_AUTOCHECKPOINT_PAGES,
} from "@switchyard/core";
import BetterSqlite3, { type Database } from "better-sqlite3";

/**
 * Boards for the benchmarks, seeded with bulk SQL in one transaction (fast) after the kernel
 * itself has created the schema, so the rows sit in exactly the tables and indexes the real
 * code reads. Ids are `t_` + 8 hex like the kernel's; times are Unix seconds.
 */

export const SEED_NOW = 1_700_000_000;
export const PROFILES = ["alice", "bob", "coder", "reviewer", "writer", "tester", "ops", "research"] as const;
const TENANTS = ["acme", "globex", null] as const;

/** The kernel's `wal_autocheckpoint`, so the bare connections write like the kernel's (also in workers/bare-cli.mjs). */
export { WAL_AUTOCHECKPOINT_PAGES };

const homes: string[] = [];

/** A fresh home in a temp dir with an initialised (empty) default board; removed by `removeHomes`. */
export async function freshHome(): Promise<Home> {
  const root = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
  homes.push(root);
  const home = resolveHome({ SWITCHYARD_HOME: root });
  await (await openKernel(boardPaths(home, DEFAULT_BOARD))).close();
  return home;
}

export function removeHomes(): void {
  for (const root of homes.splice(0)) rmSync(root, { recursive: true, force: true });
}

export function dbPathOf(home: Home): string {
  return boardPaths(home, DEFAULT_BOARD).dbPath;
}

export function taskId(i: number): string {
  return `t_${i.toString(16).padStart(8, "0")}`;
}

/** Opens a board file as a bare better-sqlite3 connection with the kernel's pragmas. */
export function rawOpen(path: string): Database {
  const db = new BetterSqlite3(path, { timeout: 30_000 });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  db.pragma("foreign_keys = ON");
  return db;
}

/** Writes the WAL back into the main file, so the board is one self-contained file. */
function checkpoint(db: Database): void {
  db.pragma("wal_checkpoint(TRUNCATE)");
}

/** Copies a seeded board file into a fresh home (cheaper than seeding the same board twice). */
export async function cloneBoard(template: string): Promise<Home> {
  const home = await freshHome();
  const target = dbPathOf(home);
  mkdirSync(dirname(target), { recursive: true });
  for (const suffix of ["-wal", "-shm"]) rmSync(`${target}${suffix}`, { force: true });
  copyFileSync(template, target);
  return home;
}

interface Statements {
  task: BetterSqlite3.Statement;
  event: BetterSqlite3.Statement;
  run: BetterSqlite3.Statement;
  link: BetterSqlite3.Statement;
  comment: BetterSqlite3.Statement;
}

function statements(db: Database): Statements {
  return {
    task: db.prepare(
      `INSERT INTO tasks (id, title, body, assignee, status, priority, created_by, created_at, started_at,
                          completed_at, claim_lock, claim_expires, tenant, result, worker_pid, last_heartbeat_at,
                          current_run_id)
       VALUES (@id, @title, @body, @assignee, @status, @priority, 'bench', @created_at, @started_at,
               @completed_at, @claim_lock, @claim_expires, @tenant, @result, @worker_pid, @last_heartbeat_at,
               @current_run_id)`,
    ),
    event: db.prepare("INSERT INTO task_events (task_id, run_id, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)"),
    run: db.prepare(
      `INSERT INTO task_runs (task_id, profile, status, claim_lock, claim_expires, worker_pid, last_heartbeat_at,
                              started_at, ended_at, outcome, summary)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    link: db.prepare("INSERT OR IGNORE INTO task_links (parent_id, child_id) VALUES (?, ?)"),
    comment: db.prepare("INSERT INTO task_comments (task_id, author, body, created_at) VALUES (?, ?, ?, ?)"),
  };
}

interface TaskSeed {
  i: number;
  status: string;
  assignee: string | null;
  tenant: string | null;
  priority: number;
}

const BODY =
  "## Goal\nMake the thing work for **every** board.\n\n- read the spec\n- write the code\n- add tests\n\nSee the linked tasks for context.";

/** Inserts one task with its events (about five), its run when it has one, as the kernel would record them. */
function insertTask(s: Statements, t: TaskSeed): void {
  const id = taskId(t.i);
  const created = SEED_NOW - 86_400 + (t.i % 80_000);
  const claimed = t.status === "running" || t.status === "done";
  const lock = claimed ? `benchhost:${1000 + (t.i % 50)}` : null;
  let runId: number | null = null;
  if (claimed) {
    runId = Number(
      s.run.run(
        id,
        t.assignee,
        t.status === "done" ? "done" : "running",
        lock,
        t.status === "running" ? SEED_NOW + 900 : null,
        t.status === "running" ? 90_000 + t.i : null,
        created + 120,
        created + 60,
        t.status === "done" ? created + 600 : null,
        t.status === "done" ? "completed" : null,
        t.status === "done" ? `finished task ${t.i}` : null,
      ).lastInsertRowid,
    );
  }
  s.task.run({
    id,
    title: `Task ${t.i}: ${t.status} work for ${t.assignee ?? "nobody"}`,
    body: BODY,
    assignee: t.assignee,
    status: t.status,
    priority: t.priority,
    created_at: created,
    started_at: claimed ? created + 60 : null,
    completed_at: t.status === "done" ? created + 600 : null,
    claim_lock: t.status === "running" ? lock : null,
    claim_expires: t.status === "running" ? SEED_NOW + 900 : null,
    tenant: t.tenant,
    result: t.status === "done" ? `finished task ${t.i}` : null,
    worker_pid: t.status === "running" ? 90_000 + t.i : null,
    last_heartbeat_at: claimed ? created + 120 : null,
    current_run_id: t.status === "running" ? runId : null,
  });
  const event = (kind: string, payload: unknown, at: number, run: number | null = null) =>
    s.event.run(id, run, kind, payload === null ? null : JSON.stringify(payload), at);
  event(
    "created",
    {
      assignee: t.assignee,
      status: t.status === "todo" ? "todo" : "ready",
      parents: [],
      tenant: t.tenant,
      skills: null,
    },
    created,
  );
  if (claimed) {
    event("claimed", { lock, expires: created + 960, run_id: runId }, created + 60, runId);
    event("spawned", { pid: 90_000 + t.i }, created + 61, runId);
    event("heartbeat", null, created + 120, runId);
    if (t.status === "done") {
      event("completed", { result_len: 20, summary: `finished task ${t.i}` }, created + 600, runId);
    } else {
      event("heartbeat", { note: "halfway" }, created + 180, runId);
    }
  } else {
    event("assigned", { assignee: t.assignee }, created + 10);
    event("reprioritized", { priority: t.priority }, created + 20);
    event("edited", null, created + 30);
    event("status", { status: t.status }, created + 40);
  }
}

/** The status mix of a living board: mostly done, a fair amount waiting, a few running or stuck. */
function mixedStatus(i: number): string {
  const m = i % 20;
  if (m < 8) return "done";
  if (m < 11) return "ready";
  if (m < 14) return "todo";
  if (m < 16) return "running";
  if (m < 17) return "blocked";
  if (m < 18) return "triage";
  if (m < 19) return "archived";
  return "done";
}

/**
 * A board of `count` tasks like a busy one: the status mix above, about five events per task,
 * a parent link on half the tasks, a comment on a third, and an active hallucination warning on
 * one task in a hundred. `archived: false` makes the archived share done instead (every card shows).
 */
export function seedMixedBoard(path: string, count: number, options: { archived?: boolean } = {}): void {
  const db = rawOpen(path);
  const s = statements(db);
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const mixed = mixedStatus(i);
      const status = mixed === "archived" && options.archived === false ? "done" : mixed;
      insertTask(s, {
        i,
        status,
        assignee: PROFILES[i % PROFILES.length] ?? null,
        tenant: TENANTS[i % TENANTS.length] ?? null,
        priority: i % 7 === 0 ? 2 : i % 3 === 0 ? 1 : 0,
      });
      if (i > 0 && i % 2 === 1) s.link.run(taskId(i - 1), taskId(i));
      if (i > 2 && i % 6 === 3) s.link.run(taskId(i - 3), taskId(i));
      if (i % 3 === 0) {
        s.comment.run(taskId(i), "reviewer", `Looked at task ${i}; see ${taskId(Math.max(0, i - 1))}.`, SEED_NOW - 500);
        s.event.run(taskId(i), null, "commented", JSON.stringify({ author: "reviewer", len: 40 }), SEED_NOW - 500);
      }
      if (i % 100 === 50) {
        s.event.run(
          taskId(i),
          null,
          "suspected_hallucinated_references",
          JSON.stringify({ phantom_refs: ["t_deadbeef"], source: "completion_summary" }),
          SEED_NOW - 400,
        );
      }
    }
  })();
  checkpoint(db);
  db.close();
}

/** `count` ready tasks, each assigned to `assignee` with its `created` event (the claim benchmark). */
export function seedReadyTasks(path: string, count: number, assignee: string): void {
  const db = rawOpen(path);
  const s = statements(db);
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      insertTask(s, { i, status: "ready", assignee, tenant: null, priority: 0 });
    }
  })();
  // The created/assigned/… events of insertTask are fine here; only the status matters to a claim.
  checkpoint(db);
  db.close();
}

/** A deterministic scramble of i (Knuth's multiplicative hash), so statuses do not follow the link offsets. */
function scatter(i: number): number {
  return Math.imul(i + 1, 2654435761) >>> 0;
}

/** Parent offsets: task i depends on i-1, i-3, i-7, i-13 and i-29 (fewer near the start). */
export const PARENT_OFFSETS = [1, 3, 7, 13, 29] as const;

/**
 * A dependency graph of `count` tasks where every task from the 29th on has five parents.
 * Seven in ten tasks are done; the rest wait in todo, so about a sixth of those have every
 * parent done and a ready recomputation promotes them. Every task is assigned to `assignee`.
 */
export function seedDag(path: string, count: number, assignee: string): void {
  const db = rawOpen(path);
  const s = statements(db);
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const status = scatter(i) % 10 < 7 ? "done" : "todo";
      insertTask(s, { i, status, assignee, tenant: null, priority: i % 5 === 0 ? 1 : 0 });
      for (const d of PARENT_OFFSETS) if (i - d >= 0) s.link.run(taskId(i - d), taskId(i));
    }
  })();
  checkpoint(db);
  db.close();
}
