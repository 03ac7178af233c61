import {
  type Comment,
  JSON_LIMITS,
  jsonBoundsProblem,
  REQUIREMENTS,
  type Requirement,
  type Run,
  type RunOutcome,
  type RunStatus,
  TASK_STATUSES,
  type Task,
  type TaskEvent,
  type WorkspaceKind,
} from "@switchyard/contract";
import { CoreError } from "./errors.ts";

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
  max_retries: number | null;
  retry_after: number | null;
  parked: number | null;
  model_override: string | null;
  require: string | null;
  verify_command: string | null;
  repo: string | null;
  base_ref: string | null;
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
  "max_retries",
  "retry_after",
  "parked",
  "model_override",
  "require",
  "verify_command",
  "repo",
  "base_ref",
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
    max_retries: v[26] as number | null,
    retry_after: v[27] as number | null,
    parked: v[28] as number | null,
    model_override: v[29] as string | null,
    require: v[30] as string | null,
    verify_command: v[31] as string | null,
    repo: v[32] as string | null,
    base_ref: v[33] as string | null,
  };
}

/**
 * A stored JSON column, parsed. A value nested deeper than the contract allows (written before
 * the limit existed, or by another tool) is not returned, because every reader would overflow
 * the stack serialising it; `unreadable` then says why, as it does for text that is not JSON.
 */
function readJson(text: string | null): { value: unknown; unreadable: string | null } {
  if (text === null || text === undefined || text === "") return { value: null, unreadable: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { value: null, unreadable: "it is not valid JSON" };
  }
  const problem = jsonBoundsProblem(value, { depth: JSON_LIMITS.depth });
  return problem ? { value: null, unreadable: `it is ${problem}` } : { value, unreadable: null };
}

/** A stored JSON column, or null when it is missing or unreadable. */
function parseJson(text: string | null): unknown {
  return readJson(text).value;
}

function parseSkills(text: string | null): string[] | null {
  const v = parseJson(text);
  return Array.isArray(v) ? v.map(String) : null;
}

/** A stored requirement list; names this version does not know are dropped. */
export function parseRequirements(text: string | null): Requirement[] | null {
  const v = parseJson(text);
  return Array.isArray(v) ? REQUIREMENTS.filter((r) => v.includes(r)) : null;
}

export function int(v: number | bigint | null | undefined): number | null {
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
    max_retries: int(r.max_retries),
    retry_after: int(r.retry_after),
    // Only a todo task is parked: a flag left on a task another program moved on means nothing.
    parked: r.status === "todo" && Number(r.parked) === 1,
    model_override: r.model_override ?? null,
    require: parseRequirements(r.require ?? null),
    verify_command: r.verify_command ?? null,
    repo: r.repo ?? null,
    base_ref: r.base_ref ?? null,
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

/**
 * Run metadata that cannot be shown (too deep, or not JSON) is replaced by a note saying so, so
 * that the run, the task and the worker context still read.
 */
export const UNREADABLE_METADATA_KEY = "_switchyard_unreadable";

function runMetadata(text: string | null): Record<string, unknown> | null {
  const { value, unreadable } = readJson(text);
  if (unreadable) return { [UNREADABLE_METADATA_KEY]: `the stored metadata is not shown: ${unreadable}` };
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

export function toRun(r: RunRow): Run {
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
    metadata: runMetadata(r.metadata),
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

/**
 * Refuses (`invalid_input`) a free-form JSON value outside the contract's `JSON_LIMITS`, naming
 * the field: the kernel's own check for input that did not come through a contract schema.
 */
export function assertJsonBounds(field: string, value: unknown): void {
  if (value === null || value === undefined) return;
  const problem = jsonBoundsProblem(value);
  if (problem) throw new CoreError("invalid_input", `${field}: ${problem}`);
}

/** A kernel-built JSON column (an event's payload) as stored. */
export function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** A free-form JSON column (a run's metadata) as stored: checked against `JSON_LIMITS` before it is serialised. */
export function boundedJsonOrNull(field: string, value: unknown): string | null {
  assertJsonBounds(field, value);
  return jsonOrNull(value);
}

/** The columns a task's claim occupies, cleared together whenever it leaves a run. */
export const NO_CLAIM_SQL = "claim_lock = NULL, claim_expires = NULL, worker_pid = NULL, current_run_id = NULL";
