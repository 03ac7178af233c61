import type { Run, RunOutcome, RunStatus } from "@switchyard/contract";
import type { Kernel } from "./kernel.ts";
import { boundedJsonOrNull, type RunRow, toRun } from "./rows.ts";

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
export async function closeRun(k: Kernel, runId: number, end: RunEnding): Promise<boolean> {
  const changes = await k.db.run(
    `UPDATE task_runs
        SET status = ?, outcome = ?, ended_at = ?, claim_expires = NULL,
            summary = COALESCE(?, summary), metadata = COALESCE(?, metadata), error = COALESCE(?, error)
      WHERE id = ? AND ended_at IS NULL`,
    [
      end.status ?? end.outcome,
      end.outcome,
      k.clock.now(),
      end.summary ?? null,
      boundedJsonOrNull("metadata", end.metadata),
      end.error ?? null,
      runId,
    ],
  );
  return changes > 0;
}

/**
 * A zero-length run recording the handoff of a task that was completed or blocked without a
 * claim (reference §3.7): status equals the outcome, started_at equals ended_at.
 */
export async function synthesizeRun(
  k: Kernel,
  taskId: string,
  profile: string | null,
  end: RunEnding,
): Promise<number> {
  const now = k.clock.now();
  const row = await k.db.get<{ id: number }>(
    `INSERT INTO task_runs (task_id, profile, status, outcome, started_at, ended_at, summary, metadata, error)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    [
      taskId,
      profile,
      end.status ?? end.outcome,
      end.outcome,
      now,
      now,
      end.summary ?? null,
      boundedJsonOrNull("metadata", end.metadata),
      end.error ?? null,
    ],
  );
  return Number(row?.id);
}

/** Runs of a task, oldest first (started_at, then id). */
export async function listRuns(k: Kernel, taskId: string, includeActive = true): Promise<Run[]> {
  const sql = includeActive
    ? "SELECT * FROM task_runs WHERE task_id = ? ORDER BY started_at, id"
    : "SELECT * FROM task_runs WHERE task_id = ? AND ended_at IS NOT NULL ORDER BY started_at, id";
  return (await k.db.all<RunRow>(sql, [taskId])).map(toRun);
}

export async function getRun(k: Kernel, runId: number): Promise<Run | null> {
  const row = await k.db.get<RunRow>("SELECT * FROM task_runs WHERE id = ?", [runId]);
  return row ? toRun(row) : null;
}

export async function activeRun(k: Kernel, taskId: string): Promise<Run | null> {
  const row = await k.db.get<RunRow>(
    "SELECT * FROM task_runs WHERE task_id = ? AND ended_at IS NULL ORDER BY id DESC LIMIT 1",
    [taskId],
  );
  return row ? toRun(row) : null;
}

export async function latestRun(k: Kernel, taskId: string): Promise<Run | null> {
  const row = await k.db.get<RunRow>(
    "SELECT * FROM task_runs WHERE task_id = ? ORDER BY started_at DESC, id DESC LIMIT 1",
    [taskId],
  );
  return row ? toRun(row) : null;
}

/** The latest completed run of a task (its handoff), or null. */
export async function latestCompletedRun(k: Kernel, taskId: string): Promise<Run | null> {
  const row = await k.db.get<RunRow>(
    "SELECT * FROM task_runs WHERE task_id = ? AND outcome = 'completed' ORDER BY started_at DESC, id DESC LIMIT 1",
    [taskId],
  );
  return row ? toRun(row) : null;
}
