import {
  type Comment,
  type Run,
  type RunOutcome,
  type RunStatus,
  TASK_STATUSES,
  type Task,
  type TaskEvent,
  type WorkspaceKind,
} from "@switchyard/contract";

/** Row <-> object mapping: the one place that knows how columns are stored. */

export interface TaskRow {
  id: string;
  title: string;
  body: string | null;
  assignee: string | null;
  status: string;
  priority: number | null;
  created_by: string | null;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  workspace_kind: string | null;
  workspace_path: string | null;
  claim_lock: string | null;
  claim_expires: number | null;
  tenant: string | null;
  result: string | null;
  idempotency_key: string | null;
  spawn_failures: number | null;
  worker_pid: number | null;
  last_spawn_error: string | null;
  max_runtime_seconds: number | null;
  last_heartbeat_at: number | null;
  current_run_id: number | null;
  workflow_template_id: string | null;
  current_step_key: string | null;
  skills: string | null;
}

/** The columns of a task row, in one fixed order: for reading many rows as arrays (`.raw()`). */
export const TASK_COLUMNS = [
  "id",
  "title",
  "body",
  "assignee",
  "status",
  "priority",
  "created_by",
  "created_at",
  "started_at",
  "completed_at",
  "workspace_kind",
  "workspace_path",
  "claim_lock",
  "claim_expires",
  "tenant",
  "result",
  "idempotency_key",
  "spawn_failures",
  "worker_pid",
  "last_spawn_error",
  "max_runtime_seconds",
  "last_heartbeat_at",
  "current_run_id",
  "workflow_template_id",
  "current_step_key",
  "skills",
] as const satisfies ReadonlyArray<keyof TaskRow>;

/**
 * A task row read as an array of `TASK_COLUMNS` values. On big reads (`GET /board` of a large
 * board) arrays are about twice as cheap as row objects (`k.db.each`).
 */
export function taskRowOf(v: readonly unknown[]): TaskRow {
  return {
    id: v[0] as string,
    title: v[1] as string,
    body: v[2] as string | null,
    assignee: v[3] as string | null,
    status: v[4] as string,
    priority: v[5] as number | null,
    created_by: v[6] as string | null,
    created_at: v[7] as number,
    started_at: v[8] as number | null,
    completed_at: v[9] as number | null,
    workspace_kind: v[10] as string | null,
    workspace_path: v[11] as string | null,
    claim_lock: v[12] as string | null,
    claim_expires: v[13] as number | null,
    tenant: v[14] as string | null,
    result: v[15] as string | null,
    idempotency_key: v[16] as string | null,
    spawn_failures: v[17] as number | null,
    worker_pid: v[18] as number | null,
    last_spawn_error: v[19] as string | null,
    max_runtime_seconds: v[20] as number | null,
    last_heartbeat_at: v[21] as number | null,
    current_run_id: v[22] as number | null,
    workflow_template_id: v[23] as string | null,
    current_step_key: v[24] as string | null,
    skills: v[25] as string | null,
  };
}

function parseJson(text: string | null): unknown {
  if (text === null || text === undefined || text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function parseSkills(text: string | null): string[] | null {
  const v = parseJson(text);
  return Array.isArray(v) ? v.map(String) : null;
}

function int(v: number | bigint | null | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}

const STATUSES: ReadonlySet<string> = new Set(TASK_STATUSES);

/** A status written by another tool that Switchyard does not know is shown as `todo` (§11). */
function knownStatus(status: string): Task["status"] {
  return STATUSES.has(status) ? (status as Task["status"]) : "todo";
}

export function toTask(r: TaskRow): Task {
  return {
    id: r.id,
    title: r.title,
    body: r.body,
    assignee: r.assignee,
    status: knownStatus(r.status),
    priority: int(r.priority) ?? 0,
    created_by: r.created_by,
    created_at: Number(r.created_at),
    started_at: int(r.started_at),
    completed_at: int(r.completed_at),
    workspace_kind: (r.workspace_kind ?? "scratch") as WorkspaceKind,
    workspace_path: r.workspace_path,
    claim_lock: r.claim_lock,
    claim_expires: int(r.claim_expires),
    tenant: r.tenant,
    result: r.result,
    idempotency_key: r.idempotency_key,
    spawn_failures: int(r.spawn_failures) ?? 0,
    worker_pid: int(r.worker_pid),
    last_spawn_error: r.last_spawn_error,
    max_runtime_seconds: int(r.max_runtime_seconds),
    last_heartbeat_at: int(r.last_heartbeat_at),
    current_run_id: int(r.current_run_id),
    workflow_template_id: r.workflow_template_id,
    current_step_key: r.current_step_key,
    skills: parseSkills(r.skills),
  };
}

export interface RunRow {
  id: number;
  task_id: string;
  profile: string | null;
  step_key: string | null;
  status: string;
  claim_lock: string | null;
  claim_expires: number | null;
  worker_pid: number | null;
  max_runtime_seconds: number | null;
  last_heartbeat_at: number | null;
  started_at: number;
  ended_at: number | null;
  outcome: string | null;
  summary: string | null;
  metadata: string | null;
  error: string | null;
}

export function toRun(r: RunRow): Run {
  const meta = parseJson(r.metadata);
  return {
    id: Number(r.id),
    task_id: r.task_id,
    profile: r.profile,
    step_key: r.step_key,
    status: r.status as RunStatus,
    claim_lock: r.claim_lock,
    claim_expires: int(r.claim_expires),
    worker_pid: int(r.worker_pid),
    max_runtime_seconds: int(r.max_runtime_seconds),
    last_heartbeat_at: int(r.last_heartbeat_at),
    started_at: Number(r.started_at),
    ended_at: int(r.ended_at),
    outcome: r.outcome as RunOutcome | null,
    summary: r.summary,
    metadata:
      meta !== null && typeof meta === "object" && !Array.isArray(meta) ? (meta as Record<string, unknown>) : null,
    error: r.error,
  };
}

export interface EventRow {
  id: number;
  task_id: string;
  run_id: number | null;
  kind: string;
  payload: string | null;
  created_at: number;
}

/** Events are stored by the kernel with contract payloads, so the row is trusted here. */
export function toEvent(r: EventRow): TaskEvent {
  return {
    id: Number(r.id),
    task_id: r.task_id,
    run_id: int(r.run_id),
    kind: r.kind,
    payload: parseJson(r.payload),
    created_at: Number(r.created_at),
  } as TaskEvent;
}

export interface CommentRow {
  id: number;
  task_id: string;
  author: string;
  body: string;
  created_at: number;
}

export function toComment(r: CommentRow): Comment {
  return { id: Number(r.id), task_id: r.task_id, author: r.author, body: r.body, created_at: Number(r.created_at) };
}

export function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** The columns a task's claim occupies, cleared together whenever it leaves a run. */
export const NO_CLAIM_SQL = "claim_lock = NULL, claim_expires = NULL, worker_pid = NULL, current_run_id = NULL";
