import * as z from "zod";
import { Assignee, BoardColumn, BoardMeta, BoardSummary, RemoveBoardResult } from "./board.ts";
import { EventsMessage, TaskEvent } from "./event.ts";
import { boundedJsonObject } from "./json.ts";
import { atMost, LIMITS, thousands } from "./limits.ts";
import { BaseRef, CompletionPolicy, DiffStat, Receipts, RepoPath, RequirementList, VerifyCommand } from "./receipts.ts";
import { Run } from "./run.ts";
import { BoardSlug, TaskId, TaskStatus, WorkspaceKind } from "./status.ts";
import { Comment, MaxRetries, ModelName, TaskDict } from "./task.ts";

const title = z.string().trim().min(1, "title is required").max(LIMITS.title, atMost(LIMITS.title));
const text = (max: number) => z.string().max(max, atMost(max));
const name = z.string().trim().max(LIMITS.name, atMost(LIMITS.name));
/** A profile name; blank means "unassigned". */
const assignee = name.nullable();
/** Free-form JSON: bounded in depth and size (json.ts). */
const metadata = boundedJsonObject();
const priorityRange = `must be a whole number from -${thousands(LIMITS.priority)} to ${thousands(LIMITS.priority)}`;
const priority = z.number().int(priorityRange).min(-LIMITS.priority, priorityRange).max(LIMITS.priority, priorityRange);
const maxRuntimeRange = `must be a whole number of seconds from 0 to ${thousands(LIMITS.max_runtime_seconds)} (365 days)`;
const skills = z.array(z.string().max(LIMITS.name, atMost(LIMITS.name))).max(100, "at most 100 skills");

/** `true`/`false`/`1`/`0` in a query string. */
export const QueryBool = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .transform((v) => v === "true" || v === "1" || v === "yes");

export const BoardQuery = z.object({ board: BoardSlug.optional() });
export type BoardQuery = z.infer<typeof BoardQuery>;

/** Path parameters: `/tasks/:id`, `/boards/:slug`, `/tasks/:id/home-subscribe/:platform`. */
export const TaskParam = z.object({ id: TaskId });
export const BoardParam = z.object({ slug: BoardSlug });
export const HomeSubscribeParam = TaskParam.extend({ platform: z.string().trim().min(1).max(LIMITS.name) });

export const GetBoardQuery = BoardQuery.extend({
  tenant: z.string().max(LIMITS.name).optional(),
  include_archived: QueryBool.optional(),
});

export const CreateTaskBody = z.strictObject({
  title,
  body: text(LIMITS.body).nullish(),
  assignee: assignee.optional(),
  tenant: name.nullish(),
  priority: priority.default(0),
  workspace_kind: WorkspaceKind.default("scratch"),
  workspace_path: z.string().max(4096, atMost(4096)).nullish(),
  parents: z
    .array(z.string().max(LIMITS.name, atMost(LIMITS.name)))
    .max(LIMITS.ids)
    .default([]),
  triage: z.boolean().default(false),
  idempotency_key: z.string().max(LIMITS.name, atMost(LIMITS.name)).nullish(),
  max_runtime_seconds: z
    .number()
    .int(maxRuntimeRange)
    .min(0, maxRuntimeRange)
    .max(LIMITS.max_runtime_seconds, maxRuntimeRange)
    .nullish(),
  skills: skills.nullish(),
  /** Switchyard: this task's failure limit (null: `dispatch.failure_limit`). */
  max_retries: MaxRetries.nullish(),
  /** Switchyard (Hermes's `model_override`): the model its worker runs with (null: the profile's). */
  model_override: ModelName.nullish(),
  /** Switchyard (SPEC §12): what its completion must prove, and the command the board verifies it with. */
  require: RequirementList.nullish(),
  verify_command: VerifyCommand.nullish(),
  /** Switchyard (SPEC §12): the repository and base revision of a `worktree` workspace. */
  repo: RepoPath.nullish(),
  base_ref: BaseRef.nullish(),
});
export type CreateTaskBody = z.infer<typeof CreateTaskBody>;

export const PatchTaskBody = z.strictObject({
  status: TaskStatus.optional(),
  assignee: assignee.optional(),
  priority: priority.optional(),
  title: title.optional(),
  body: text(LIMITS.body).nullable().optional(),
  result: text(LIMITS.result).nullable().optional(),
  block_reason: text(LIMITS.reason).nullable().optional(),
  summary: text(LIMITS.result).nullable().optional(),
  metadata: metadata.nullable().optional(),
  /** Switchyard: this task's failure limit; null goes back to `dispatch.failure_limit`. */
  max_retries: MaxRetries.nullable().optional(),
  /** Switchyard: the model its next worker runs with; null goes back to the profile's. */
  model_override: ModelName.nullable().optional(),
  /** Switchyard (SPEC §12): a completion's claims (with `status: "done"`), checked before it counts. */
  receipts: Receipts.nullable().optional(),
  created_cards: z
    .array(z.string().max(LIMITS.name, atMost(LIMITS.name)))
    .max(LIMITS.ids)
    .nullable()
    .optional(),
  require: RequirementList.nullable().optional(),
  verify_command: VerifyCommand.nullable().optional(),
  repo: RepoPath.nullable().optional(),
  base_ref: BaseRef.nullable().optional(),
});
export type PatchTaskBody = z.infer<typeof PatchTaskBody>;

export const BulkBody = z.strictObject({
  ids: z
    .array(z.string().max(LIMITS.name, atMost(LIMITS.name)))
    .min(1, "ids is required")
    .max(LIMITS.ids),
  status: TaskStatus.optional(),
  assignee: assignee.optional(),
  priority: priority.optional(),
  archive: z.boolean().default(false),
  result: text(LIMITS.result).nullable().optional(),
  summary: text(LIMITS.result).nullable().optional(),
  metadata: metadata.nullable().optional(),
});
export type BulkBody = z.infer<typeof BulkBody>;

export const BulkResult = z.object({
  results: z.array(z.object({ id: z.string(), ok: z.boolean(), error: z.string().optional() })),
});
export type BulkResult = z.infer<typeof BulkResult>;

export const CommentBody = z.strictObject({
  body: z.string().trim().min(1, "body is required").max(LIMITS.comment, atMost(LIMITS.comment)),
  author: name.min(1).default("dashboard"),
});
export type CommentBody = z.infer<typeof CommentBody>;

export const LinkBody = z.strictObject({
  parent_id: z.string().trim().min(1).max(LIMITS.name, atMost(LIMITS.name)),
  child_id: z.string().trim().min(1).max(LIMITS.name, atMost(LIMITS.name)),
});
export type LinkBody = z.infer<typeof LinkBody>;

export const ReclaimBody = z.strictObject({
  reason: text(LIMITS.reason).nullish(),
});
export type ReclaimBody = z.infer<typeof ReclaimBody>;

export const ReassignBody = z.strictObject({
  profile: assignee.optional(),
  reclaim_first: z.boolean().default(false),
  reason: text(LIMITS.reason).nullish(),
});
export type ReassignBody = z.infer<typeof ReassignBody>;

export const LogQuery = BoardQuery.extend({
  tail: z.coerce.number().int().min(1).max(2_000_000).optional(),
});

export const DispatchQuery = BoardQuery.extend({
  dry_run: QueryBool.optional(),
  max: z.coerce.number().int().min(0).max(1000).optional(),
});

export const EventsQuery = BoardQuery.extend({
  since: z.coerce.number().int().min(0).optional(),
});

/**
 * Switchyard: the dispatcher as `GET /board` reports it, for the dashboard's "why isn't this
 * running?" line. `running` counts running tasks on every board (the cap is global).
 */
export const DispatcherStatus = z.object({
  enabled: z.boolean(),
  max_in_progress: z.number().int(),
  running: z.number().int(),
});
export type DispatcherStatus = z.infer<typeof DispatcherStatus>;

/** Switchyard: a spawnable profile with its cap (null when only the global cap applies) and running count. */
export const ProfileStatus = z.object({
  name: z.string(),
  max_in_progress: z.number().int().nullable(),
  running: z.number().int(),
});
export type ProfileStatus = z.infer<typeof ProfileStatus>;

/**
 * Switchyard: a profile the dispatcher stopped spawning on this board because its runs kept
 * failing the same way (decision 013), until someone resumes it.
 */
export const ProfilePause = z.object({
  profile: z.string(),
  /** The normalised error the failures shared: exit code and last log line. */
  fingerprint: z.string(),
  paused_at: z.number().int(),
  /** The task whose failure paused the profile (its events hold `profile_paused`). */
  task_id: z.string().nullable(),
  failures: z.number().int(),
});
export type ProfilePause = z.infer<typeof ProfilePause>;

/** `GET /profiles/paused`. */
export const PausedProfilesResponse = z.object({ paused: z.array(ProfilePause) });
export type PausedProfilesResponse = z.infer<typeof PausedProfilesResponse>;

/** `POST /profiles/:name/resume`. */
export const ProfileParam = z.object({ name: z.string().trim().min(1).max(LIMITS.name) });
export const ResumeProfileResponse = z.object({ ok: z.literal(true), profile: z.string(), fingerprint: z.string() });
export type ResumeProfileResponse = z.infer<typeof ResumeProfileResponse>;

/** `GET /board`. */
export const BoardResponse = z.object({
  columns: z.array(BoardColumn),
  tenants: z.array(z.string()),
  assignees: z.array(z.string()),
  latest_event_id: z.number().int(),
  now: z.number().int(),
  /** Switchyard: absent when the server cannot tell (e.g. config.yaml became unreadable). */
  dispatcher: DispatcherStatus.optional(),
  /** Switchyard: every spawnable profile, sorted by name. */
  profiles: z.array(ProfileStatus).optional(),
  /**
   * Switchyard: the board's pull lanes, sorted: assignees with no profile that have taken work
   * on this board (with `claim`). Any other assignee with no profile is unknown. Absent with
   * `profiles`.
   */
  pull_lanes: z.array(z.string()).optional(),
  /** Switchyard: profiles paused on this board after repeated identical failures. */
  paused_profiles: z.array(ProfilePause).optional(),
});
export type BoardResponse = z.infer<typeof BoardResponse>;

/** `GET /tasks/:id`. */
export const TaskDetail = z.object({
  task: TaskDict,
  comments: z.array(Comment),
  events: z.array(TaskEvent),
  links: z.object({ parents: z.array(z.string()), children: z.array(z.string()) }),
  runs: z.array(Run),
  /** Switchyard (SPEC §12): the diff of the task's branch against its base, for a `worktree` task. */
  diff: DiffStat.nullable().optional(),
});
export type TaskDetail = z.infer<typeof TaskDetail>;

/** `GET /boards/:slug/policy` and the answer of `PATCH` (SPEC §12). */
export const PolicyResponse = z.object({ policy: CompletionPolicy });
export type PolicyResponse = z.infer<typeof PolicyResponse>;

export const CreateTaskResponse = z.object({
  task: TaskDict,
  warning: z.string().optional(),
});
export type CreateTaskResponse = z.infer<typeof CreateTaskResponse>;

export const WorkerLog = z.object({
  task_id: z.string(),
  path: z.string(),
  exists: z.boolean(),
  size_bytes: z.number().int(),
  content: z.string(),
  truncated: z.boolean(),
});
export type WorkerLog = z.infer<typeof WorkerLog>;

export const HomeChannelState = z.object({
  platform: z.string(),
  chat_id: z.string(),
  thread_id: z.string(),
  name: z.string(),
  subscribed: z.boolean(),
});
export type HomeChannelState = z.infer<typeof HomeChannelState>;

/** `{task}`: PATCH /tasks/:id. */
export const TaskResponse = z.object({ task: TaskDict });
export type TaskResponse = z.infer<typeof TaskResponse>;

export const OkResponse = z.object({ ok: z.boolean() });
export type OkResponse = z.infer<typeof OkResponse>;

/** `DELETE /links?parent_id&child_id`. */
export const LinkQuery = BoardQuery.extend({
  parent_id: z.string().trim().min(1).max(LIMITS.name, atMost(LIMITS.name)),
  child_id: z.string().trim().min(1).max(LIMITS.name, atMost(LIMITS.name)),
});

export const ReclaimResponse = z.object({ ok: z.literal(true), task_id: z.string() });
export type ReclaimResponse = z.infer<typeof ReclaimResponse>;

export const ReassignResponse = z.object({ ok: z.literal(true), task_id: z.string(), assignee: z.string().nullable() });
export type ReassignResponse = z.infer<typeof ReassignResponse>;

/** `GET /home-channels?task_id`. */
export const HomeChannelsQuery = BoardQuery.extend({ task_id: TaskId.optional() });

export const HomeChannelsResponse = z.object({ home_channels: z.array(HomeChannelState) });
export type HomeChannelsResponse = z.infer<typeof HomeChannelsResponse>;

/** `POST|DELETE /tasks/:id/home-subscribe/:platform`. */
export const HomeSubscribeResponse = z.object({
  ok: z.boolean(),
  task_id: z.string(),
  home_channel: HomeChannelState.omit({ subscribed: true }),
});
export type HomeSubscribeResponse = z.infer<typeof HomeSubscribeResponse>;

export const AssigneesResponse = z.object({ assignees: z.array(Assignee) });
export type AssigneesResponse = z.infer<typeof AssigneesResponse>;

/** `GET /boards`. */
export const BoardsQuery = z.object({ include_archived: QueryBool.optional() });

export const BoardsResponse = z.object({ boards: z.array(BoardSummary), current: z.string() });
export type BoardsResponse = z.infer<typeof BoardsResponse>;

/** `POST /boards` and `PATCH /boards/:slug`. */
export const BoardResult = z.object({ board: BoardMeta, current: z.string().optional() });
export type BoardResult = z.infer<typeof BoardResult>;

/** `DELETE /boards/:slug?delete=`. */
export const DeleteBoardQuery = z.object({ delete: QueryBool.optional() });

export const DeleteBoardResponse = z.object({ result: RemoveBoardResult, current: z.string() });
export type DeleteBoardResponse = z.infer<typeof DeleteBoardResponse>;

export const CurrentBoardResponse = z.object({ current: z.string() });
export type CurrentBoardResponse = z.infer<typeof CurrentBoardResponse>;

export { EventsMessage };
