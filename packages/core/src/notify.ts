import type { NotifySubscription, TaskEvent } from "@switchyard/contract";
import type { Kernel } from "./kernel.ts";
import { type EventRow, toEvent } from "./rows.ts";

/** The kernel side of notifications (reference §13): subscriptions and their cursors. */

/** A row of `kanban_notify_subs`; the shape is the contract's. */
export type NotifySub = NotifySubscription;

export interface SubKey {
  task_id: string;
  platform: string;
  chat_id: string;
  thread_id?: string | null;
}

/** Idempotent: an existing subscription is left as it is; a new one starts at cursor 0. */
export function addNotifySub(k: Kernel, key: SubKey & { user_id?: string | null }): NotifySub {
  const thread = key.thread_id ?? "";
  k.write(() =>
    k
      .stmt(
        `INSERT OR IGNORE INTO kanban_notify_subs (task_id, platform, chat_id, thread_id, user_id, created_at, last_event_id)
         VALUES (?, ?, ?, ?, ?, ?, 0)`,
      )
      .run(key.task_id, key.platform, key.chat_id, thread, key.user_id ?? null, k.clock.now()),
  );
  return k
    .stmt("SELECT * FROM kanban_notify_subs WHERE task_id = ? AND platform = ? AND chat_id = ? AND thread_id = ?")
    .get(key.task_id, key.platform, key.chat_id, thread) as NotifySub;
}

export function listNotifySubs(k: Kernel, taskId?: string): NotifySub[] {
  return (
    taskId
      ? k.stmt("SELECT * FROM kanban_notify_subs WHERE task_id = ? ORDER BY created_at, platform, chat_id").all(taskId)
      : k.stmt("SELECT * FROM kanban_notify_subs ORDER BY task_id, created_at, platform, chat_id").all()
  ) as NotifySub[];
}

export function removeNotifySub(k: Kernel, key: SubKey): boolean {
  return k.write(
    () =>
      k
        .stmt("DELETE FROM kanban_notify_subs WHERE task_id = ? AND platform = ? AND chat_id = ? AND thread_id = ?")
        .run(key.task_id, key.platform, key.chat_id, key.thread_id ?? "").changes > 0,
  );
}

/**
 * Events of the subscribed task after the subscription's cursor, optionally of some kinds.
 * Returns the largest id seen (or the cursor) and the events; does not move the cursor.
 */
export function unseenEventsForSub(
  k: Kernel,
  key: SubKey,
  kinds?: readonly string[],
): { maxId: number; events: TaskEvent[] } {
  const sub = k
    .stmt(
      "SELECT last_event_id FROM kanban_notify_subs WHERE task_id = ? AND platform = ? AND chat_id = ? AND thread_id = ?",
    )
    .get(key.task_id, key.platform, key.chat_id, key.thread_id ?? "") as { last_event_id: number } | undefined;
  if (!sub) return { maxId: 0, events: [] };
  const rows = k
    .stmt("SELECT * FROM task_events WHERE task_id = ? AND id > ? ORDER BY id")
    .all(key.task_id, sub.last_event_id) as EventRow[];
  const maxId = rows.length > 0 ? Number(rows[rows.length - 1]?.id) : Number(sub.last_event_id);
  const events = rows.map(toEvent).filter((e) => !kinds || kinds.includes(e.kind));
  return { maxId, events };
}

export function advanceNotifyCursor(k: Kernel, key: SubKey, cursor: number): void {
  k.write(() =>
    k
      .stmt(
        `UPDATE kanban_notify_subs SET last_event_id = MAX(last_event_id, ?)
          WHERE task_id = ? AND platform = ? AND chat_id = ? AND thread_id = ?`,
      )
      .run(cursor, key.task_id, key.platform, key.chat_id, key.thread_id ?? ""),
  );
}
