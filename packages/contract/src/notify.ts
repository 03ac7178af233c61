import * as z from "zod";
import { TaskEvent } from "./event.ts";
import { Task } from "./task.ts";

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
