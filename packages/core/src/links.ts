import { CoreError } from "./errors.ts";
import { appendEvent } from "./events.ts";
import type { Kernel } from "./kernel.ts";

/**
 * Dependencies (reference §4, SPEC §3.6): an edge parent -> child means the child waits until
 * every parent is done. An archived parent counts as satisfied.
 */

const SATISFIED = "('done', 'archived')";

export function assertParentsExist(k: Kernel, ids: readonly string[]): void {
  const exists = k.stmt("SELECT 1 FROM tasks WHERE id = ?");
  const missing = ids.filter((id) => !exists.get(id));
  if (missing.length > 0) {
    throw new CoreError("invalid_input", `unknown parent task(s): ${missing.join(", ")}`);
  }
}

/** Of the given ids, those that are neither done nor archived. */
export function unfinishedParents(k: Kernel, parentIds: readonly string[]): string[] {
  const status = k.stmt("SELECT status FROM tasks WHERE id = ?");
  return parentIds.filter((id) => {
    const row = status.get(id) as { status: string } | undefined;
    return row !== undefined && row.status !== "done" && row.status !== "archived";
  });
}

/** Parents of a task that are neither done nor archived, sorted by id. */
export function waitingOn(k: Kernel, taskId: string): string[] {
  const rows = k
    .stmt(
      `SELECT p.id FROM task_links l JOIN tasks p ON p.id = l.parent_id
        WHERE l.child_id = ? AND p.status NOT IN ${SATISFIED} ORDER BY p.id`,
    )
    .all(taskId) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

export function parentIds(k: Kernel, taskId: string): string[] {
  const rows = k.stmt("SELECT parent_id FROM task_links WHERE child_id = ? ORDER BY parent_id").all(taskId) as Array<{
    parent_id: string;
  }>;
  return rows.map((r) => r.parent_id);
}

export function childIds(k: Kernel, taskId: string): string[] {
  const rows = k.stmt("SELECT child_id FROM task_links WHERE parent_id = ? ORDER BY child_id").all(taskId) as Array<{
    child_id: string;
  }>;
  return rows.map((r) => r.child_id);
}

/** True when `from` reaches `to` by following parent -> child edges. */
function reaches(k: Kernel, from: string, to: string): boolean {
  const row = k
    .stmt(
      `WITH RECURSIVE down(id) AS (
         SELECT child_id FROM task_links WHERE parent_id = ?
         UNION
         SELECT l.child_id FROM task_links l JOIN down d ON l.parent_id = d.id
       )
       SELECT 1 AS hit FROM down WHERE id = ? LIMIT 1`,
    )
    .get(from, to);
  return row !== undefined;
}

/**
 * Makes `child` depend on `parent`. Refuses self-links, unknown ids and cycles. A ready child
 * of an unfinished parent goes back to todo.
 */
export function linkTasks(k: Kernel, parent: string, child: string): void {
  if (parent === child) throw new CoreError("invalid_input", "a task cannot depend on itself");
  k.write(() => {
    const status = k.stmt("SELECT status FROM tasks WHERE id = ?");
    const p = status.get(parent) as { status: string } | undefined;
    const c = status.get(child) as { status: string } | undefined;
    const missing = [p ? null : parent, c ? null : child].filter((x): x is string => x !== null);
    if (missing.length > 0) throw new CoreError("not_found", `unknown task(s): ${missing.join(", ")}`);
    if (reaches(k, child, parent)) {
      throw new CoreError("dependency_cycle", `linking ${parent} -> ${child} would create a cycle`);
    }
    k.stmt("INSERT OR IGNORE INTO task_links (parent_id, child_id) VALUES (?, ?)").run(parent, child);
    if (p && p.status !== "done" && p.status !== "archived") {
      k.stmt("UPDATE tasks SET status = 'todo' WHERE id = ? AND status = 'ready'").run(child);
    }
    appendEvent(k, child, "linked", { parent, child });
  });
}

/** Removes an edge; the child may become ready. Returns whether an edge was removed. */
export function unlinkTasks(k: Kernel, parent: string, child: string): boolean {
  return k.write(() => {
    const removed =
      k.stmt("DELETE FROM task_links WHERE parent_id = ? AND child_id = ?").run(parent, child).changes > 0;
    if (!removed) return false;
    appendEvent(k, child, "unlinked", { parent, child });
    promoteIfSatisfied(k, [child]);
    return true;
  });
}

/** Promotes the given todo tasks whose parents are all satisfied. Returns the promoted ids. */
function promoteIfSatisfied(k: Kernel, ids: readonly string[]): string[] {
  const promote = k.stmt(
    `UPDATE tasks SET status = 'ready'
      WHERE id = ? AND status = 'todo'
        AND NOT EXISTS (SELECT 1 FROM task_links l JOIN tasks p ON p.id = l.parent_id
                         WHERE l.child_id = tasks.id AND p.status NOT IN ${SATISFIED})`,
  );
  const promoted: string[] = [];
  for (const id of ids) {
    if (promote.run(id).changes > 0) {
      appendEvent(k, id, "promoted", null);
      promoted.push(id);
    }
  }
  return promoted;
}

/** After a task became done or archived: its todo children whose parents are all satisfied become ready. */
export function promoteChildrenOf(k: Kernel, taskId: string): string[] {
  return k.write(() => promoteIfSatisfied(k, childIds(k, taskId)));
}

/** After a task left done or archived: its ready children wait again (todo). */
export function demoteChildrenOf(k: Kernel, taskId: string): string[] {
  return k.write(() => {
    const demote = k.stmt("UPDATE tasks SET status = 'todo' WHERE id = ? AND status = 'ready'");
    const demoted = childIds(k, taskId).filter((id) => demote.run(id).changes > 0);
    for (const id of demoted) appendEvent(k, id, "status", { status: "todo" });
    return demoted;
  });
}

/**
 * The full pass (reference `recompute_ready`): every todo task whose parents are all
 * satisfied becomes ready, in one statement. Triage is never promoted. Returns the count.
 * Changes themselves promote only the affected children; this pass runs once per dispatcher tick.
 */
export function recomputeReady(k: Kernel): number {
  return k.write(() => {
    const rows = k
      .stmt(
        `UPDATE tasks SET status = 'ready'
          WHERE status = 'todo'
            AND NOT EXISTS (SELECT 1 FROM task_links l JOIN tasks p ON p.id = l.parent_id
                             WHERE l.child_id = tasks.id AND p.status NOT IN ${SATISFIED})
          RETURNING id`,
      )
      .all() as Array<{ id: string }>;
    for (const r of rows) appendEvent(k, r.id, "promoted", null);
    return rows.length;
  });
}

/**
 * Where a task goes when it leaves running without finishing (a reclaim, a stale claim, a
 * failure below the limit): ready, or todo while a parent is unfinished (one linked while it
 * ran), so it is not claimed again before its parents are done (SPEC §3.6). It is promoted as
 * usual once they are.
 */
export function requeueStatus(k: Kernel, taskId: string): "ready" | "todo" {
  return waitingOn(k, taskId).length > 0 ? "todo" : "ready";
}

/** Refuses a move to ready while a parent is unfinished, naming the parents (SPEC §3.6). */
export function assertParentsSatisfied(k: Kernel, taskId: string): void {
  const waiting = waitingOn(k, taskId);
  if (waiting.length > 0) {
    throw new CoreError(
      "parents_unfinished",
      `cannot move ${taskId} to ready: waiting on unfinished parent(s) ${waiting.join(", ")}`,
      { parents: waiting, task_id: taskId },
    );
  }
}
