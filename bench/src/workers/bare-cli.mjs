// The baseline of the CLI benchmark: a plain Node process that does what one `switchyard` call
// does to the board file, with bare better-sqlite3 and nothing else (no bundle, no schemas).
//   bare-cli.mjs list <db>            promote ready todo tasks, print the non-archived tasks as JSON
//   bare-cli.mjs complete <db> <id>   complete one ready or running task in one transaction
import BetterSqlite3 from "better-sqlite3";

const [verb, path, id] = process.argv.slice(2);
const db = new BetterSqlite3(path, { timeout: 30_000 });
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.pragma("wal_autocheckpoint = 10000"); // the kernel's WAL_AUTOCHECKPOINT_PAGES
db.pragma("foreign_keys = ON");
const now = Math.floor(Date.now() / 1000);
const event = db.prepare("INSERT INTO task_events (task_id, run_id, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)");

if (verb === "list") {
  const promote = db.prepare(
    `UPDATE tasks SET status = 'ready' WHERE status = 'todo'
        AND NOT EXISTS (SELECT 1 FROM task_links l JOIN tasks p ON p.id = l.parent_id
                         WHERE l.child_id = tasks.id AND p.status NOT IN ('done', 'archived'))
      RETURNING id`,
  );
  db.transaction(() => {
    for (const r of promote.all()) event.run(r.id, null, "promoted", null, now);
  }).immediate();
  const rows = db
    .prepare("SELECT * FROM tasks WHERE status != 'archived' ORDER BY priority DESC, created_at ASC, rowid ASC")
    .all();
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
} else if (verb === "complete") {
  const done = db
    .transaction(() => {
      const task = db.prepare("SELECT status, current_run_id FROM tasks WHERE id = ?").get(id);
      if (!task || !["ready", "running", "blocked"].includes(task.status)) return false;
      db.prepare(
        `UPDATE tasks SET status = 'done', result = ?, completed_at = ?, claim_lock = NULL, claim_expires = NULL,
                        worker_pid = NULL, current_run_id = NULL, spawn_failures = 0 WHERE id = ?`,
      ).run("done", now, id);
      const run = db
        .prepare(
          `INSERT INTO task_runs (task_id, status, outcome, started_at, ended_at, summary)
         VALUES (?, 'completed', 'completed', ?, ?, ?)`,
        )
        .run(id, now, now, "finished").lastInsertRowid;
      event.run(id, run, "completed", JSON.stringify({ result_len: 4, summary: "finished" }), now);
      return true;
    })
    .immediate();
  if (!done) {
    process.stderr.write(`cannot complete ${id}\n`);
    process.exitCode = 1;
  } else process.stdout.write(`Completed ${id}\n`);
} else {
  process.stderr.write("usage: bare-cli.mjs list|complete <db> [id]\n");
  process.exitCode = 2;
}
db.close();
