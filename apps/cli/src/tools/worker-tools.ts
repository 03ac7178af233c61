import {
  type CompleteResult,
  ORCHESTRATOR_TOOL_NAMES,
  TOOL_DESCRIPTIONS,
  TOOL_PARAMS,
  TOOL_RESULTS,
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
  completeTask,
  createTask,
  heartbeatWorker,
  isCoreError,
  type Kernel,
  linkTasks,
  listTasks,
  taskDetail,
  unblockTask,
} from "@switchyard/core";
import type * as z from "zod";
import { listedTask, shortComment, shortEvent, toolRun, toolTask } from "../shapes.ts";
import { assertOwnTask, identity, runIdFor, type WorkerScope } from "./scope.ts";
import { TOOL_ERROR } from "./tool-errors.ts";

/**
 * The worker tool surface (reference §9, SPEC §3.10–3.11), shared by `switchyard mcp` and any
 * other host: the 7 worker tools and the 2 orchestrator tools, with their parameter checks,
 * results and error texts, the ownership guard, the author (the worker's profile) and the
 * run-id guard. Each tool calls one kernel command; a refusal becomes `{error}` through
 * TOOL_ERROR (tool-errors.ts). Every call resolves to a result object or `{error}`; nothing throws.
 */

export interface ToolHost {
  /** The board the tools act on (opened on first use). */
  kernel(): Promise<Kernel>;
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
  /** The success result's schema: the tool's MCP `outputSchema` (an `{error}` result is not one). */
  result: (typeof TOOL_RESULTS)[N];
  readOnly: boolean;
  call(args: unknown): Promise<ToolOutput<N>>;
}

type Handler<N extends ToolName> = (p: ToolParams<N>, host: ToolHost) => Promise<ToolOutput<N>>;

/**
 * What kanban_complete adds when the completion was handed in (SPEC §12): the board runs these
 * checks in the workspace before the task counts as done, and the worker must stop now.
 */
interface HandedIn {
  handed_in: true;
  checks: string[];
  next: string;
}

function handedInText(commands: readonly string[]): string {
  return (
    `Handed in: the board now runs ${commands.map((c) => `\`${c}\``).join(", ") || "its checks"} in your workspace ` +
    "before the task counts as done. Stop working and end your session now; do not call kanban_complete again. " +
    "If a check fails, the task comes back with its output in the next run's worker_context."
  );
}

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

/** The worker's name on what it writes: its profile, else `worker`. */
function author(host: ToolHost): string {
  return identity(host.scope, "worker");
}

const handlers: { [N in ToolName]: Handler<N> } = {
  async kanban_show(p, host) {
    const id = targetTask(p, host);
    if (typeof id !== "string") return id;
    const k = await host.kernel();
    const detail = await taskDetail(k, id, { events: SHOW_EVENTS });
    return {
      task: toolTask(detail.task),
      parents: detail.links.parents,
      children: detail.links.children,
      comments: detail.comments.map(shortComment),
      events: detail.events.map(shortEvent),
      runs: detail.runs.map(toolRun),
      worker_context: await buildWorkerContext(k, id),
    };
  },

  async kanban_complete(p, host) {
    const id = targetTask(p, host);
    if (typeof id !== "string") return id;
    guard(host, id);
    if (!p.summary?.trim() && !p.result?.trim()) {
      return { error: "kanban_complete needs a summary or a result: say what you did in 1-3 sentences" };
    }
    const done = await completeTask(await host.kernel(), id, {
      summary: p.summary ?? null,
      result: p.result ?? null,
      metadata: p.metadata ?? null,
      created_cards: p.created_cards ?? null,
      receipts: p.receipts ?? null,
      runId: runIdFor(host.scope, id),
    });
    if (!done.verifying) return { ok: true, task_id: id, run_id: done.run_id };
    // Handed in: the text tells the agent to stop; structuredContent keeps the contract's keys (mcp/server.ts).
    const handedIn: CompleteResult & HandedIn = {
      ok: true,
      task_id: id,
      run_id: done.run_id,
      handed_in: true,
      checks: done.verifying.map((c) => c.command),
      next: handedInText(done.verifying.map((c) => c.command)),
    };
    return handedIn;
  },

  async kanban_block(p, host) {
    const id = targetTask(p, host);
    if (typeof id !== "string") return id;
    guard(host, id);
    const { run_id } = await blockTask(await host.kernel(), id, {
      reason: p.reason,
      runId: runIdFor(host.scope, id),
      author: author(host),
    });
    return { ok: true, task_id: id, run_id };
  },

  async kanban_heartbeat(p, host) {
    const id = targetTask(p, host);
    if (typeof id !== "string") return id;
    guard(host, id);
    await heartbeatWorker(await host.kernel(), id, {
      note: p.note ?? null,
      runId: runIdFor(host.scope, id),
      ttl: host.claimTtl(),
    });
    return { ok: true, task_id: id };
  },

  async kanban_comment(p, host) {
    const comment = await addComment(await host.kernel(), p.task_id, author(host), p.body);
    return { ok: true, task_id: p.task_id, comment_id: comment.id };
  },

  async kanban_create(p, host) {
    const { task } = await createTask(await host.kernel(), {
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
      max_retries: p.max_retries ?? null,
      model_override: p.model_override ?? null,
      require: p.require ?? null,
      verify_command: p.verify_command ?? null,
      created_by: author(host),
    });
    return { ok: true, task_id: task.id, status: task.status };
  },

  async kanban_link(p, host) {
    await linkTasks(await host.kernel(), p.parent_id, p.child_id);
    return { ok: true, parent_id: p.parent_id, child_id: p.child_id };
  },

  async kanban_list(p, host) {
    const all = await listTasks(await host.kernel(), {
      assignee: p.assignee ?? null,
      status: p.status ?? null,
      tenant: p.tenant ?? null,
      includeArchived: p.include_archived ?? false,
    });
    const tasks = all.slice(0, p.limit ?? LIST_LIMIT).map(listedTask);
    return { ok: true, tasks, total: all.length };
  },

  async kanban_unblock(p, host) {
    const task = await unblockTask(await host.kernel(), p.task_id);
    return { ok: true, task_id: task.id, status: task.status };
  },
};

const READ_ONLY = new Set<ToolName>(["kanban_show", "kanban_list"]);

/** The argument name closest to a misspelt one: within edit distance 2, or one is the other's prefix. */
function closest(key: string, known: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    let row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) {
        next[j] = Math.min(
          (row[j] ?? 0) + 1,
          (next[j - 1] ?? 0) + 1,
          (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
      }
      row = next;
    }
    return row[b.length] ?? Number.POSITIVE_INFINITY;
  };
  const k = key.toLowerCase();
  return known
    .map((name) => {
      const prefix = Math.min(k.length, name.length) >= 3 && (name.startsWith(k) || k.startsWith(name));
      return { name, d: prefix ? 1 : distance(k, name) };
    })
    .filter((c) => c.d <= 2)
    .sort((a, b) => a.d - b.d)[0]?.name;
}

/** An unknown argument (a typo such as `parent` for `parents`): named, with the likely one and the tool's arguments. */
function unknownArgumentText(tool: ToolName, keys: readonly string[]): string {
  const known = Object.keys(TOOL_PARAMS[tool].shape);
  const named = keys.map((key) => {
    const guess = closest(key, known);
    return guess ? `'${key}' (did you mean '${guess}'?)` : `'${key}'`;
  });
  return (
    `${tool}: unknown argument${keys.length === 1 ? "" : "s"} ${named.join(", ")}; nothing was done. ` +
    `${tool} takes: ${known.join(", ")}`
  );
}

type Issue = z.core.$ZodIssue;

/**
 * An argument problem in the reference's words; zod's own messages get the parameter's name in
 * front. An unknown argument is reported first, whatever else is wrong, since it is usually why
 * the rest is missing.
 */
function issueText(tool: ToolName, issues: readonly Issue[]): string {
  const unknown = issues.find((i) => i.code === "unrecognized_keys");
  if (unknown?.code === "unrecognized_keys") return unknownArgumentText(tool, unknown.keys);
  const issue = issues[0];
  if (!issue) return `${tool}: invalid arguments`;
  const field = issue.path.map(String).join(".");
  return field && !issue.message.includes(field) ? `${field}: ${issue.message}` : issue.message;
}

/** A kernel refusal as the tool's `{error}` text (TOOL_ERROR). */
function refusalText(tool: ToolName, err: CoreError): string {
  return TOOL_ERROR[err.code](err.message, { ...err.facts, tool });
}

function makeTool<N extends ToolName>(name: N, host: ToolHost): Tool<N> {
  const params = TOOL_PARAMS[name];
  const handler = handlers[name] as Handler<N>;
  return {
    name,
    description: TOOL_DESCRIPTIONS[name],
    params,
    result: TOOL_RESULTS[name],
    readOnly: READ_ONLY.has(name),
    async call(args) {
      const parsed = params.safeParse(args ?? {});
      if (!parsed.success) return { error: issueText(name, parsed.error.issues) };
      try {
        return await handler(parsed.data as ToolParams<N>, host);
      } catch (err) {
        if (isCoreError(err)) return { error: refusalText(name, err) };
        return { error: `${name}: unexpected error: ${err instanceof Error ? err.message : String(err)}` };
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
