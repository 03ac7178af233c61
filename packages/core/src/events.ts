import type { EventKind, EventPayload, TaskEvent } from "@switchyard/contract";
import type { Kernel } from "./kernel.ts";
import { type EventRow, jsonOrNull, toEvent } from "./rows.ts";

/**
 * Appends one event. Called inside the same transaction as the mutation it records; the
 * AUTOINCREMENT id is the cursor of the live stream, the notifier and `watch`.
 */
export function appendEvent<K extends EventKind>(
  k: Kernel,
  taskId: string,
  kind: K,
  payload: EventPayload<K>,
  runId: number | null = null,
): number {
  const info = k
    .stmt("INSERT INTO task_events (task_id, run_id, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)")
    .run(taskId, runId, kind, jsonOrNull(payload), k.clock.now());
  return Number(info.lastInsertRowid);
}

/** A task's events in the reference's order (created_at, then id). */
export function listEvents(k: Kernel, taskId: string, limit?: number): TaskEvent[] {
  if (limit !== undefined) {
    const rows = k
      .stmt("SELECT * FROM task_events WHERE task_id = ? ORDER BY created_at DESC, id DESC LIMIT ?")
      .all(taskId, limit) as EventRow[];
    return rows.reverse().map(toEvent);
  }
  const rows = k.stmt("SELECT * FROM task_events WHERE task_id = ? ORDER BY created_at, id").all(taskId) as EventRow[];
  return rows.map(toEvent);
}

/** Events after a cursor, across the board, oldest first (the live stream and `watch`). */
export function eventsSince(k: Kernel, cursor: number, limit = 200): TaskEvent[] {
  const rows = k.stmt("SELECT * FROM task_events WHERE id > ? ORDER BY id LIMIT ?").all(cursor, limit) as EventRow[];
  return rows.map(toEvent);
}

export function latestEventId(k: Kernel): number {
  const row = k.stmt("SELECT COALESCE(MAX(id), 0) AS id FROM task_events").get() as { id: number };
  return Number(row.id);
}
