import * as z from "zod";
import { boundedJsonObject } from "./json.ts";
import { atMost, LIMITS } from "./limits.ts";
import { Receipts, RequirementList, VerifyCommand } from "./receipts.ts";
import { Run } from "./run.ts";
import { TaskStatus, WorkspaceKind } from "./status.ts";
import { Comment, MAX_RETRIES_LIMIT, ModelName, Task } from "./task.ts";

/**
 * The worker tool surface (reference §9, SPEC §3.10–3.11): tool names, parameters with the
 * descriptions that steer a model, results, and the worker guidance. The CLI's MCP server
 * and any other host of the tools take them from here.
 */

export const WORKER_TOOL_NAMES = [
  "kanban_show",
  "kanban_complete",
  "kanban_block",
  "kanban_heartbeat",
  "kanban_comment",
  "kanban_create",
  "kanban_link",
] as const;
export const ORCHESTRATOR_TOOL_NAMES = ["kanban_list", "kanban_unblock"] as const;
export const TOOL_NAMES = [...WORKER_TOOL_NAMES, ...ORCHESTRATOR_TOOL_NAMES] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** The API's limits (api.ts), so a tool takes exactly what REST and the CLI take. */
const MAX_TEXT = LIMITS.body;
const MAX_IDS = LIMITS.ids;

const optionalTaskId = z
  .string({ error: "task_id must be a task id string" })
  .max(LIMITS.name, atMost(LIMITS.name))
  .nullish()
  .describe("Task id (t_…). Defaults to your own task ($SWITCHYARD_TASK).");

/** A list of ids, or one id given as a string (the reference coerces it to a list). */
function idList(what: string) {
  return z
    .union([z.array(z.string()).max(MAX_IDS), z.string()], {
      error: `${what} must be a list of task ids (or one id as a string)`,
    })
    .transform((v) => (typeof v === "string" ? [v] : v));
}

const metadata = boundedJsonObject("metadata must be a JSON object");

/**
 * A whole number, as a JSON number only: `"5"` is refused with a message that says so (the
 * reference's tools take ints; a model that quotes a number learns to send it bare).
 */
function wholeNumber(name: string, min: [number, string], max: [number, string]) {
  return z
    .number({
      error: (issue) =>
        typeof issue.input === "string"
          ? `${name} must be a JSON number, not the string ${JSON.stringify(issue.input).slice(0, 40)}: send it without quotes`
          : `${name} must be a whole number`,
    })
    .int(`${name} must be a whole number`)
    .min(...min)
    .max(...max);
}

/**
 * Every tool's parameters are a strict object: an unknown key (a typo such as `parent` for
 * `parents`) is refused, never ignored, and the advertised JSON Schema says
 * `additionalProperties: false`.
 */
export const ShowParams = z.strictObject({ task_id: optionalTaskId });

export const CompleteParams = z.strictObject({
  task_id: optionalTaskId,
  summary: z
    .string({ error: "summary must be a string" })
    .max(MAX_TEXT, atMost(MAX_TEXT))
    .nullish()
    .describe("1-3 human sentences: what you did and which artifacts you produced. Never secrets."),
  metadata: metadata
    .nullish()
    .describe("Machine-readable facts of the handoff, e.g. {changed_files, tests_run, decisions}. Never secrets."),
  result: z
    .string({ error: "result must be a string" })
    .max(MAX_TEXT, atMost(MAX_TEXT))
    .nullish()
    .describe("A short result line."),
  created_cards: idList("created_cards")
    .nullish()
    .describe(
      "Ids of the cards you created, exactly as returned by successful kanban_create calls in this run. " +
        "Never ids remembered from prose or from earlier runs. Leave it out if you created none.",
    ),
  receipts: Receipts.nullish().describe(
    "Proof of your work, which the board checks before the task counts as done: files you changed (relative " +
      "to your workspace), commits (shas on your task branch), branch {name, remote} you pushed, tests " +
      "[{command, exit_code}] the board re-runs itself, artifacts (paths or URLs). Claim only what exists; " +
      "anything that does not check out refuses the completion.",
  ),
});

export const BlockParams = z.strictObject({
  task_id: optionalTaskId,
  reason: z
    .string({ error: "reason is required — explain what input you need" })
    .trim()
    .min(1, "reason is required — explain what input you need")
    .max(LIMITS.reason, atMost(LIMITS.reason))
    .describe("One specific sentence naming the decision or input you need. Block only on real blockers."),
});

export const HeartbeatParams = z.strictObject({
  task_id: optionalTaskId,
  note: z
    .string({ error: "note must be a string" })
    .max(2_000, atMost(2_000))
    .nullish()
    .describe("What progress you made, e.g. 'epoch 12/50, loss 0.31'. Heartbeat every few minutes on long work."),
});

export const CommentParams = z.strictObject({
  task_id: z
    .string({ error: "task_id is required" })
    .trim()
    .min(1, "task_id is required")
    .max(LIMITS.name, atMost(LIMITS.name))
    .describe("The task to comment on (any task on the board)."),
  body: z
    .string({ error: "body is required" })
    .trim()
    .min(1, "body is required")
    .max(LIMITS.comment, atMost(LIMITS.comment))
    .describe("The comment, markdown. The author is your profile."),
});

const PRIORITY_RANGE = `priority must be from -${LIMITS.priority} to ${LIMITS.priority}`;

export const CreateParams = z.strictObject({
  title: z
    .string({ error: "title is required" })
    .trim()
    .min(1, "title is required")
    .max(LIMITS.title, atMost(LIMITS.title))
    .describe("A short imperative title naming the outcome, e.g. 'Write the API docs'."),
  assignee: z
    .string({ error: "assignee is required — name the profile that should do this work" })
    .trim()
    .min(1, "assignee is required — name the profile that should do this work")
    .max(LIMITS.name, atMost(LIMITS.name))
    .describe("The profile that should do the work. Never yourself for follow-up work."),
  body: z
    .string({ error: "body must be a string" })
    .max(MAX_TEXT, atMost(MAX_TEXT))
    .nullish()
    .describe("The task's opening post."),
  parents: idList("parents")
    .nullish()
    .describe("Tasks that must be done first; use [your own task id] for follow-up work."),
  tenant: z
    .string({ error: "tenant must be a string" })
    .max(LIMITS.name, atMost(LIMITS.name))
    .nullish()
    .describe("Defaults to $SWITCHYARD_TENANT."),
  priority: wholeNumber("priority", [-LIMITS.priority, PRIORITY_RANGE], [LIMITS.priority, PRIORITY_RANGE])
    .nullish()
    .describe("Higher is dispatched first (default 0)."),
  workspace_kind: WorkspaceKind.nullish().describe(
    "Where the worker runs: scratch (a fresh directory, the default), worktree (a git worktree) or dir (workspace_path).",
  ),
  workspace_path: z
    .string({ error: "workspace_path must be a string" })
    .max(4096, atMost(4096))
    .nullish()
    .describe("The absolute directory for workspace_kind dir."),
  triage: z
    .boolean({ error: "triage must be true or false" })
    .nullish()
    .describe("Park the task in triage: never dispatched until someone moves it."),
  idempotency_key: z
    .string({ error: "idempotency_key must be a string" })
    .max(LIMITS.name, atMost(LIMITS.name))
    .nullish()
    .describe("If a task with this key exists, it is returned instead of creating another."),
  max_runtime_seconds: wholeNumber(
    "max_runtime_seconds",
    [0, "max_runtime_seconds must be 0 or more"],
    [LIMITS.max_runtime_seconds, `max_runtime_seconds must be at most ${LIMITS.max_runtime_seconds} (365 days)`],
  )
    .nullish()
    .describe("Stop the worker after this many seconds."),
  skills: z
    .union([z.array(z.string()).max(100), z.string()], { error: "skills must be a list of skill names" })
    .transform((v) => (typeof v === "string" ? [v] : v))
    .nullish()
    .describe("Extra skills the worker loads, by name."),
  max_retries: wholeNumber(
    "max_retries",
    [1, "max_retries must be 1 or more"],
    [MAX_RETRIES_LIMIT, `max_retries must be at most ${MAX_RETRIES_LIMIT}`],
  )
    .nullish()
    .describe("Give up (block the task) after this many failed runs; defaults to the board's failure limit."),
  model_override: ModelName.nullish().describe(
    "The model the new task's worker runs with, as its agent CLI names it (e.g. 'sonnet'); defaults to the assignee profile's model.",
  ),
  require: RequirementList.nullish().describe(
    "What the worker's completion must prove: commits, files, branch, artifacts, clean_tree, verify.",
  ),
  verify_command: VerifyCommand.nullish().describe(
    "A shell command the board runs itself in the workspace before the task counts as done (e.g. 'pnpm test'); implies verify.",
  ),
});

export const LinkParams = z.strictObject({
  parent_id: z
    .string({ error: "both parent_id and child_id are required" })
    .trim()
    .min(1)
    .max(LIMITS.name, atMost(LIMITS.name))
    .describe("The task that must be done first."),
  child_id: z
    .string({ error: "both parent_id and child_id are required" })
    .trim()
    .min(1)
    .max(LIMITS.name, atMost(LIMITS.name))
    .describe("The task that waits until parent_id is done."),
});

export const ListParams = z.strictObject({
  assignee: z
    .string({ error: "assignee must be a string" })
    .max(LIMITS.name, atMost(LIMITS.name))
    .nullish()
    .describe("Only tasks assigned to this profile."),
  status: TaskStatus.nullish().describe("Only tasks with this status."),
  tenant: z
    .string({ error: "tenant must be a string" })
    .max(LIMITS.name, atMost(LIMITS.name))
    .nullish()
    .describe("Only tasks of this tenant."),
  include_archived: z
    .boolean({ error: "include_archived must be true or false" })
    .nullish()
    .describe("Include archived tasks (left out by default)."),
  limit: wholeNumber("limit", [1, "limit must be at least 1"], [1_000, "limit must be at most 1000"])
    .nullish()
    .describe("At most this many tasks (default 100), highest priority first."),
});

export const UnblockParams = z.strictObject({
  task_id: z
    .string({ error: "task_id is required" })
    .trim()
    .min(1, "task_id is required")
    .max(LIMITS.name, atMost(LIMITS.name))
    .describe("The blocked task to move back to ready."),
});

export const TOOL_PARAMS = {
  kanban_show: ShowParams,
  kanban_complete: CompleteParams,
  kanban_block: BlockParams,
  kanban_heartbeat: HeartbeatParams,
  kanban_comment: CommentParams,
  kanban_create: CreateParams,
  kanban_link: LinkParams,
  kanban_list: ListParams,
  kanban_unblock: UnblockParams,
} as const satisfies Record<ToolName, z.ZodType>;
export type ToolParams<N extends ToolName> = z.output<(typeof TOOL_PARAMS)[N]>;

export const TOOL_DESCRIPTIONS: Record<ToolName, string> = {
  kanban_show:
    "Read a task: its fields, parents, children, comments, recent events, runs and worker_context " +
    "(the ground truth to work from). Call it first.",
  kanban_complete:
    "Finish your task with a structured handoff: a 1-3 sentence summary and/or result, metadata for " +
    "machines, and created_cards listing only ids returned by your successful kanban_create calls.",
  kanban_block:
    "Stop and ask for input: block your task with one specific sentence naming the decision you need. " +
    "Only for real blockers.",
  kanban_heartbeat:
    "Tell the board you are alive during long work (every few minutes); extends your claim. Skip it for short tasks.",
  kanban_comment: "Add a comment to any task; the author is your profile.",
  kanban_create:
    "Create a task for another profile (follow-up work: parents=[your task id]). Returns its task_id; " +
    "keep it for created_cards.",
  kanban_link: "Make child_id wait until parent_id is done (parent first).",
  kanban_list: "List tasks on the board, filtered by assignee, status or tenant (orchestrators).",
  kanban_unblock: "Move a blocked task back to ready once its blocker is resolved (orchestrators).",
};

/** Every tool error: `{"error": "<message>"}`. */
export const ToolError = z.object({ error: z.string() });
export type ToolError = z.infer<typeof ToolError>;

/** The task as `kanban_show` returns it (reference §9.1). */
export const ToolTask = Task.pick({
  id: true,
  title: true,
  body: true,
  assignee: true,
  status: true,
  tenant: true,
  priority: true,
  workspace_kind: true,
  workspace_path: true,
  created_by: true,
  created_at: true,
  started_at: true,
  completed_at: true,
  result: true,
  current_run_id: true,
});
export type ToolTask = z.infer<typeof ToolTask>;

/** An event without its ids, as `show --json` and `kanban_show` list them. */
export const ShortEvent = z.object({
  kind: z.string(),
  payload: z.unknown(),
  created_at: z.number().int(),
  run_id: z.number().int().nullable(),
});
export type ShortEvent = z.infer<typeof ShortEvent>;

export const ShortComment = Comment.pick({ author: true, body: true, created_at: true });
export type ShortComment = z.infer<typeof ShortComment>;

export const ToolRun = Run.pick({
  id: true,
  profile: true,
  status: true,
  outcome: true,
  summary: true,
  error: true,
  metadata: true,
  started_at: true,
  ended_at: true,
});
export type ToolRun = z.infer<typeof ToolRun>;

/** `kanban_show`: the raw object, no `ok` (reference §9.1). */
export const ShowResult = z.object({
  task: ToolTask,
  parents: z.array(z.string()),
  children: z.array(z.string()),
  comments: z.array(ShortComment),
  /** The last 50 events. */
  events: z.array(ShortEvent),
  runs: z.array(ToolRun),
  worker_context: z.string(),
});
export type ShowResult = z.infer<typeof ShowResult>;

const ok = z.literal(true);

export const CompleteResult = z.object({ ok, task_id: z.string(), run_id: z.number().int().nullable() });
export type CompleteResult = z.infer<typeof CompleteResult>;
export const BlockResult = CompleteResult;
export type BlockResult = CompleteResult;
export const HeartbeatResult = z.object({ ok, task_id: z.string() });
export type HeartbeatResult = z.infer<typeof HeartbeatResult>;
export const CommentResult = z.object({ ok, task_id: z.string(), comment_id: z.number().int() });
export type CommentResult = z.infer<typeof CommentResult>;
export const CreateResult = z.object({ ok, task_id: z.string(), status: TaskStatus });
export type CreateResult = z.infer<typeof CreateResult>;
export const LinkResult = z.object({ ok, parent_id: z.string(), child_id: z.string() });
export type LinkResult = z.infer<typeof LinkResult>;
/** A task as `kanban_list` lists it. */
export const ListedTask = Task.pick({
  id: true,
  title: true,
  assignee: true,
  status: true,
  priority: true,
  tenant: true,
  created_by: true,
  created_at: true,
  completed_at: true,
  result: true,
});
export type ListedTask = z.infer<typeof ListedTask>;
export const ListResult = z.object({
  ok,
  tasks: z.array(ListedTask),
  /** How many tasks matched before the limit. */
  total: z.number().int(),
});
export type ListResult = z.infer<typeof ListResult>;
export const UnblockResult = z.object({ ok, task_id: z.string(), status: TaskStatus });
export type UnblockResult = z.infer<typeof UnblockResult>;

export const TOOL_RESULTS = {
  kanban_show: ShowResult,
  kanban_complete: CompleteResult,
  kanban_block: BlockResult,
  kanban_heartbeat: HeartbeatResult,
  kanban_comment: CommentResult,
  kanban_create: CreateResult,
  kanban_link: LinkResult,
  kanban_list: ListResult,
  kanban_unblock: UnblockResult,
} as const satisfies Record<ToolName, z.ZodType>;
export type ToolResult<N extends ToolName> = z.infer<(typeof TOOL_RESULTS)[N]>;

/**
 * The worker guidance (reference §9.3): printed by `switchyard guidance`, sent as the MCP
 * server's instructions, and pointed to by the skills. Kept between 1.5 and 4 KB.
 */
export const WORKER_GUIDANCE = `# Working a Switchyard kanban task

You own ONE task on a shared board. Its id is in $SWITCHYARD_TASK, your workspace in
$SWITCHYARD_WORKSPACE and your run in $SWITCHYARD_RUN_ID (Hermes workers see the twins
$HERMES_KANBAN_TASK, $HERMES_KANBAN_WORKSPACE and $HERMES_KANBAN_RUN_ID). The kanban_* tools are
your coordination surface; the \`switchyard\` CLI does the same where tools are unavailable.

Lifecycle:
1. Orient: call kanban_show() first. Treat its worker_context (prior attempts, parent handoffs,
   comments) as ground truth. If the task is blocked or archived, stop.
2. Work inside your workspace: cd into it; do not touch files outside it.
3. Heartbeat: during long work call kanban_heartbeat(note="what progress") every few minutes; it
   extends your claim. Skip it for short tasks.
4. Block on genuine ambiguity: kanban_block(reason="the one decision you need"), then stop.
   Do not guess. Put longer context in a kanban_comment first.
5. Complete with a structured handoff: kanban_complete(summary="1-3 sentences naming the
   artifacts", metadata={...machine facts...}). Never put secrets in them; runs are kept forever.
6. Follow-up work: kanban_create(title, assignee=<the right profile>, parents=[your task id]).
   Do not do it yourself and do not assign it to yourself.

The created_cards contract: when you complete, list in created_cards ONLY the task_id values
returned by your successful kanban_create calls in this run (or children linked to your task).
Never ids from prose, memory or earlier runs; if a create failed, leave it out and say so in the
summary. A made-up id blocks the completion and is recorded; your task stays yours, so retry
kanban_complete with the corrected list, or without created_cards.

If a call says your run was superseded (reclaimed, timed out), stop working: someone else owns
the task now. You may only complete, block or heartbeat your own task; use kanban_comment or
kanban_create to affect others.

Orchestrator mode: decompose with kanban_create (explicit assignees, parents for ordering), then
complete your own task with a summary of the task graph. Never implement the work yourself.

Do NOT: complete work you did not finish; assign follow-ups to yourself; use in-process
sub-agents instead of the board.
`;
