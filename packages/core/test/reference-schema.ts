/**
 * The reference's storage (reference §1.3), written out as data for the compatibility tests:
 * every column with its declared type, NOT NULL, default and primary-key position, and every
 * index with its table and columns.
 */

export interface ColumnSpec {
  name: string;
  type: string;
  notnull: 0 | 1;
  dflt: string | null;
  pk: number;
}

function col(name: string, type: string, extra: Partial<Omit<ColumnSpec, "name" | "type">> = {}): ColumnSpec {
  return { name, type, notnull: extra.notnull ?? 0, dflt: extra.dflt ?? null, pk: extra.pk ?? 0 };
}

const NN = { notnull: 1 } as const;

export const REFERENCE_COLUMNS: Readonly<Record<string, readonly ColumnSpec[]>> = {
  tasks: [
    col("id", "TEXT", { pk: 1 }),
    col("title", "TEXT", NN),
    col("body", "TEXT"),
    col("assignee", "TEXT"),
    col("status", "TEXT", NN),
    col("priority", "INTEGER", { dflt: "0" }),
    col("created_by", "TEXT"),
    col("created_at", "INTEGER", NN),
    col("started_at", "INTEGER"),
    col("completed_at", "INTEGER"),
    col("workspace_kind", "TEXT", { notnull: 1, dflt: "'scratch'" }),
    col("workspace_path", "TEXT"),
    col("claim_lock", "TEXT"),
    col("claim_expires", "INTEGER"),
    col("tenant", "TEXT"),
    col("result", "TEXT"),
    col("idempotency_key", "TEXT"),
    col("spawn_failures", "INTEGER", { notnull: 1, dflt: "0" }),
    col("worker_pid", "INTEGER"),
    col("last_spawn_error", "TEXT"),
    col("max_runtime_seconds", "INTEGER"),
    col("last_heartbeat_at", "INTEGER"),
    col("current_run_id", "INTEGER"),
    col("workflow_template_id", "TEXT"),
    col("current_step_key", "TEXT"),
    col("skills", "TEXT"),
  ],
  task_links: [col("parent_id", "TEXT", { notnull: 1, pk: 1 }), col("child_id", "TEXT", { notnull: 1, pk: 2 })],
  task_comments: [
    col("id", "INTEGER", { pk: 1 }),
    col("task_id", "TEXT", NN),
    col("author", "TEXT", NN),
    col("body", "TEXT", NN),
    col("created_at", "INTEGER", NN),
  ],
  task_events: [
    col("id", "INTEGER", { pk: 1 }),
    col("task_id", "TEXT", NN),
    col("run_id", "INTEGER"),
    col("kind", "TEXT", NN),
    col("payload", "TEXT"),
    col("created_at", "INTEGER", NN),
  ],
  task_runs: [
    col("id", "INTEGER", { pk: 1 }),
    col("task_id", "TEXT", NN),
    col("profile", "TEXT"),
    col("step_key", "TEXT"),
    col("status", "TEXT", NN),
    col("claim_lock", "TEXT"),
    col("claim_expires", "INTEGER"),
    col("worker_pid", "INTEGER"),
    col("max_runtime_seconds", "INTEGER"),
    col("last_heartbeat_at", "INTEGER"),
    col("started_at", "INTEGER", NN),
    col("ended_at", "INTEGER"),
    col("outcome", "TEXT"),
    col("summary", "TEXT"),
    col("metadata", "TEXT"),
    col("error", "TEXT"),
  ],
  kanban_notify_subs: [
    col("task_id", "TEXT", { notnull: 1, pk: 1 }),
    col("platform", "TEXT", { notnull: 1, pk: 2 }),
    col("chat_id", "TEXT", { notnull: 1, pk: 3 }),
    col("thread_id", "TEXT", { notnull: 1, dflt: "''", pk: 4 }),
    col("user_id", "TEXT"),
    col("created_at", "INTEGER", NN),
    col("last_event_id", "INTEGER", { notnull: 1, dflt: "0" }),
  ],
};

/** Tables whose integer primary key is AUTOINCREMENT (ids are never reused: they are cursors). */
export const AUTOINCREMENT_TABLES = ["task_comments", "task_events", "task_runs"];

export const REFERENCE_INDEXES: ReadonlyArray<{ name: string; table: string; columns: string[] }> = [
  { name: "idx_tasks_assignee_status", table: "tasks", columns: ["assignee", "status"] },
  { name: "idx_tasks_status", table: "tasks", columns: ["status"] },
  { name: "idx_tasks_tenant", table: "tasks", columns: ["tenant"] },
  { name: "idx_tasks_idempotency", table: "tasks", columns: ["idempotency_key"] },
  { name: "idx_links_child", table: "task_links", columns: ["child_id"] },
  { name: "idx_links_parent", table: "task_links", columns: ["parent_id"] },
  { name: "idx_comments_task", table: "task_comments", columns: ["task_id", "created_at"] },
  { name: "idx_events_task", table: "task_events", columns: ["task_id", "created_at"] },
  { name: "idx_events_run", table: "task_events", columns: ["run_id", "id"] },
  { name: "idx_runs_task", table: "task_runs", columns: ["task_id", "started_at"] },
  { name: "idx_runs_status", table: "task_runs", columns: ["status"] },
  { name: "idx_notify_task", table: "kanban_notify_subs", columns: ["task_id"] },
];

/**
 * A board as an older Hermes left it (before the migration pass of reference §1.4 existed):
 * tasks without the migrated columns, task_events without run_id, no task_runs and no
 * notification table yet. Journal mode WAL, as every Hermes connection sets it.
 */
export const OLDER_HERMES_DDL = `
CREATE TABLE tasks (
  id             TEXT PRIMARY KEY,
  title          TEXT NOT NULL,
  body           TEXT,
  assignee       TEXT,
  status         TEXT NOT NULL,
  priority       INTEGER DEFAULT 0,
  created_by     TEXT,
  created_at     INTEGER NOT NULL,
  started_at     INTEGER,
  completed_at   INTEGER,
  workspace_kind TEXT NOT NULL DEFAULT 'scratch',
  workspace_path TEXT,
  claim_lock     TEXT,
  claim_expires  INTEGER
);
CREATE TABLE task_links (
  parent_id TEXT NOT NULL,
  child_id  TEXT NOT NULL,
  PRIMARY KEY (parent_id, child_id)
);
CREATE TABLE task_comments (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id    TEXT NOT NULL,
  author     TEXT NOT NULL,
  body       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE task_events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id    TEXT NOT NULL,
  kind       TEXT NOT NULL,
  payload    TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX idx_tasks_assignee_status ON tasks(assignee, status);
CREATE INDEX idx_tasks_status ON tasks(status);
CREATE INDEX idx_links_child ON task_links(child_id);
CREATE INDEX idx_links_parent ON task_links(parent_id);
CREATE INDEX idx_comments_task ON task_comments(task_id, created_at);
CREATE INDEX idx_events_task ON task_events(task_id, created_at);
`;

/** The full reference schema as Hermes at PR #20232 creates it, generated from the tables above. */
export function referenceDdl(): string {
  const tables = Object.entries(REFERENCE_COLUMNS).map(([table, cols]) => {
    const pks = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
    const single = pks.length === 1 ? pks[0] : undefined;
    const lines = cols.map((c) => {
      const parts = [c.name, c.type];
      if (single === c) parts.push(AUTOINCREMENT_TABLES.includes(table) ? "PRIMARY KEY AUTOINCREMENT" : "PRIMARY KEY");
      if (c.notnull) parts.push("NOT NULL");
      if (c.dflt !== null) parts.push(`DEFAULT ${c.dflt}`);
      return `  ${parts.join(" ")}`;
    });
    if (pks.length > 1) lines.push(`  PRIMARY KEY (${pks.map((c) => c.name).join(", ")})`);
    return `CREATE TABLE ${table} (\n${lines.join(",\n")}\n);`;
  });
  const indexes = REFERENCE_INDEXES.map((i) => `CREATE INDEX ${i.name} ON ${i.table}(${i.columns.join(", ")});`);
  return [...tables, ...indexes].join("\n");
}
