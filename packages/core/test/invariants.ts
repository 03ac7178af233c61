import { TASK_STATUSES } from "@switchyard/contract";
import type { Queryable } from "../src/storage/driver.ts";

/**
 * The board invariants of the reference's stress suite (§14.8, I1–I9), adapted to Switchyard,
 * plus Switchyard's I10 (parents are checked everywhere) and I11 (only todo tasks are parked), checked with SQL on the board itself
 * (`k.db`: committed data only). Each returns the offending rows as readable lines, so a
 * failing test says exactly what broke.
 */

async function lines(db: Queryable, label: string, sql: string): Promise<string[]> {
  return (await db.all(sql)).map((r) => `${label}: ${JSON.stringify(r)}`);
}

export async function invariantViolations(db: Queryable): Promise<string[]> {
  const statuses = TASK_STATUSES.map((s) => `'${s}'`).join(", ");
  const out = (
    await Promise.all([
      // I1: a task's current_run_id points at an open run of that task, and is set exactly while it runs.
      lines(
        db,
        "I1 current_run_id does not point at an open run of the task",
        `SELECT t.id, t.status, t.current_run_id, r.task_id AS run_task, r.ended_at FROM tasks t
         LEFT JOIN task_runs r ON r.id = t.current_run_id
        WHERE t.current_run_id IS NOT NULL AND (r.id IS NULL OR r.ended_at IS NOT NULL OR r.task_id != t.id)`,
      ),
      lines(
        db,
        "I1 current_run_id is not set exactly while running",
        `SELECT id, status, current_run_id FROM tasks
        WHERE (status = 'running') != (current_run_id IS NOT NULL)`,
      ),
      // I2: no open run without a running task that points at it.
      lines(
        db,
        "I2 open run not held by a running task",
        `SELECT r.id, r.task_id, t.status, t.current_run_id FROM task_runs r
         LEFT JOIN tasks t ON t.id = r.task_id
        WHERE r.ended_at IS NULL AND (t.id IS NULL OR t.status != 'running' OR t.current_run_id IS DISTINCT FROM r.id)`,
      ),
      // I3: every status is one of the seven.
      lines(db, "I3 invalid status", `SELECT id, status FROM tasks WHERE status NOT IN (${statuses})`),
      // I4 (Switchyard): claim_lock and claim_expires are set exactly while running; a completion
      // handed in for the board's checks (SPEC §12) holds its claim without an expiry.
      lines(
        db,
        "I4 claim fields not set exactly while running",
        `SELECT id, status, claim_lock, claim_expires FROM tasks
        WHERE (status = 'running') != (claim_lock IS NOT NULL)
           OR ((status = 'running') != (claim_expires IS NOT NULL)
               AND NOT EXISTS (SELECT 1 FROM run_proofs p WHERE p.run_id = tasks.current_run_id AND p.pending IS NOT NULL))`,
      ),
      // I5: a run never ends before it starts.
      lines(
        db,
        "I5 run ended before it started",
        "SELECT id, started_at, ended_at FROM task_runs WHERE ended_at IS NOT NULL AND ended_at < started_at",
      ),
      // I6: an outcome exactly when ended; status running exactly while open.
      lines(
        db,
        "I6 outcome, ended_at and status disagree",
        `SELECT id, status, outcome, ended_at FROM task_runs
        WHERE (outcome IS NOT NULL) != (ended_at IS NOT NULL) OR (status = 'running') != (ended_at IS NULL)`,
      ),
      // I7: events are appended in order: a later id never has an earlier time.
      lines(
        db,
        "I7 event time goes backwards",
        `SELECT id, created_at, prev_at FROM
         (SELECT id, created_at, lag(created_at) OVER (ORDER BY id) AS prev_at FROM task_events) AS ordered
        WHERE created_at < prev_at`,
      ),
      // I8: an event's run exists and belongs to the event's task.
      lines(
        db,
        "I8 event names a run that is not its task's",
        `SELECT e.id, e.task_id, e.kind, e.run_id, r.task_id AS run_task FROM task_events e
         LEFT JOIN task_runs r ON r.id = e.run_id
        WHERE e.run_id IS NOT NULL AND (r.id IS NULL OR r.task_id != e.task_id)`,
      ),
    ])
  ).flat();
  // I10 (Switchyard, SPEC §3.6): a ready task never has an unfinished parent, so it is never
  // claimed before its parents are done.
  out.push(
    ...(await lines(
      db,
      "I10 ready task with an unfinished parent",
      `SELECT c.id, p.id AS parent, p.status AS parent_status FROM tasks c
         JOIN task_links l ON l.child_id = c.id JOIN tasks p ON p.id = l.parent_id
        WHERE c.status = 'ready' AND p.status NOT IN ('done', 'archived')`,
    )),
  );
  // I9: no child waits in todo once all its parents are done (or archived), unless a person
  // parked it there (SPEC §3.13: the kernel never promotes a parked task).
  out.push(
    ...(await lines(
      db,
      "I9 child left in todo with every parent satisfied",
      `SELECT c.id FROM tasks c
        WHERE c.status = 'todo' AND c.parked = 0
          AND EXISTS (SELECT 1 FROM task_links l WHERE l.child_id = c.id)
          AND NOT EXISTS (SELECT 1 FROM task_links l JOIN tasks p ON p.id = l.parent_id
                           WHERE l.child_id = c.id AND p.status NOT IN ('done', 'archived'))`,
    )),
  );
  // I11 (Switchyard): only a todo task is parked.
  out.push(
    ...(await lines(
      db,
      "I11 parked task not in todo",
      "SELECT id, status FROM tasks WHERE parked != 0 AND status != 'todo'",
    )),
  );
  return out;
}
