import {
  BaseRef,
  type CreateTaskBody,
  MaxRetries,
  ModelName,
  RepoPath,
  RequirementList,
  type Task,
  VerifyCommand,
  WORKSPACE_KINDS,
  type WorkspaceKind,
} from "@switchyard/contract";
import type { z } from "zod";
import { CoreError, notFound } from "./errors.ts";
import { appendEvent } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { assertParentsExist, unfinishedParents } from "./links.ts";
import { requireAbsolute } from "./paths.ts";
import { type TaskRow, toTask } from "./rows.ts";

/** What `createTask` accepts: the REST create body (defaults optional) plus the author. */
export type NewTask = z.input<typeof CreateTaskBody> & { created_by?: string | null };

const MAX_ID_ATTEMPTS = 5;

/** Profiles are lowercase; blank means unassigned. */
export function normalizeAssignee(raw: string | null | undefined): string | null {
  const v = raw?.trim().toLowerCase();
  return v ? v : null;
}

function normalizeText(raw: string | null | undefined): string | null {
  const v = raw?.trim();
  return v ? v : null;
}

/** Trimmed, blanks dropped, de-duplicated in order; a comma means the caller meant a list. */
export function normalizeSkills(raw: readonly string[] | null | undefined): string[] | null {
  if (raw === null || raw === undefined) return null;
  const out: string[] = [];
  for (const item of raw) {
    const s = String(item).trim();
    if (!s) continue;
    if (s.includes(",")) {
      throw new CoreError("invalid_input", `skill name '${s}' contains a comma; pass a list of names instead`);
    }
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

function normalizeWorkspace(
  kind: string | undefined,
  path: string | null | undefined,
): { kind: WorkspaceKind; path: string | null } {
  const k = (kind ?? "scratch").trim() || "scratch";
  if (!(WORKSPACE_KINDS as readonly string[]).includes(k)) {
    throw new CoreError("invalid_input", `unknown workspace kind '${k}': use scratch, worktree or dir`);
  }
  const p = normalizeText(path);
  if (k === "dir" && !p) {
    throw new CoreError("invalid_input", "workspace kind 'dir' needs an absolute workspace_path");
  }
  return { kind: k as WorkspaceKind, path: p ? requireAbsolute(p, "workspace_path") : null };
}

function normalizeMaxRuntime(raw: number | null | undefined): number | null {
  if (raw === null || raw === undefined) return null;
  if (!Number.isInteger(raw) || raw < 0) {
    throw new CoreError("invalid_input", "max_runtime_seconds must be a whole number of seconds, 0 or more");
  }
  return raw === 0 ? null : raw;
}

/** A task's `max_retries` (null: the board's failure limit), checked by the contract's one rule. */
function normalizeMaxRetries(raw: number | null | undefined): number | null {
  if (raw === null || raw === undefined) return null;
  const parsed = MaxRetries.safeParse(raw);
  if (!parsed.success) throw new CoreError("invalid_input", parsed.error.issues[0]?.message ?? "invalid max_retries");
  return parsed.data;
}

/** A task's `model_override` (null: the profile's model), checked by the contract's one rule. */
function normalizeModel(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const parsed = ModelName.safeParse(raw);
  if (!parsed.success) throw new CoreError("invalid_input", parsed.error.issues[0]?.message ?? "invalid model");
  return parsed.data;
}

/** What a task's completion must prove and where its worktree comes from (SPEC §12). */
export interface CompletionRules {
  require?: readonly string[] | null;
  verify_command?: string | null;
  repo?: string | null;
  base_ref?: string | null;
}

const RULES = {
  require: RequirementList.nullable(),
  verify_command: VerifyCommand.nullable(),
  repo: RepoPath.nullable(),
  base_ref: BaseRef.nullable(),
} as const;

/** The rules given, checked by the contract's schemas, as stored (undefined: not given). */
function normalizeRules(raw: CompletionRules): Record<keyof CompletionRules, string | null | undefined> {
  const out: Record<string, string | null | undefined> = {};
  for (const key of Object.keys(RULES) as Array<keyof CompletionRules>) {
    const value = raw[key];
    if (value === undefined) continue;
    const parsed = RULES[key].safeParse(value);
    if (!parsed.success)
      throw new CoreError("invalid_input", `${key}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    const v = parsed.data;
    out[key] = Array.isArray(v) ? (v.length > 0 ? JSON.stringify(v) : null) : (v as string | null);
  }
  return out as Record<keyof CompletionRules, string | null | undefined>;
}

/**
 * Sets what a task's completion must prove (`require`, `verify_command`) and where its worktree
 * comes from (`repo`, `base_ref`); null clears one. Appends `edited` naming the fields. A run
 * already under way keeps the requirements it was started with.
 */
export async function setCompletionRules(k: Kernel, id: string, rules: CompletionRules): Promise<Task> {
  const values = normalizeRules(rules);
  const fields = (Object.keys(values) as Array<keyof CompletionRules>).filter((f) => values[f] !== undefined);
  return k.write(async (k) => {
    await requireTask(k, id);
    if (fields.length === 0) return requireTask(k, id);
    await k.db.run(`UPDATE tasks SET ${fields.map((f) => `${f} = ?`).join(", ")} WHERE id = ?`, [
      ...fields.map((f) => values[f] ?? null),
      id,
    ]);
    await appendEvent(k, id, "edited", { fields });
    return requireTask(k, id);
  });
}

async function findByIdempotencyKey(k: Kernel, key: string): Promise<Task | null> {
  const row = await k.db.get<TaskRow>(
    `SELECT * FROM tasks WHERE idempotency_key = ? AND status != 'archived'
      ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    [key],
  );
  return row ? toTask(row) : null;
}

async function freshId(k: Kernel): Promise<string> {
  for (let i = 0; i < MAX_ID_ATTEMPTS; i++) {
    const id = k.ids.taskId();
    if (!(await k.db.get("SELECT 1 AS hit FROM tasks WHERE id = ?", [id]))) return id;
  }
  throw new CoreError("internal", "could not generate a unique task id");
}

/**
 * Creates a task (reference §2, §3.6, §3.10, §4). With an idempotency key, the newest
 * non-archived task holding it is returned unchanged; the lookup runs inside the write
 * transaction, so two racing creators get the same task.
 */
export async function createTask(k: Kernel, input: NewTask): Promise<{ task: Task; created: boolean }> {
  const title = normalizeText(input.title);
  if (!title) throw new CoreError("invalid_input", "title is required");
  const workspace = normalizeWorkspace(input.workspace_kind, input.workspace_path);
  const skills = normalizeSkills(input.skills);
  const maxRuntime = normalizeMaxRuntime(input.max_runtime_seconds);
  const maxRetries = normalizeMaxRetries(input.max_retries);
  const model = normalizeModel(input.model_override);
  const rules = normalizeRules(input);
  const priority = input.priority ?? 0;
  if (!Number.isInteger(priority)) throw new CoreError("invalid_input", "priority must be a whole number");
  const parents = [...new Set((input.parents ?? []).map((p) => p.trim()).filter(Boolean))];
  const key = normalizeText(input.idempotency_key);

  return k.write(async (k) => {
    if (key) {
      const existing = await findByIdempotencyKey(k, key);
      if (existing) return { task: existing, created: false };
    }
    await assertParentsExist(k, parents);
    const status = input.triage ? "triage" : (await unfinishedParents(k, parents)).length > 0 ? "todo" : "ready";
    const id = await freshId(k);
    const assignee = normalizeAssignee(input.assignee);
    const tenant = normalizeText(input.tenant);
    const row = await k.db.get<TaskRow>(
      `INSERT INTO tasks (id, title, body, assignee, status, priority, created_by, created_at,
                          workspace_kind, workspace_path, tenant, idempotency_key,
                          max_runtime_seconds, skills, max_retries, model_override,
                          require, verify_command, repo, base_ref)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       RETURNING *`,
      [
        id,
        title,
        input.body ?? null,
        assignee,
        status,
        priority,
        normalizeText(input.created_by) ?? "user",
        k.clock.now(),
        workspace.kind,
        workspace.path,
        tenant,
        key,
        maxRuntime,
        skills === null ? null : JSON.stringify(skills),
        maxRetries,
        model,
        rules.require ?? null,
        rules.verify_command ?? null,
        rules.repo ?? null,
        rules.base_ref ?? null,
      ],
    );
    for (const p of parents) {
      await k.db.run("INSERT INTO task_links (parent_id, child_id) VALUES (?, ?) ON CONFLICT DO NOTHING", [p, id]);
    }
    await appendEvent(k, id, "created", { assignee, status, parents, tenant, skills });
    if (!row) throw new CoreError("internal", `task ${id} could not be read back`);
    return { task: toTask(row), created: true };
  });
}

export async function getTask(k: Kernel, id: string): Promise<Task | null> {
  const row = await k.db.get<TaskRow>("SELECT * FROM tasks WHERE id = ?", [id]);
  return row ? toTask(row) : null;
}

export async function requireTask(k: Kernel, id: string): Promise<Task> {
  const task = await getTask(k, id);
  if (!task) throw notFound(id);
  return task;
}

export interface TaskFilter {
  assignee?: string | null;
  status?: Task["status"] | null;
  tenant?: string | null;
  includeArchived?: boolean;
  limit?: number;
}

/** The board's card order: priority (highest first), then age (oldest first), then insertion order. */
export const TASK_ORDER = "priority DESC, created_at ASC, rowid ASC";

/** Tasks in the board's order. Archived ones only on request. */
export async function listTasks(k: Kernel, filter: TaskFilter = {}): Promise<Task[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  if (filter.assignee) {
    where.push("lower(assignee) = ?");
    args.push(filter.assignee.trim().toLowerCase());
  }
  if (filter.status) {
    where.push("status = ?");
    args.push(filter.status);
  } else if (!filter.includeArchived) {
    where.push("status != 'archived'");
  }
  if (filter.tenant) {
    where.push("tenant = ?");
    args.push(filter.tenant);
  }
  const sql = `SELECT * FROM tasks${where.length ? ` WHERE ${where.join(" AND ")}` : ""}
               ORDER BY ${TASK_ORDER}${filter.limit ? " LIMIT ?" : ""}`;
  if (filter.limit) args.push(filter.limit);
  return (await k.db.all<TaskRow>(sql, args)).map(toTask);
}

/**
 * Sets or clears the assignee. A task that is running under a claim cannot be reassigned;
 * reclaim it first (reference §2.3).
 */
export async function assignTask(k: Kernel, id: string, profile: string | null): Promise<Task> {
  const assignee = normalizeAssignee(profile);
  return k.write(async (k) => {
    const task = await requireTask(k, id);
    if (task.status === "running" && task.claim_lock) {
      throw new CoreError(
        "task_running",
        `cannot reassign ${id}: it is currently running; reclaim it first (or pass reclaim_first)`,
        { task_id: id },
      );
    }
    await k.db.run("UPDATE tasks SET assignee = ? WHERE id = ?", [assignee, id]);
    await appendEvent(k, id, "assigned", { assignee });
    return { ...task, assignee };
  });
}

export async function setPriority(k: Kernel, id: string, priority: number): Promise<Task> {
  if (!Number.isInteger(priority)) throw new CoreError("invalid_input", "priority must be a whole number");
  return k.write(async (k) => {
    const task = await requireTask(k, id);
    await k.db.run("UPDATE tasks SET priority = ? WHERE id = ?", [priority, id]);
    await appendEvent(k, id, "reprioritized", { priority });
    return { ...task, priority };
  });
}

/**
 * Sets a task's own failure limit (`max_retries`, decision 013); null goes back to
 * `dispatch.failure_limit`. Appends `max_retries_set`.
 */
export async function setMaxRetries(k: Kernel, id: string, maxRetries: number | null): Promise<Task> {
  const value = normalizeMaxRetries(maxRetries);
  return k.write(async (k) => {
    const task = await requireTask(k, id);
    await k.db.run("UPDATE tasks SET max_retries = ? WHERE id = ?", [value, id]);
    await appendEvent(k, id, "max_retries_set", { max_retries: value });
    return { ...task, max_retries: value };
  });
}

/**
 * Sets the model a task's worker runs with (`model_override`, Hermes's column; SPEC §14); null
 * goes back to the profile's `model`. It applies from the next spawn. Appends `edited` naming the
 * field (the dashboard refetches the task).
 */
export async function setModelOverride(k: Kernel, id: string, model: string | null): Promise<Task> {
  const value = normalizeModel(model);
  return k.write(async (k) => {
    const task = await requireTask(k, id);
    await k.db.run("UPDATE tasks SET model_override = ? WHERE id = ?", [value, id]);
    await appendEvent(k, id, "edited", { fields: ["model_override"] });
    return { ...task, model_override: value };
  });
}

/** Title or body edit from the dashboard: an `edited` event with no payload (reference §11). */
export async function editTask(
  k: Kernel,
  id: string,
  changes: { title?: string; body?: string | null },
): Promise<Task> {
  const title = changes.title === undefined ? undefined : normalizeText(changes.title);
  if (title === null) throw new CoreError("invalid_input", "title cannot be empty");
  return k.write(async (k) => {
    await requireTask(k, id);
    if (title !== undefined) await k.db.run("UPDATE tasks SET title = ? WHERE id = ?", [title, id]);
    if (changes.body !== undefined) await k.db.run("UPDATE tasks SET body = ? WHERE id = ?", [changes.body, id]);
    await appendEvent(k, id, "edited", null);
    return requireTask(k, id);
  });
}
