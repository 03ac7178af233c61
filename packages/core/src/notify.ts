import type { NotifySubscription, TaskEvent } from "@switchyard/contract";
import { CoreError } from "./errors.ts";
import type { Kernel } from "./kernel.ts";
import { type EventRow, toEvent } from "./rows.ts";
import { requireTask } from "./tasks.ts";

/** The kernel side of notifications (reference §13): subscriptions and their cursors. */

/** A row of `kanban_notify_subs`; the shape is the contract's. */
export type NotifySub = NotifySubscription;

export interface SubKey {
  task_id: string;
  platform: string;
  chat_id: string;
  thread_id?: string | null;
}

const KEY = "task_id = ? AND platform = ? AND chat_id = ? AND thread_id = ?";

function keyArgs(key: SubKey): unknown[] {
  return [key.task_id, key.platform, key.chat_id, key.thread_id ?? ""];
}

/** Idempotent: an existing subscription is left as it is; a new one starts at cursor 0. Refuses an unknown task. */
export async function addNotifySub(k: Kernel, key: SubKey & { user_id?: string | null }): Promise<NotifySub> {
  return k.write(async (k) => {
    await requireTask(k, key.task_id);
    await k.db.run(
      `INSERT INTO kanban_notify_subs (task_id, platform, chat_id, thread_id, user_id, created_at, last_event_id)
       VALUES (?, ?, ?, ?, ?, ?, 0) ON CONFLICT DO NOTHING`,
      [...keyArgs(key), key.user_id ?? null, k.clock.now()],
    );
    const sub = await k.db.get<NotifySub>(`SELECT * FROM kanban_notify_subs WHERE ${KEY}`, keyArgs(key));
    if (!sub) throw new CoreError("internal", `the subscription of ${key.task_id} could not be read back`);
    return sub;
  });
}

export async function listNotifySubs(k: Kernel, taskId?: string): Promise<NotifySub[]> {
  return taskId
    ? k.db.all<NotifySub>("SELECT * FROM kanban_notify_subs WHERE task_id = ? ORDER BY created_at, platform, chat_id", [
        taskId,
      ])
    : k.db.all<NotifySub>("SELECT * FROM kanban_notify_subs ORDER BY task_id, created_at, platform, chat_id");
}

export async function removeNotifySub(k: Kernel, key: SubKey): Promise<boolean> {
  return k.write(async (k) => (await k.db.run(`DELETE FROM kanban_notify_subs WHERE ${KEY}`, keyArgs(key))) > 0);
}

/**
 * Events of the subscribed task after the subscription's cursor, optionally of some kinds.
 * Returns the largest id seen (or the cursor) and the events; does not move the cursor.
 */
export async function unseenEventsForSub(
  k: Kernel,
  key: SubKey,
  kinds?: readonly string[],
): Promise<{ maxId: number; events: TaskEvent[] }> {
  const sub = await k.db.get<{ last_event_id: number }>(
    `SELECT last_event_id FROM kanban_notify_subs WHERE ${KEY}`,
    keyArgs(key),
  );
  if (!sub) return { maxId: 0, events: [] };
  const rows = await k.db.all<EventRow>("SELECT * FROM task_events WHERE task_id = ? AND id > ? ORDER BY id", [
    key.task_id,
    sub.last_event_id,
  ]);
  const maxId = rows.length > 0 ? Number(rows[rows.length - 1]?.id) : Number(sub.last_event_id);
  const events = rows.map(toEvent).filter((e) => !kinds || kinds.includes(e.kind));
  return { maxId, events };
}

export async function advanceNotifyCursor(k: Kernel, key: SubKey, cursor: number): Promise<void> {
  await k.write((k) =>
    k.db.run(
      `UPDATE kanban_notify_subs SET last_event_id = CASE WHEN last_event_id > ? THEN last_event_id ELSE ? END
        WHERE ${KEY}`,
      [cursor, cursor, ...keyArgs(key)],
    ),
  );
}
