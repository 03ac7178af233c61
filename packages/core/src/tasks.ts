import { type CreateTaskBody, type Task, WORKSPACE_KINDS, type WorkspaceKind } from "@switchyard/contract";
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

function findByIdempotencyKey(k: Kernel, key: string): Task | null {
  const row = k
    .stmt(
      `SELECT * FROM tasks WHERE idempotency_key = ? AND status != 'archived'
        ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    )
    .get(key) as TaskRow | undefined;
  return row ? toTask(row) : null;
}

function freshId(k: Kernel): string {
  const exists = k.stmt("SELECT 1 FROM tasks WHERE id = ?");
  for (let i = 0; i < MAX_ID_ATTEMPTS; i++) {
    const id = k.ids.taskId();
    if (!exists.get(id)) return id;
  }
  throw new CoreError("internal", "could not generate a unique task id");
}

/**
 * Creates a task (reference §2, §3.6, §3.10, §4). With an idempotency key, the newest
 * non-archived task holding it is returned unchanged; the lookup runs inside the write
 * transaction, so two racing creators get the same task.
 */
export function createTask(k: Kernel, input: NewTask): { task: Task; created: boolean } {
  const title = normalizeText(input.title);
  if (!title) throw new CoreError("invalid_input", "title is required");
  const workspace = normalizeWorkspace(input.workspace_kind, input.workspace_path);
  const skills = normalizeSkills(input.skills);
  const maxRuntime = normalizeMaxRuntime(input.max_runtime_seconds);
  const priority = input.priority ?? 0;
  if (!Number.isInteger(priority)) throw new CoreError("invalid_input", "priority must be a whole number");
  const parents = [...new Set((input.parents ?? []).map((p) => p.trim()).filter(Boolean))];
  const key = normalizeText(input.idempotency_key);

  return k.write(() => {
    if (key) {
      const existing = findByIdempotencyKey(k, key);
      if (existing) return { task: existing, created: false };
    }
    assertParentsExist(k, parents);
    const status = input.triage ? "triage" : unfinishedParents(k, parents).length > 0 ? "todo" : "ready";
    const id = freshId(k);
    const assignee = normalizeAssignee(input.assignee);
    const tenant = normalizeText(input.tenant);
    k.stmt(
      `INSERT INTO tasks (id, title, body, assignee, status, priority, created_by, created_at,
                          workspace_kind, workspace_path, tenant, idempotency_key,
                          max_runtime_seconds, skills)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
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
    );
    const link = k.stmt("INSERT OR IGNORE INTO task_links (parent_id, child_id) VALUES (?, ?)");
    for (const p of parents) link.run(p, id);
    appendEvent(k, id, "created", { assignee, status, parents, tenant, skills });
    return { task: requireTask(k, id), created: true };
  });
}

export function getTask(k: Kernel, id: string): Task | null {
  const row = k.stmt("SELECT * FROM tasks WHERE id = ?").get(id) as TaskRow | undefined;
  return row ? toTask(row) : null;
}

export function requireTask(k: Kernel, id: string): Task {
  const task = getTask(k, id);
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

/** Tasks by priority (highest first), then age (oldest first). Archived ones only on request. */
export function listTasks(k: Kernel, filter: TaskFilter = {}): Task[] {
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
               ORDER BY priority DESC, created_at ASC, id ASC${filter.limit ? " LIMIT ?" : ""}`;
  if (filter.limit) args.push(filter.limit);
  return (k.stmt(sql).all(...args) as TaskRow[]).map(toTask);
}

/**
 * Sets or clears the assignee. A task that is running under a claim cannot be reassigned;
 * reclaim it first (reference §2.3).
 */
export function assignTask(k: Kernel, id: string, profile: string | null): Task {
  const assignee = normalizeAssignee(profile);
  return k.write(() => {
    const task = requireTask(k, id);
    if (task.status === "running" && task.claim_lock) {
      throw new CoreError(
        "task_running",
        `cannot reassign ${id}: it is currently running; reclaim it first (or pass reclaim_first)`,
      );
    }
    k.stmt("UPDATE tasks SET assignee = ? WHERE id = ?").run(assignee, id);
    appendEvent(k, id, "assigned", { assignee });
    return requireTask(k, id);
  });
}

export function setPriority(k: Kernel, id: string, priority: number): Task {
  if (!Number.isInteger(priority)) throw new CoreError("invalid_input", "priority must be a whole number");
  return k.write(() => {
    requireTask(k, id);
    k.stmt("UPDATE tasks SET priority = ? WHERE id = ?").run(priority, id);
    appendEvent(k, id, "reprioritized", { priority });
    return requireTask(k, id);
  });
}

/** Title or body edit from the dashboard: an `edited` event with no payload (reference §11). */
export function editTask(k: Kernel, id: string, changes: { title?: string; body?: string | null }): Task {
  const title = changes.title === undefined ? undefined : normalizeText(changes.title);
  if (title === null) throw new CoreError("invalid_input", "title cannot be empty");
  return k.write(() => {
    requireTask(k, id);
    if (title !== undefined) k.stmt("UPDATE tasks SET title = ? WHERE id = ?").run(title, id);
    if (changes.body !== undefined) k.stmt("UPDATE tasks SET body = ? WHERE id = ?").run(changes.body, id);
    appendEvent(k, id, "edited", null);
    return requireTask(k, id);
  });
}
