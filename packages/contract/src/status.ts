import * as z from "zod";

/** The seven statuses of a task (reference §2.2). */
export const TASK_STATUSES = ["triage", "todo", "ready", "running", "blocked", "done", "archived"] as const;
export const TaskStatus = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatus>;

/** Board columns in display order; `archived` only when archived tasks are shown. */
export const COLUMN_ORDER = TASK_STATUSES;

export const WORKSPACE_KINDS = ["scratch", "worktree", "dir"] as const;
export const WorkspaceKind = z.enum(WORKSPACE_KINDS);
export type WorkspaceKind = z.infer<typeof WorkspaceKind>;

/**
 * How a run ended. `protocol_violation` is Switchyard's: a worker exited without completing or
 * blocking. So is `rate_limited`: a worker exited 75 (EX_TEMPFAIL) and its task waits out a
 * backoff without counting a failure. `unverified` too: the board's own check of a completion
 * (`verify`, a claimed test) failed, and the task went back for another attempt (SPEC §12).
 */
export const RUN_OUTCOMES = [
  "completed",
  "blocked",
  "crashed",
  "timed_out",
  "spawn_failed",
  "gave_up",
  "reclaimed",
  "protocol_violation",
  "rate_limited",
  "unverified",
] as const;
export const RunOutcome = z.enum(RUN_OUTCOMES);
export type RunOutcome = z.infer<typeof RunOutcome>;

/** `running` while open; `done` for a completed claimed run; otherwise equal to the outcome. */
export const RunStatus = z.enum(["running", "done", ...RUN_OUTCOMES]);
export type RunStatus = z.infer<typeof RunStatus>;

/** A board slug: lowercase, starts with a letter or digit, at most 64 characters. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9\-_]{0,63}$/;
export const BoardSlug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(SLUG_PATTERN, "board slug must match ^[a-z0-9][a-z0-9-_]{0,63}$");
export type BoardSlug = z.infer<typeof BoardSlug>;

/** `t_` plus 8 lowercase hex digits. Older boards may hold shorter ids, so reads accept any `t_` hex id. */
export const TASK_ID_PATTERN = /^t_[a-f0-9]+$/;
export const TaskId = z.string().trim().min(1, "task id is required").max(200);
export type TaskId = z.infer<typeof TaskId>;
