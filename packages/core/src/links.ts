import { SATISFYING_STATUSES, satisfiesChildren, type TaskStatus } from "@switchyard/contract";
import { CoreError } from "./errors.ts";
import { appendEvent } from "./events.ts";
import type { Kernel } from "./kernel.ts";

/**
 * Dependencies (reference §4, SPEC §3.6): an edge parent -> child means the child waits until
 * every parent is satisfied (`satisfiesChildren` of the contract: done or archived).
 */

/** The satisfying statuses as an SQL list, from the contract's one definition. */
const SATISFIED = `(${SATISFYING_STATUSES.map((s) => `'${s}'`).join(", ")})`;

/** A child has an unfinished parent (SQL, correlated on `tasks.id`). */
const HAS_UNFINISHED_PARENT = `EXISTS (SELECT 1 FROM task_links l JOIN tasks p ON p.id = l.parent_id
                                        WHERE l.child_id = tasks.id AND p.status NOT IN ${SATISFIED})`;

/**
 * A todo task the kernel may promote once nothing holds it back: one waiting on its parents,
 * not one a person parked there (SPEC §3.13, decision 015; the transition table's `not_parked`).
 */
const PROMOTABLE = `status = 'todo' AND parked = 0 AND NOT ${HAS_UNFINISHED_PARENT}`;

export async function assertParentsExist(k: Kernel, ids: readonly string[]): Promise<void> {
  const missing: string[] = [];
  for (const id of ids) if (!(await k.db.get("SELECT 1 AS hit FROM tasks WHERE id = ?", [id]))) missing.push(id);
  if (missing.length > 0) {
    throw new CoreError("invalid_input", `unknown parent task(s): ${missing.join(", ")}`);
  }
}

/** Of the given ids, those that exist and are not satisfied. */
export async function unfinishedParents(k: Kernel, parentIds: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const id of parentIds) {
    const row = await k.db.get<{ status: string }>("SELECT status FROM tasks WHERE id = ?", [id]);
    if (row !== undefined && !satisfiesChildren(row.status)) out.push(id);
  }
  return out;
}

/** Parents of a task that are not satisfied, sorted by id. */
export async function waitingOn(k: Kernel, taskId: string): Promise<string[]> {
  const rows = await k.db.all<{ id: string }>(
    `SELECT p.id FROM task_links l JOIN tasks p ON p.id = l.parent_id
      WHERE l.child_id = ? AND p.status NOT IN ${SATISFIED} ORDER BY p.id`,
    [taskId],
  );
  return rows.map((r) => r.id);
}

/** Every waiting task's unfinished parents, keyed by child (the board's `waiting_on`). */
export async function waitingOnByTask(k: Kernel): Promise<Map<string, string[]>> {
  const waiting = new Map<string, string[]>();
  const rows = await k.db.all<{ child: string; parent: string }>(
    `SELECT l.child_id AS child, p.id AS parent FROM task_links l
       JOIN tasks c ON c.id = l.child_id JOIN tasks p ON p.id = l.parent_id
      WHERE c.status IN ('todo', 'ready', 'triage') AND p.status NOT IN ${SATISFIED}
      ORDER BY p.id`,
  );
  for (const r of rows) {
    const list = waiting.get(r.child) ?? [];
    list.push(r.parent);
    waiting.set(r.child, list);
  }
  return waiting;
}

export async function parentIds(k: Kernel, taskId: string): Promise<string[]> {
  const rows = await k.db.all<{ parent_id: string }>(
    "SELECT parent_id FROM task_links WHERE child_id = ? ORDER BY parent_id",
    [taskId],
  );
  return rows.map((r) => r.parent_id);
}

export async function childIds(k: Kernel, taskId: string): Promise<string[]> {
  const rows = await k.db.all<{ child_id: string }>(
    "SELECT child_id FROM task_links WHERE parent_id = ? ORDER BY child_id",
    [taskId],
  );
  return rows.map((r) => r.child_id);
}

/** True when `from` reaches `to` by following parent -> child edges. */
async function reaches(k: Kernel, from: string, to: string): Promise<boolean> {
  const row = await k.db.get(
    `WITH RECURSIVE down(id) AS (
       SELECT child_id FROM task_links WHERE parent_id = ?
       UNION
       SELECT l.child_id FROM task_links l JOIN down d ON l.parent_id = d.id
     )
     SELECT 1 AS hit FROM down WHERE id = ? LIMIT 1`,
    [from, to],
  );
  return row !== undefined;
}

async function statusOf(k: Kernel, id: string): Promise<TaskStatus | undefined> {
  return (await k.db.get<{ status: TaskStatus }>("SELECT status FROM tasks WHERE id = ?", [id]))?.status;
}

/**
 * Makes `child` depend on `parent`. Refuses self-links, unknown ids and cycles. A ready child
 * of an unfinished parent goes back to todo (the `linked` event says where it is).
 */
export async function linkTasks(k: Kernel, parent: string, child: string): Promise<void> {
  if (parent === child) throw new CoreError("invalid_input", "a task cannot depend on itself");
  await k.write(async (k) => {
    const p = await statusOf(k, parent);
    const c = await statusOf(k, child);
    const missing = [p ? null : parent, c ? null : child].filter((x): x is string => x !== null);
    if (missing.length > 0) throw new CoreError("not_found", `unknown task(s): ${missing.join(", ")}`);
    if (await reaches(k, child, parent)) {
      throw new CoreError("dependency_cycle", `linking ${parent} -> ${child} would create a cycle`);
    }
    await k.db.run("INSERT INTO task_links (parent_id, child_id) VALUES (?, ?) ON CONFLICT DO NOTHING", [
      parent,
      child,
    ]);
    let childStatus = c as TaskStatus;
    if (p && !satisfiesChildren(p) && childStatus === "ready") {
      await k.db.run("UPDATE tasks SET status = 'todo', parked = 0 WHERE id = ? AND status = 'ready'", [child]);
      childStatus = "todo";
    }
    await appendEvent(k, child, "linked", { parent, child, child_status: childStatus });
  });
}

/** Removes an edge; the child may become ready. Returns whether an edge was removed. */
export async function unlinkTasks(k: Kernel, parent: string, child: string): Promise<boolean> {
  return k.write(async (k) => {
    const removed =
      (await k.db.run("DELETE FROM task_links WHERE parent_id = ? AND child_id = ?", [parent, child])) > 0;
    if (!removed) return false;
    const promoted = await promoteIfSatisfied(k, [child], false);
    const childStatus = promoted.length > 0 ? "ready" : await statusOf(k, child);
    await appendEvent(k, child, "unlinked", { parent, child, ...(childStatus ? { child_status: childStatus } : {}) });
    for (const id of promoted) await appendEvent(k, id, "promoted", null);
    return true;
  });
}

/**
 * Promotes the given todo tasks whose parents are all satisfied, unless a person parked them;
 * returns the promoted ids and, unless told otherwise, appends their `promoted` events. Call
 * inside a write.
 */
async function promoteIfSatisfied(k: Kernel, ids: readonly string[], events = true): Promise<string[]> {
  const promoted: string[] = [];
  for (const id of ids) {
    const changes = await k.db.run(`UPDATE tasks SET status = 'ready' WHERE id = ? AND ${PROMOTABLE}`, [id]);
    if (changes > 0) {
      if (events) await appendEvent(k, id, "promoted", null);
      promoted.push(id);
    }
  }
  return promoted;
}

/**
 * After a task became satisfying: its todo children whose parents are all satisfied become
 * ready, except those a person parked. Call inside a write.
 */
export async function promoteChildrenOf(k: Kernel, taskId: string): Promise<string[]> {
  return promoteIfSatisfied(k, await childIds(k, taskId));
}

/** After a task stopped being satisfying: its ready children wait again (todo). Call inside a write. */
export async function demoteChildrenOf(k: Kernel, taskId: string): Promise<string[]> {
  const demoted: string[] = [];
  for (const id of await childIds(k, taskId)) {
    if ((await k.db.run("UPDATE tasks SET status = 'todo', parked = 0 WHERE id = ? AND status = 'ready'", [id])) > 0) {
      demoted.push(id);
      await appendEvent(k, id, "status", { status: "todo" });
    }
  }
  return demoted;
}

/**
 * The full pass (reference `recompute_ready`, with SPEC §3.13): every todo task that waits on
 * parents, all of them now satisfied, becomes ready, in one statement. A task with no parents
 * waits on nothing, so it is not promoted (the reference promotes it vacuously), and neither is
 * one a person parked; triage never is. Returns the count. Changes themselves promote the
 * affected children, so this pass only catches up with writes that did not (another program on
 * the file); it runs once per dispatcher tick. A read-only board is left as it is (0): reading it
 * must not need a write (decision 014).
 */
export async function recomputeReady(k: Kernel): Promise<number> {
  if (k.readOnly) return 0;
  return k.write(async (k) => {
    const rows = await k.db.all<{ id: string }>(
      `UPDATE tasks SET status = 'ready'
        WHERE ${PROMOTABLE} AND EXISTS (SELECT 1 FROM task_links l WHERE l.child_id = tasks.id)
        RETURNING id`,
    );
    for (const r of rows) await appendEvent(k, r.id, "promoted", null);
    return rows.length;
  });
}

/**
 * Where a task goes when it leaves running without finishing (a reclaim, a stale claim, a
 * failure below the limit): the contract's `requeue` row whose guard holds — ready, or todo
 * while a parent is unfinished (one linked while it ran), so it is not claimed again before its
 * parents are done (SPEC §3.6). It is promoted as usual once they are.
 */
export async function requeueStatus(k: Kernel, taskId: string): Promise<"ready" | "todo"> {
  return (await waitingOn(k, taskId)).length > 0 ? "todo" : "ready";
}

/** Refuses a move to ready while a parent is unfinished, naming the parents (SPEC §3.6). */
export async function assertParentsSatisfied(k: Kernel, taskId: string): Promise<void> {
  const waiting = await waitingOn(k, taskId);
  if (waiting.length > 0) {
    throw new CoreError(
      "parents_unfinished",
      `cannot move ${taskId} to ready: waiting on unfinished parent(s) ${waiting.join(", ")}`,
      { parents: waiting, task_id: taskId },
    );
  }
}
