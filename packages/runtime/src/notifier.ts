import {
  NOTIFY_KINDS,
  NOTIFY_PLATFORMS,
  type SlackNotification,
  type Task,
  type TaskEvent,
  type WebhookNotification,
} from "@switchyard/contract";
import {
  advanceNotifyCursor,
  type Clock,
  getTask,
  type Home,
  type Kernel,
  listBoards,
  listNotifySubs,
  type NotifySub,
  openBoard,
  removeNotifySub,
  type SubKey,
  unseenEventsForSub,
} from "@switchyard/core";

/**
 * Delivery of notifications (reference §13, SPEC §9): each subscription gets the events of
 * kinds completed, blocked, gave_up, crashed and timed_out after its cursor, one message each.
 */

/** Consecutive failed sends after which a subscription is dropped. */
export const MAX_SEND_FAILURES = 3;
export const SEND_TIMEOUT_MS = 10_000;

/** One message on its way to one subscription. */
export interface Notification {
  board: string;
  platform: string;
  chat_id: string;
  thread_id: string;
  task: Task;
  event: TaskEvent;
  text: string;
}

/** Sends one message; throws (or rejects) when it was not delivered. */
export type NotifySend = (n: Notification) => Promise<void>;

function firstLine(text: string | null | undefined, max: number): string | null {
  const line = text?.split(/\r?\n/, 1)[0]?.trim();
  return line ? line.slice(0, max) : null;
}

/** The message for one event (reference §13), naming the worker when one is known. */
export function notifyText(task: Task, event: TaskEvent): string {
  const who = task.assignee ? `@${task.assignee} ` : "";
  const card = `${who}Kanban ${task.id}`;
  switch (event.kind) {
    case "completed": {
      const detail = firstLine(event.payload.summary, 200) ?? firstLine(task.result, 160);
      const head = `✔ ${card} done — ${task.title.slice(0, 120)}`;
      return detail ? `${head}\n${detail}` : head;
    }
    case "blocked":
      return `⏸ ${card} blocked: ${(event.payload?.reason ?? "(no reason given)").slice(0, 160)}`;
    case "gave_up": {
      const error = event.payload.error?.slice(0, 200);
      const head = `✖ ${card} gave up after repeated failures`;
      return error ? `${head}\n${error}` : head;
    }
    case "crashed":
      return `✖ ${card} worker crashed (pid gone); dispatcher will retry`;
    case "timed_out":
      return `⏱ ${card} timed out (max_runtime=${event.payload.limit_seconds}s); will retry`;
    default:
      return `${card}: ${event.kind}`;
  }
}

function httpUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`chat_id '${raw}' is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`chat_id '${raw}' is not an http(s) URL`);
  }
  return url;
}

/**
 * The real sender: `webhook` POSTs `{task, event, text, board}` to the `chat_id` URL, `slack`
 * POSTs `{text}` to the incoming-webhook URL in `chat_id`. A non-2xx answer, a network error
 * or no answer within the timeout is a failed send.
 */
export function createHttpSender(options: { timeoutMs?: number } = {}): NotifySend {
  const timeoutMs = options.timeoutMs ?? SEND_TIMEOUT_MS;
  return async (n) => {
    const url = httpUrl(n.chat_id);
    const thread = n.thread_id || undefined;
    let body: WebhookNotification | SlackNotification;
    switch (n.platform) {
      case "webhook":
        body = { task: n.task, event: n.event, text: n.text, board: n.board, ...(thread ? { thread_id: thread } : {}) };
        break;
      case "slack":
        body = { text: n.text, ...(thread ? { thread_ts: thread } : {}) };
        break;
      default:
        throw new Error(`no sender for platform '${n.platform}'`);
    }
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`${url.origin} answered HTTP ${res.status}`);
  };
}

export interface NotifierOptions {
  home: Home;
  send?: NotifySend;
  clock?: Clock;
  log?: (message: string) => void;
}

export interface NotifyTickResult {
  /** Messages delivered. */
  sent: number;
  /** Sends that failed (each stops its subscription until the next tick). */
  failed: number;
  /** Subscriptions dropped after `MAX_SEND_FAILURES` consecutive failures. */
  dropped: Array<SubKey & { board: string }>;
  /** Subscriptions ended because their task is done or archived. */
  finished: Array<SubKey & { board: string }>;
}

export interface Notifier {
  /** One delivery pass over every subscription of every non-archived board. */
  tick(): Promise<NotifyTickResult>;
}

const DELIVERED = new Set<string>(NOTIFY_PLATFORMS);
/** Not on `blocked`: a task blocked, unblocked and blocked again notifies twice (SPEC §3.9). */
const FINISHED = new Set(["done", "archived"]);

export function createNotifier(options: NotifierOptions): Notifier {
  const send = options.send ?? createHttpSender();
  const log = options.log ?? (() => {});
  const failures = new Map<string, number>();
  const keyOf = (board: string, s: SubKey) =>
    JSON.stringify([board, s.task_id, s.platform, s.chat_id, s.thread_id ?? ""]);

  async function deliver(board: string, k: Kernel, sub: NotifySub, result: NotifyTickResult): Promise<void> {
    const key = keyOf(board, sub);
    // Read the task before its events: if it is finished now, its last events are among them.
    const task = await getTask(k, sub.task_id);
    if (!task) {
      await removeNotifySub(k, sub);
      failures.delete(key);
      return;
    }
    const { maxId, events } = await unseenEventsForSub(k, sub, NOTIFY_KINDS);
    if (!DELIVERED.has(sub.platform)) {
      // An unknown platform can never be delivered; skip its events (reference §13).
      await advanceNotifyCursor(k, sub, maxId);
      return;
    }
    for (const event of events) {
      try {
        await send({
          board,
          platform: sub.platform,
          chat_id: sub.chat_id,
          thread_id: sub.thread_id,
          task,
          event,
          text: notifyText(task, event),
        });
      } catch (err) {
        result.failed++;
        const count = (failures.get(key) ?? 0) + 1;
        failures.set(key, count);
        if (count >= MAX_SEND_FAILURES) {
          await removeNotifySub(k, sub);
          failures.delete(key);
          result.dropped.push({ board, ...sub });
          log(
            `notify: dropped ${sub.platform} ${sub.chat_id} for ${sub.task_id} after ${count} failed sends: ${(err as Error).message}`,
          );
        } else {
          log(`notify: ${sub.platform} ${sub.chat_id} for ${sub.task_id} failed (${count}): ${(err as Error).message}`);
        }
        return;
      }
      // Delivered messages are not sent twice, even if a later one in this pass fails.
      await advanceNotifyCursor(k, sub, event.id);
      failures.delete(key);
      result.sent++;
    }
    await advanceNotifyCursor(k, sub, maxId);
    if (FINISHED.has(task.status)) {
      await removeNotifySub(k, sub);
      failures.delete(key);
      result.finished.push({ board, ...sub });
    }
  }

  return {
    async tick() {
      const result: NotifyTickResult = { sent: 0, failed: 0, dropped: [], finished: [] };
      for (const { slug } of await listBoards(options.home, { includeArchived: false })) {
        let k: Kernel;
        try {
          k = await openBoard(options.home, slug, { clock: options.clock });
        } catch (err) {
          log(`notify: board ${slug} skipped: ${(err as Error).message}`);
          continue;
        }
        try {
          const subs = await listNotifySubs(k);
          await Promise.all(
            subs.map((sub) =>
              deliver(slug, k, sub, result).catch((err) =>
                log(`notify: ${sub.task_id} on ${slug} skipped: ${(err as Error).message}`),
              ),
            ),
          );
        } finally {
          await k.close();
        }
      }
      return result;
    },
  };
}
