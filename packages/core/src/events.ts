import type { EventKind, EventPayload, TaskEvent } from "@switchyard/contract";
import type { Kernel } from "./kernel.ts";
import { type EventRow, jsonOrNull, toEvent } from "./rows.ts";

/**
 * Appends one event. Called inside the same transaction as the mutation it records; the
 * AUTOINCREMENT id is the cursor of the live stream, the notifier and `watch`. No caller needs
 * the new id back, and a plain insert is cheaper than one with `RETURNING` (a tick appends one
 * event per promotion).
 */
export async function appendEvent<K extends EventKind>(
  k: Kernel,
  taskId: string,
  kind: K,
  payload: EventPayload<K>,
  runId: number | null = null,
): Promise<void> {
  await k.db.run("INSERT INTO task_events (task_id, run_id, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)", [
    taskId,
    runId,
    kind,
    jsonOrNull(payload),
    k.clock.now(),
  ]);
}

/** A task's events in the reference's order (created_at, then id). */
export async function listEvents(k: Kernel, taskId: string, limit?: number): Promise<TaskEvent[]> {
  if (limit !== undefined) {
    const rows = await k.db.all<EventRow>(
      "SELECT * FROM task_events WHERE task_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
      [taskId, limit],
    );
    return rows.reverse().map(toEvent);
  }
  const rows = await k.db.all<EventRow>("SELECT * FROM task_events WHERE task_id = ? ORDER BY created_at, id", [
    taskId,
  ]);
  return rows.map(toEvent);
}

/** Events after a cursor, across the board, oldest first (the live stream and `watch`). */
export async function eventsSince(k: Kernel, cursor: number, limit = 200): Promise<TaskEvent[]> {
  const rows = await k.db.all<EventRow>("SELECT * FROM task_events WHERE id > ? ORDER BY id LIMIT ?", [cursor, limit]);
  return rows.map(toEvent);
}

export async function latestEventId(k: Kernel): Promise<number> {
  const row = await k.db.get<{ id: number }>("SELECT COALESCE(MAX(id), 0) AS id FROM task_events");
  return Number(row?.id ?? 0);
}
