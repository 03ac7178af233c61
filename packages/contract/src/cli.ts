import * as z from "zod";
import { ProfilePause } from "./api.ts";
import { BoardStats } from "./board.ts";
import { FleetFigures } from "./fleet.ts";
import { Run } from "./run.ts";
import { CliTask, TaskDict } from "./task.ts";
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

/** `stats --json`: `board_stats` (reference §5.7) plus Switchyard's fleet figures over `--since` (issue 19). */
export const CliStats = BoardStats.extend({ fleet: FleetFigures });
export type CliStats = z.infer<typeof CliStats>;

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

/*
 * The `--json` output of the verbs that have no REST or tool shape to reuse (issue 15). A verb
 * whose action the API or a tool also performs prints that response instead (docs/user-guide.md
 * lists which).
 */

/** `claim <id> --json`: the task as `PATCH /tasks/:id` returns it, and the prepared workspace. */
export const CliClaim = z.object({ task: TaskDict, workspace: z.string() });
export type CliClaim = z.infer<typeof CliClaim>;

/** `context <id> --json`: what `kanban_show` calls `worker_context`. */
export const CliContext = z.object({ task_id: z.string(), worker_context: z.string() });
export type CliContext = z.infer<typeof CliContext>;

/** `guidance --json`. */
export const CliGuidance = z.object({ guidance: z.string() });
export type CliGuidance = z.infer<typeof CliGuidance>;

/** `init --json`: the board's database and the profiles the dispatcher can start. */
export const CliInit = z.object({ board: z.string(), db_path: z.string(), profiles: z.array(z.string()) });
export type CliInit = z.infer<typeof CliInit>;

/** `gc --json`: how many of each were removed. */
export const CliGc = z.object({
  workspaces: z.number().int(),
  events: z.number().int(),
  logs: z.number().int(),
});
export type CliGc = z.infer<typeof CliGc>;

/** `profiles list --json`. */
export const CliProfiles = z.object({
  profiles: z.array(z.object({ name: z.string(), spawnable: z.boolean(), paused: ProfilePause.nullable() })),
});
export type CliProfiles = z.infer<typeof CliProfiles>;

/** `notify-unsubscribe --json`: the subscription that was removed. */
export const CliUnsubscribed = NotifySubscription.pick({
  task_id: true,
  platform: true,
  chat_id: true,
  thread_id: true,
}).extend({ ok: z.literal(true) });
export type CliUnsubscribed = z.infer<typeof CliUnsubscribed>;

/** `serve --json`: the first line on stdout, once the server listens. */
export const CliServing = z.object({ url: z.string(), home: z.string(), demo: z.boolean() });
export type CliServing = z.infer<typeof CliServing>;

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export const LogLevel = z.enum(LOG_LEVELS);
export type LogLevel = z.infer<typeof LogLevel>;

/** One log line of `serve --json` on stderr (the text form is `<time> <level> <message>`). */
export const LogRecord = z.object({ time: z.string(), level: LogLevel, message: z.string() });
export type LogRecord = z.infer<typeof LogRecord>;
