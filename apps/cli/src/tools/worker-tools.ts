import {
  ORCHESTRATOR_TOOL_NAMES,
  TOOL_DESCRIPTIONS,
  TOOL_PARAMS,
  type ToolError,
  type ToolName,
  type ToolParams,
  type ToolResult,
  WORKER_TOOL_NAMES,
} from "@switchyard/contract";
import {
  addComment,
  blockTask,
  buildWorkerContext,
  type CoreError,
  childIds,
  completeTask,
  createTask,
  getTask,
  heartbeatWorker,
  isCoreError,
  type Kernel,
  latestRun,
  linkTasks,
  listComments,
  listEvents,
  listRuns,
  listTasks,
  parentIds,
  unblockTask,
} from "@switchyard/core";
import { listedTask, shortComment, shortEvent, toolRun, toolTask } from "../shapes.ts";
import { assertOwnTask, identity, runIdFor, type WorkerScope } from "./scope.ts";

/**
 * The worker tool surface (reference §9, SPEC §3.10–3.11), shared by `switchyard mcp` and any
 * other host: the 7 worker tools and the 2 orchestrator tools, with their parameter checks,
 * results and error texts, the ownership guard, the author (the worker's profile) and the
 * run-id guard. Every call returns a result object or `{error}`; nothing throws.
 */

export interface ToolHost {
  /** The board the tools act on (opened on first use). */
  kernel(): Kernel;
  scope: WorkerScope;
  /** Orchestrator mode: all 9 tools and no ownership guard. */
  orchestrator: boolean;
  /** Seconds a heartbeat extends the claim by. */
  claimTtl(): number;
}

export type ToolOutput<N extends ToolName> = ToolResult<N> | ToolError;

export interface Tool<N extends ToolName = ToolName> {
  name: N;
  description: string;
  params: (typeof TOOL_PARAMS)[N];
  readOnly: boolean;
  call(args: unknown): ToolOutput<N>;
}

type Handler<N extends ToolName> = (p: ToolParams<N>, host: ToolHost) => ToolOutput<N>;

const LIST_LIMIT = 100;
const SHOW_EVENTS = 50;

/** The task a call is about: the given id, else the worker's own task. */
function targetTask(p: { task_id?: string | null }, host: ToolHost): string | ToolError {
  const id = p.task_id?.trim() || host.scope.task;
  return id ?? { error: "task_id is required (there is no task in $SWITCHYARD_TASK)" };
}

/** The ownership guard, in worker mode only. */
function guard(host: ToolHost, taskId: string): void {
  if (!host.orchestrator) assertOwnTask(host.scope, taskId);
}

function phantomCardsText(k: Kernel, taskId: string, err: CoreError): string {
  const phantom = err.facts.phantom_cards ?? [];
  const verified = err.facts.verified_cards ?? [];
  const status = getTask(k, taskId)?.status ?? "unknown";
  return (
    `kanban_complete blocked: these created_cards do not exist or were not created by this worker: ${phantom.join(", ")}` +
    `${verified.length > 0 ? ` (these checked out: ${verified.join(", ")})` : ""}. ` +
    `Nothing changed: task ${taskId} is still yours and still ${status}. Retry kanban_complete with created_cards ` +
    "listing only the task_id values returned by your successful kanban_create calls (or children linked to this " +
    "task), or leave created_cards out."
  );
}

const handlers: { [N in ToolName]: Handler<N> } = {
  kanban_show(p, host) {
    const id = targetTask(p, host);
    if (typeof id !== "string") return id;
    const k = host.kernel();
    const task = getTask(k, id);
    if (!task) return { error: `task ${id} not found` };
    return {
      task: toolTask(task),
      parents: parentIds(k, id),
      children: childIds(k, id),
      comments: listComments(k, id).map(shortComment),
      events: listEvents(k, id, SHOW_EVENTS).map(shortEvent),
      runs: listRuns(k, id).map(toolRun),
      worker_context: buildWorkerContext(k, id),
    };
  },

  kanban_complete(p, host) {
    const id = targetTask(p, host);
    if (typeof id !== "string") return id;
    guard(host, id);
    if (!p.summary?.trim() && !p.result?.trim()) {
      return { error: "kanban_complete needs a summary or a result: say what you did in 1-3 sentences" };
    }
    const k = host.kernel();
    try {
      const done = completeTask(k, id, {
        summary: p.summary ?? null,
        result: p.result ?? null,
        metadata: p.metadata ?? null,
        created_cards: p.created_cards ?? null,
        runId: runIdFor(host.scope, id),
      });
      return { ok: true, task_id: id, run_id: done.run_id };
    } catch (err) {
      if (isCoreError(err, "hallucinated_cards")) return { error: phantomCardsText(k, id, err) };
      throw err;
    }
  },

  kanban_block(p, host) {
    const id = targetTask(p, host);
    if (typeof id !== "string") return id;
    guard(host, id);
    const k = host.kernel();
    blockTask(k, id, { reason: p.reason, runId: runIdFor(host.scope, id) });
    return { ok: true, task_id: id, run_id: latestRun(k, id)?.id ?? null };
  },

  kanban_heartbeat(p, host) {
    const id = targetTask(p, host);
    if (typeof id !== "string") return id;
    guard(host, id);
    heartbeatWorker(host.kernel(), id, { note: p.note ?? null, runId: runIdFor(host.scope, id), ttl: host.claimTtl() });
    return { ok: true, task_id: id };
  },

  kanban_comment(p, host) {
    const k = host.kernel();
    if (!getTask(k, p.task_id)) return { error: `kanban_comment: unknown task ${p.task_id}` };
    const comment = addComment(k, p.task_id, identity(host.scope, "worker"), p.body);
    return { ok: true, task_id: p.task_id, comment_id: comment.id };
  },

  kanban_create(p, host) {
    const { task } = createTask(host.kernel(), {
      title: p.title,
      assignee: p.assignee,
      body: p.body ?? null,
      parents: p.parents ?? undefined,
      tenant: p.tenant ?? host.scope.tenant,
      priority: p.priority ?? undefined,
      workspace_kind: p.workspace_kind ?? undefined,
      workspace_path: p.workspace_path ?? null,
      triage: p.triage ?? undefined,
      idempotency_key: p.idempotency_key ?? null,
      max_runtime_seconds: p.max_runtime_seconds ?? null,
      skills: p.skills ?? null,
      created_by: identity(host.scope, "worker"),
    });
    return { ok: true, task_id: task.id, status: task.status };
  },

  kanban_link(p, host) {
    linkTasks(host.kernel(), p.parent_id, p.child_id);
    return { ok: true, parent_id: p.parent_id, child_id: p.child_id };
  },

  kanban_list(p, host) {
    const all = listTasks(host.kernel(), {
      assignee: p.assignee ?? null,
      status: p.status ?? null,
      tenant: p.tenant ?? null,
      includeArchived: p.include_archived ?? false,
    });
    const tasks = all.slice(0, p.limit ?? LIST_LIMIT).map(listedTask);
    return { ok: true, tasks, total: all.length };
  },

  kanban_unblock(p, host) {
    const task = unblockTask(host.kernel(), p.task_id);
    return { ok: true, task_id: task.id, status: task.status };
  },
};

const READ_ONLY = new Set<ToolName>(["kanban_show", "kanban_list"]);

/** An argument problem in the reference's words; zod's own messages get the parameter's name in front. */
function issueText(issue: { path: PropertyKey[]; message: string } | undefined): string | undefined {
  if (!issue) return undefined;
  const field = issue.path.map(String).join(".");
  return field && !issue.message.includes(field) ? `${field}: ${issue.message}` : issue.message;
}

function makeTool<N extends ToolName>(name: N, host: ToolHost): Tool<N> {
  const params = TOOL_PARAMS[name];
  const handler = handlers[name] as Handler<N>;
  return {
    name,
    description: TOOL_DESCRIPTIONS[name],
    params,
    readOnly: READ_ONLY.has(name),
    call(args) {
      const parsed = params.safeParse(args ?? {});
      if (!parsed.success) return { error: issueText(parsed.error.issues[0]) ?? `${name}: invalid arguments` };
      try {
        return handler(parsed.data as ToolParams<N>, host);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return { error: `${name}: ${isCoreError(err) ? message : `unexpected error: ${message}`}` };
      }
    },
  };
}

/** The 7 worker tools, plus `kanban_list` and `kanban_unblock` in orchestrator mode. */
export function createTools(host: ToolHost): Tool[] {
  const names: ToolName[] = host.orchestrator
    ? [...WORKER_TOOL_NAMES, ...ORCHESTRATOR_TOOL_NAMES]
    : [...WORKER_TOOL_NAMES];
  return names.map((name) => makeTool(name, host));
}
