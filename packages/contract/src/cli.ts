import * as z from "zod";
import { Run } from "./run.ts";
import { CliTask } from "./task.ts";
import { ShortComment, ShortEvent } from "./tools.ts";

/** The `--json` output of the `switchyard` CLI (reference §10), where it is not a shape defined elsewhere. */

/** A run as `runs --json` and `show --json` list it (reference §10.2). */
export const CliRun = Run.pick({
  id: true,
  profile: true,
  step_key: true,
  status: true,
  outcome: true,
  summary: true,
  error: true,
  metadata: true,
  worker_pid: true,
  started_at: true,
  ended_at: true,
});
export type CliRun = z.infer<typeof CliRun>;

/** `show <id> --json`. */
export const CliShow = z.object({
  task: CliTask,
  parents: z.array(z.string()),
  children: z.array(z.string()),
  comments: z.array(ShortComment),
  events: z.array(ShortEvent),
  runs: z.array(CliRun),
});
export type CliShow = z.infer<typeof CliShow>;

/** One row of `kanban_notify_subs` (reference §1.3), as `notify-list --json` prints it. */
export const NotifySubscription = z.object({
  task_id: z.string(),
  platform: z.string(),
  chat_id: z.string(),
  thread_id: z.string(),
  user_id: z.string().nullable(),
  created_at: z.number().int(),
  last_event_id: z.number().int(),
});
export type NotifySubscription = z.infer<typeof NotifySubscription>;
