import type { Run, RunOutcome, RunStatus } from "@switchyard/contract";
import type { Kernel } from "./kernel.ts";
import { jsonOrNull, type RunRow, toRun } from "./rows.ts";

export interface RunEnding {
  outcome: RunOutcome;
  /** Defaults to the outcome; a claimed run that completes ends with status `done`. */
  status?: RunStatus;
  summary?: string | null;
  metadata?: Record<string, unknown> | null;
  error?: string | null;
}

/**
 * Closes an open run. The claim's expiry is cleared; the lock and pid stay on the closed run as
 * a record of which process ran it (Switchyard uses them to hold back a respawn until that
 * process is gone). Returns false when the run was not open.
 */
export function closeRun(k: Kernel, runId: number, end: RunEnding): boolean {
  const info = k
    .stmt(
      `UPDATE task_runs
          SET status = ?, outcome = ?, ended_at = ?, claim_expires = NULL,
              summary = COALESCE(?, summary), metadata = COALESCE(?, metadata), error = COALESCE(?, error)
        WHERE id = ? AND ended_at IS NULL`,
    )
    .run(
      end.status ?? end.outcome,
      end.outcome,
      k.clock.now(),
      end.summary ?? null,
      jsonOrNull(end.metadata),
      end.error ?? null,
      runId,
    );
  return info.changes > 0;
}

/**
 * A zero-length run recording the handoff of a task that was completed or blocked without a
 * claim (reference §3.7): status equals the outcome, started_at equals ended_at.
 */
export function synthesizeRun(k: Kernel, taskId: string, profile: string | null, end: RunEnding): number {
  const now = k.clock.now();
  const info = k
    .stmt(
      `INSERT INTO task_runs (task_id, profile, status, outcome, started_at, ended_at, summary, metadata, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      taskId,
      profile,
      end.status ?? end.outcome,
      end.outcome,
      now,
      now,
      end.summary ?? null,
      jsonOrNull(end.metadata),
      end.error ?? null,
    );
  return Number(info.lastInsertRowid);
}

/** Runs of a task, oldest first (started_at, then id). */
export function listRuns(k: Kernel, taskId: string, includeActive = true): Run[] {
  const sql = includeActive
    ? "SELECT * FROM task_runs WHERE task_id = ? ORDER BY started_at, id"
    : "SELECT * FROM task_runs WHERE task_id = ? AND ended_at IS NOT NULL ORDER BY started_at, id";
  return (k.stmt(sql).all(taskId) as RunRow[]).map(toRun);
}

export function getRun(k: Kernel, runId: number): Run | null {
  const row = k.stmt("SELECT * FROM task_runs WHERE id = ?").get(runId) as RunRow | undefined;
  return row ? toRun(row) : null;
}

export function activeRun(k: Kernel, taskId: string): Run | null {
  const row = k
    .stmt("SELECT * FROM task_runs WHERE task_id = ? AND ended_at IS NULL ORDER BY id DESC LIMIT 1")
    .get(taskId) as RunRow | undefined;
  return row ? toRun(row) : null;
}

export function latestRun(k: Kernel, taskId: string): Run | null {
  const row = k
    .stmt("SELECT * FROM task_runs WHERE task_id = ? ORDER BY started_at DESC, id DESC LIMIT 1")
    .get(taskId) as RunRow | undefined;
  return row ? toRun(row) : null;
}
