import { LEGACY_EVENT_KINDS } from "@switchyard/contract";
import type { Database } from "better-sqlite3";

/**
 * Bumped when Switchyard changes its schema; stored in `PRAGMA user_version`. A board with a
 * lower version gets the (idempotent) migration pass on its next open. 2 added `idx_tasks_order`;
 * 3 replaced it with `idx_tasks_queue`, whose ties fall to the rowid (insertion order, as Hermes);
 * 4 added the failure policy's `tasks.max_retries`, `tasks.retry_after` and `profile_pauses`
 * (decision 013); 5 added `tasks.parked` (decision 015) and `idx_runs_profile`; 6 added
 * `tasks.model_override` (Hermes's name for a task's own model, SPEC §14); 7 added verified
 * completion (SPEC §12, decision 018): `tasks.require`, `verify_command`, `repo`, `base_ref`
 * and the `run_proofs` and `board_settings` tables; 8 added `hosts`, the dispatchers working
 * the board and their leases (SPEC §13, decision 020).
 */
export const SCHEMA_VERSION = 8;

/**
 * The reference schema (§1.3) with the same tables, columns, types and indexes. Switchyard only
 * adds indexes; it never renames or drops.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS tasks (
  id                   TEXT PRIMARY KEY,
  title                TEXT NOT NULL,
  body                 TEXT,
  assignee             TEXT,
  status               TEXT NOT NULL,
  priority             INTEGER DEFAULT 0,
  created_by           TEXT,
  created_at           INTEGER NOT NULL,
  started_at           INTEGER,
  completed_at         INTEGER,
  workspace_kind       TEXT NOT NULL DEFAULT 'scratch',
  workspace_path       TEXT,
  claim_lock           TEXT,
  claim_expires        INTEGER,
  tenant               TEXT,
  result               TEXT,
  idempotency_key      TEXT,
  spawn_failures       INTEGER NOT NULL DEFAULT 0,
  worker_pid           INTEGER,
  last_spawn_error     TEXT,
  max_runtime_seconds  INTEGER,
  last_heartbeat_at    INTEGER,
  current_run_id       INTEGER,
  workflow_template_id TEXT,
  current_step_key     TEXT,
  skills               TEXT
);

CREATE TABLE IF NOT EXISTS task_links (
  parent_id TEXT NOT NULL,
  child_id  TEXT NOT NULL,
  PRIMARY KEY (parent_id, child_id)
);

CREATE TABLE IF NOT EXISTS task_comments (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id    TEXT NOT NULL,
  author     TEXT NOT NULL,
  body       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS task_events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id    TEXT NOT NULL,
  run_id     INTEGER,
  kind       TEXT NOT NULL,
  payload    TEXT,
  created_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS task_runs (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id             TEXT NOT NULL,
  profile             TEXT,
  step_key            TEXT,
  status              TEXT NOT NULL,
  claim_lock          TEXT,
  claim_expires       INTEGER,
  worker_pid          INTEGER,
  max_runtime_seconds INTEGER,
  last_heartbeat_at   INTEGER,
  started_at          INTEGER NOT NULL,
  ended_at            INTEGER,
  outcome             TEXT,
  summary             TEXT,
  metadata            TEXT,
  error               TEXT
);

CREATE TABLE IF NOT EXISTS kanban_notify_subs (
  task_id       TEXT NOT NULL,
  platform      TEXT NOT NULL,
  chat_id       TEXT NOT NULL,
  thread_id     TEXT NOT NULL DEFAULT '',
  user_id       TEXT,
  created_at    INTEGER NOT NULL,
  last_event_id INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (task_id, platform, chat_id, thread_id)
);

CREATE INDEX IF NOT EXISTS idx_tasks_assignee_status ON tasks(assignee, status);
CREATE INDEX IF NOT EXISTS idx_tasks_status          ON tasks(status);
CREATE INDEX IF NOT EXISTS idx_links_child           ON task_links(child_id);
CREATE INDEX IF NOT EXISTS idx_links_parent          ON task_links(parent_id);
CREATE INDEX IF NOT EXISTS idx_comments_task         ON task_comments(task_id, created_at);
CREATE INDEX IF NOT EXISTS idx_events_task           ON task_events(task_id, created_at);
CREATE INDEX IF NOT EXISTS idx_runs_task             ON task_runs(task_id, started_at);
CREATE INDEX IF NOT EXISTS idx_runs_status           ON task_runs(status);
CREATE INDEX IF NOT EXISTS idx_notify_task           ON kanban_notify_subs(task_id);
`;

/**
 * Indexes on columns an older board gains only in the migration pass (tenant, idempotency_key,
 * task_events.run_id), and Switchyard's own additions. `idx_tasks_queue` is the board's card
 * order (`GET /board`, `list`: priority, then age, then insertion order through the rowid every
 * SQLite index carries): reading it in order replaces sorting every row, and no status change
 * touches it. `idx_runs_profile` lists the profiles that have run work on the board (its pull
 * lanes) without reading every run.
 */
const LATE_INDEXES = `
CREATE INDEX IF NOT EXISTS idx_tasks_tenant          ON tasks(tenant);
CREATE INDEX IF NOT EXISTS idx_tasks_idempotency     ON tasks(idempotency_key);
CREATE INDEX IF NOT EXISTS idx_events_run            ON task_events(run_id, id);
CREATE INDEX IF NOT EXISTS idx_events_kind_task      ON task_events(kind, task_id, id);
CREATE INDEX IF NOT EXISTS idx_runs_ended           ON task_runs(ended_at);
CREATE INDEX IF NOT EXISTS idx_tasks_queue          ON tasks(priority DESC, created_at);
CREATE INDEX IF NOT EXISTS idx_runs_profile         ON task_runs(profile);
`;

/** Columns added by the reference's migration pass (§1.4), with their declarations. */
const TASK_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ["tenant", "TEXT"],
  ["result", "TEXT"],
  ["idempotency_key", "TEXT"],
  ["spawn_failures", "INTEGER NOT NULL DEFAULT 0"],
  ["worker_pid", "INTEGER"],
  ["last_spawn_error", "TEXT"],
  ["max_runtime_seconds", "INTEGER"],
  ["last_heartbeat_at", "INTEGER"],
  ["current_run_id", "INTEGER"],
  ["workflow_template_id", "TEXT"],
  ["current_step_key", "TEXT"],
  ["skills", "TEXT"],
];

/**
 * Switchyard's own task columns, nullable or with a default: `max_retries` (Hermes has a column
 * of that name and meaning) and `retry_after`, the rate-limit backoff's not-before time
 * (decision 013); `parked`, 1 while a person keeps the task in todo (decision 015);
 * `model_override`, the model the task's worker runs with (Hermes has a column of that name and
 * meaning); `require` (a JSON list), `verify_command`, `repo` and `base_ref`, what the task's
 * completion must prove and where its worktree comes from (SPEC §12).
 */
const SWITCHYARD_TASK_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ["max_retries", "INTEGER"],
  ["retry_after", "INTEGER"],
  ["parked", "INTEGER NOT NULL DEFAULT 0"],
  ["model_override", "TEXT"],
  ["require", "TEXT"],
  ["verify_command", "TEXT"],
  ["repo", "TEXT"],
  ["base_ref", "TEXT"],
];

/**
 * Switchyard's own tables. `profile_pauses`: a profile whose runs kept failing the same way is
 * paused on this board until `resumed_at` is set (decision 013); one row per profile, reused.
 * `run_proofs` (SPEC §12): per run, the workspace facts it started from (`base_commit`,
 * `branch`), what its completion must prove (`requirements`), the verdicts and the board's own
 * checks of its completion, and `pending`, a completion handed in and waiting for those checks
 * (`checking` names the host:pid running them). `board_settings`: the board's completion
 * policy, one row per key (JSON values). `hosts` (SPEC §13): one row per dispatcher host working
 * the board, renewed by its heartbeat; a host whose lease (`expires_at`) has passed is gone, and
 * the claims it held are released. `profiles` is the JSON list of profiles it can start.
 */
const SWITCHYARD_DDL = `
CREATE TABLE IF NOT EXISTS run_proofs (
  run_id       INTEGER PRIMARY KEY,
  task_id      TEXT NOT NULL,
  base_commit  TEXT,
  branch       TEXT,
  requirements TEXT,
  receipts     TEXT,
  checks       TEXT,
  pending      TEXT,
  checking     TEXT
);
CREATE INDEX IF NOT EXISTS idx_proofs_task ON run_proofs(task_id);

CREATE TABLE IF NOT EXISTS board_settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS hosts (
  id              TEXT PRIMARY KEY,
  role            TEXT NOT NULL,
  pid             INTEGER NOT NULL,
  profiles        TEXT NOT NULL,
  max_in_progress INTEGER,
  started_at      INTEGER NOT NULL,
  seen_at         INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS profile_pauses (
  profile     TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  failures    INTEGER NOT NULL,
  task_id     TEXT,
  paused_at   INTEGER NOT NULL,
  resumed_at  INTEGER,
  resumed_by  TEXT
);
`;

function columns(db: Database, table: string): Set<string> {
  const rows = db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>;
  return new Set(rows.map((r) => r.name));
}

/**
 * Creates the schema and runs the reference's migration pass: add missing columns, backfill
 * open runs for legacy running tasks, rename legacy event kinds. Idempotent; the caller holds
 * an IMMEDIATE transaction.
 */
export function migrate(db: Database, now: number): void {
  db.exec(DDL);

  const taskCols = columns(db, "tasks");
  for (const [name, decl] of [...TASK_COLUMNS, ...SWITCHYARD_TASK_COLUMNS]) {
    if (!taskCols.has(name)) db.exec(`ALTER TABLE tasks ADD COLUMN ${name} ${decl}`);
  }
  db.exec(SWITCHYARD_DDL);
  if (!columns(db, "task_events").has("run_id")) {
    db.exec("ALTER TABLE task_events ADD COLUMN run_id INTEGER");
  }
  db.exec(LATE_INDEXES);
  db.exec("DROP INDEX IF EXISTS idx_tasks_order"); // version 2's order, superseded by idx_tasks_queue

  backfillOpenRuns(db, now);

  const rename = db.prepare("UPDATE task_events SET kind = ? WHERE kind = ?");
  for (const [legacy, current] of Object.entries(LEGACY_EVENT_KINDS)) {
    rename.run(current, legacy);
  }
}

/** A `running` task from before runs existed gets an open run built from its claim (§1.4). */
function backfillOpenRuns(db: Database, now: number): void {
  const orphans = db
    .prepare(
      `SELECT id, assignee, claim_lock, claim_expires, worker_pid, max_runtime_seconds,
              last_heartbeat_at, started_at, current_step_key
         FROM tasks WHERE status = 'running' AND current_run_id IS NULL`,
    )
    .all() as Array<{
    id: string;
    assignee: string | null;
    claim_lock: string | null;
    claim_expires: number | null;
    worker_pid: number | null;
    max_runtime_seconds: number | null;
    last_heartbeat_at: number | null;
    started_at: number | null;
    current_step_key: string | null;
  }>;
  const insert = db.prepare(
    `INSERT INTO task_runs (task_id, profile, step_key, status, claim_lock, claim_expires,
                           worker_pid, max_runtime_seconds, last_heartbeat_at, started_at)
     VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
  );
  const point = db.prepare("UPDATE tasks SET current_run_id = ? WHERE id = ? AND current_run_id IS NULL");
  const orphan = db.prepare(
    `UPDATE task_runs SET status = 'reclaimed', outcome = 'reclaimed', ended_at = ?,
            error = 'backfill lost a race', claim_expires = NULL WHERE id = ?`,
  );
  for (const t of orphans) {
    const runId = Number(
      insert.run(
        t.id,
        t.assignee,
        t.current_step_key,
        t.claim_lock,
        t.claim_expires,
        t.worker_pid,
        t.max_runtime_seconds,
        t.last_heartbeat_at,
        t.started_at ?? now,
      ).lastInsertRowid,
    );
    if (point.run(runId, t.id).changes === 0) orphan.run(now, runId);
  }
}
