import * as z from "zod";
import { atMost, LIMITS } from "./limits.ts";
import { BoardSlug, TaskStatus } from "./status.ts";
import { TaskDict } from "./task.ts";

/** `board.json` plus the computed `db_path` (reference §1.1). */
export const BoardMeta = z.object({
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  icon: z.string(),
  color: z.string(),
  created_at: z.number().int().nullable(),
  archived: z.boolean(),
  db_path: z.string(),
});
export type BoardMeta = z.infer<typeof BoardMeta>;

export const StatusCounts = z.record(z.string(), z.number().int());
export type StatusCounts = z.infer<typeof StatusCounts>;

/** A board as `boards list --json` and `GET /boards` show it. */
export const BoardSummary = BoardMeta.extend({
  is_current: z.boolean(),
  counts: StatusCounts,
  total: z.number().int(),
});
export type BoardSummary = z.infer<typeof BoardSummary>;

/** `PATCH /boards/:slug`: strict like the task bodies, so a misspelt key is a 400 rather than ignored. */
export const BoardMetaInput = z.strictObject({
  name: z.string().trim().max(LIMITS.name, atMost(LIMITS.name)).optional(),
  description: z.string().max(2000, atMost(2000)).optional(),
  icon: z.string().max(16, atMost(16)).optional(),
  color: z.string().max(64, atMost(64)).optional(),
});
export type BoardMetaInput = z.infer<typeof BoardMetaInput>;

export const CreateBoardBody = BoardMetaInput.extend({
  slug: BoardSlug,
  switch: z.boolean().default(false),
});
export type CreateBoardBody = z.infer<typeof CreateBoardBody>;

export const RemoveBoardResult = z.object({
  slug: z.string(),
  action: z.enum(["archived", "deleted"]),
  new_path: z.string().nullable(),
});
export type RemoveBoardResult = z.infer<typeof RemoveBoardResult>;

/**
 * Switchyard: why a blocked task is blocked, from the event that blocked it: a block by a
 * person or its worker (`by`, when the event names them), or the dispatcher giving up after
 * `failures` failures, the last one `error`.
 */
export const BlockedReason = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("blocked"), reason: z.string().nullable(), by: z.string().nullable() }),
  z.object({ kind: z.literal("gave_up"), failures: z.number().int(), error: z.string().nullable() }),
]);
export type BlockedReason = z.infer<typeof BlockedReason>;

/** A card on `GET /board`: the task dict plus counts and child progress. */
export const BoardCard = TaskDict.extend({
  link_counts: z.object({ parents: z.number().int(), children: z.number().int() }),
  comment_count: z.number().int(),
  progress: z.object({ done: z.number().int(), total: z.number().int() }).nullable(),
  /** Switchyard: ids of parents that are not yet done or archived (why a todo card waits). */
  waiting_on: z.array(z.string()).optional(),
  /** Switchyard: on a blocked card, why it is blocked. */
  blocked_reason: BlockedReason.optional(),
});
export type BoardCard = z.infer<typeof BoardCard>;

export const BoardColumn = z.object({
  name: TaskStatus,
  tasks: z.array(BoardCard),
});
export type BoardColumn = z.infer<typeof BoardColumn>;

/** `board_stats` (reference §5.7). */
export const BoardStats = z.object({
  by_status: StatusCounts,
  by_assignee: z.record(z.string(), StatusCounts),
  oldest_ready_age_seconds: z.number().int().nullable(),
  now: z.number().int(),
});
export type BoardStats = z.infer<typeof BoardStats>;

/** `known_assignees` (reference §5.7). */
export const Assignee = z.object({
  name: z.string(),
  on_disk: z.boolean(),
  counts: StatusCounts,
});
export type Assignee = z.infer<typeof Assignee>;
