import * as z from "zod";
import { Requirement } from "./receipts.ts";
import { TaskStatus, WorkspaceKind } from "./status.ts";

const ts = z.number().int();
const nullableText = z.string().nullable();

/** One row of `tasks` (reference §1.3), as the kernel and the wire carry it. */
export const Task = z.object({
  id: z.string(),
  title: z.string(),
  body: nullableText,
  assignee: nullableText,
  status: TaskStatus,
  priority: z.number().int(),
  created_by: nullableText,
  created_at: ts,
  started_at: ts.nullable(),
  completed_at: ts.nullable(),
  workspace_kind: WorkspaceKind,
  workspace_path: nullableText,
  claim_lock: nullableText,
  claim_expires: ts.nullable(),
  tenant: nullableText,
  result: nullableText,
  idempotency_key: nullableText,
  spawn_failures: z.number().int(),
  worker_pid: z.number().int().nullable(),
  last_spawn_error: nullableText,
  max_runtime_seconds: z.number().int().nullable(),
  last_heartbeat_at: ts.nullable(),
  current_run_id: z.number().int().nullable(),
  workflow_template_id: nullableText,
  current_step_key: nullableText,
  skills: z.array(z.string()).nullable(),
  /**
   * Switchyard (Hermes has the column): this task's own failure limit, overriding
   * `dispatch.failure_limit`; null uses the board's.
   */
  max_retries: z.number().int().nullable(),
  /** Switchyard: not claimable before this time (Unix seconds), set by a rate-limit backoff. */
  retry_after: ts.nullable(),
  /**
   * Switchyard (SPEC §3.13, decision 015): a person put this todo task there while nothing held
   * it back, so the kernel never promotes it; false for a task waiting on its parents.
   */
  parked: z.boolean(),
  /**
   * Switchyard (Hermes has the column): the model this task's worker runs with, overriding its
   * profile's `model` (SPEC §14). Optional so an answer from an older server, or Hermes's, parses.
   */
  model_override: nullableText.optional(),
  /**
   * Switchyard (SPEC §12): what this task's completion must prove, on top of its board's and its
   * profile's requirements; null for none of its own. Optional like `model_override`.
   */
  require: z.array(Requirement).nullable().optional(),
  /** Switchyard (SPEC §12): the command the board runs to verify a completion (`verify` required). */
  verify_command: nullableText.optional(),
  /** Switchyard (SPEC §12): the repository a `worktree` workspace is made from (null: the board's). */
  repo: nullableText.optional(),
  /** Switchyard (SPEC §12): the revision the task's branch starts from (null: the board's). */
  base_ref: nullableText.optional(),
});
export type Task = z.infer<typeof Task>;

/** A task's `model_override`: a model name as the agent CLI takes it (`sonnet`, `openai/gpt-5`). */
export const MODEL_NAME_MAX = 200;
export const ModelName = z
  .string({ error: "model must be a model name" })
  .trim()
  .min(1, "model must not be blank (use null to clear it)")
  .max(MODEL_NAME_MAX, `model must be at most ${MODEL_NAME_MAX} characters`)
  .refine(
    (m) => [...m].every((ch) => (ch.codePointAt(0) ?? 0) > 0x20 && !/\s/.test(ch)),
    "model must be one word (no spaces or control characters)",
  );

/**
 * A task's `max_retries`: how many failures it may have before it is given up (blocked), like
 * `dispatch.failure_limit`: 1 gives up after the first crash.
 */
export const MAX_RETRIES_LIMIT = 100;
export const MaxRetries = z
  .number({ error: "max_retries must be a whole number" })
  .int("max_retries must be a whole number")
  .min(1, "max_retries must be 1 or more")
  .max(MAX_RETRIES_LIMIT, `max_retries must be at most ${MAX_RETRIES_LIMIT}`);

export const TaskAge = z.object({
  created_age_seconds: z.number().int().nullable(),
  started_age_seconds: z.number().int().nullable(),
  time_to_complete_seconds: z.number().int().nullable(),
});
export type TaskAge = z.infer<typeof TaskAge>;

/** Active hallucination warnings since the last clean completion (reference §7.3). */
export const Warnings = z.object({
  count: z.number().int(),
  kinds: z.record(z.string(), z.number().int()),
  latest_at: ts,
});
export type Warnings = z.infer<typeof Warnings>;

/** The task dict of the REST API: every column plus `age` and, when active, `warnings`. */
export const TaskDict = Task.extend({
  age: TaskAge,
  warnings: Warnings.optional(),
  /**
   * Switchyard: the task's insertion sequence on its board (the row's rowid), the last key of
   * the board's order (priority, then `created_at`, then this), so a client can place tasks
   * created in the same second in creation order.
   */
  seq: z.number().int(),
});
export type TaskDict = z.infer<typeof TaskDict>;

/** The JSON form the CLI prints for create, list and show (reference §10.1 `_task_to_dict`). */
export const CliTask = z.object({
  id: z.string(),
  title: z.string(),
  body: nullableText,
  assignee: nullableText,
  status: TaskStatus,
  priority: z.number().int(),
  tenant: nullableText,
  workspace_kind: WorkspaceKind,
  workspace_path: nullableText,
  created_by: nullableText,
  created_at: ts,
  started_at: ts.nullable(),
  completed_at: ts.nullable(),
  result: nullableText,
  skills: z.array(z.string()),
});
export type CliTask = z.infer<typeof CliTask>;

export const Comment = z.object({
  id: z.number().int(),
  task_id: z.string(),
  author: z.string(),
  body: z.string(),
  created_at: ts,
});
export type Comment = z.infer<typeof Comment>;

export const Link = z.object({
  parent_id: z.string(),
  child_id: z.string(),
});
export type Link = z.infer<typeof Link>;
