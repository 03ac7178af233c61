import * as z from "zod";
import { NotifyPlatform } from "./config.ts";
import { TaskEvent } from "./event.ts";
import { atMost, LIMITS } from "./limits.ts";
import { Task } from "./task.ts";

/** The longest chat id: a webhook URL. */
const MAX_CHAT_URL = 2048;

/**
 * A subscription of a task's events to a chat (`switchyard notify-subscribe`). `webhook` and
 * `slack` both POST to the `chat_id`, so it is an http(s) URL.
 */
export const NotifySubscribeBody = z.strictObject({
  platform: NotifyPlatform,
  chat_id: z
    .string()
    .trim()
    .max(MAX_CHAT_URL, atMost(MAX_CHAT_URL))
    .pipe(z.url({ protocol: /^https?$/, error: "must be an http(s) URL: webhook and slack POST the events to it" })),
  thread_id: z.string().trim().max(LIMITS.name, atMost(LIMITS.name)).default(""),
  user_id: z.string().trim().max(LIMITS.name, atMost(LIMITS.name)).nullish(),
});
export type NotifySubscribeBody = z.infer<typeof NotifySubscribeBody>;

/**
 * What the notifier POSTs (SPEC §9). `webhook`: this JSON to the subscription's `chat_id`, a
 * URL; `board` and `thread_id` are Switchyard additions (a receiver serving several boards
 * needs to know which one).
 */
export const WebhookNotification = z.object({
  task: Task,
  event: TaskEvent,
  text: z.string(),
  board: z.string(),
  thread_id: z.string().optional(),
});
export type WebhookNotification = z.infer<typeof WebhookNotification>;

/** `slack`: an incoming-webhook message, POSTed to the `chat_id` URL; a thread id becomes `thread_ts`. */
export const SlackNotification = z.object({
  text: z.string(),
  thread_ts: z.string().optional(),
});
export type SlackNotification = z.infer<typeof SlackNotification>;
