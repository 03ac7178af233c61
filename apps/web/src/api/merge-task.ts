import { type BoardCard, type BoardResponse, satisfiesChildren, type TaskDetail } from "@switchyard/contract";
import { addSorted, type BoardViewFilter, canWait, regroup } from "./board-cards.ts";

/**
 * Folds a refetched task into the cached board: its fields, its counts, what it waits on, and
 * the progress of its parents when it crossed the done line (`progressDelta`).
 */
export function mergeTaskDetail(
  board: BoardResponse,
  detail: TaskDetail,
  view: BoardViewFilter,
  progressDelta = 0,
): BoardResponse {
  const cards = new Map<string, BoardCard>();
  for (const column of board.columns) for (const card of column.tasks) cards.set(card.id, card);
  const task = detail.task;
  const old = cards.get(task.id);
  const visible = (view.includeArchived || task.status !== "archived") && (!view.tenant || task.tenant === view.tenant);
  if (visible) {
    const children = detail.links.children;
    const known = children.map((c) => cards.get(c)).filter((c): c is BoardCard => c !== undefined);
    const done = known.length === children.length ? known.filter((c) => c.status === "done").length : null;
    const waits = canWait(task.status)
      ? detail.links.parents.filter((p) => {
          const parent = cards.get(p);
          return parent ? !satisfiesChildren(parent.status) : (old?.waiting_on?.includes(p) ?? false);
        })
      : [];
    cards.set(task.id, {
      ...task,
      link_counts: { parents: detail.links.parents.length, children: children.length },
      comment_count: detail.comments.length,
      progress:
        children.length > 0
          ? { done: done ?? Math.min(old?.progress?.done ?? 0, children.length), total: children.length }
          : null,
      ...(waits.length > 0 ? { waiting_on: waits } : {}),
      // The task dict does not carry why it is blocked; the event that blocked it told the card.
      ...(task.status === "blocked" && old?.blocked_reason ? { blocked_reason: old.blocked_reason } : {}),
    });
  } else {
    cards.delete(task.id);
  }
  if (progressDelta !== 0) {
    for (const parentId of detail.links.parents) {
      const parent = cards.get(parentId);
      if (!parent?.progress) continue;
      const done = Math.min(parent.progress.total, Math.max(0, parent.progress.done + progressDelta));
      cards.set(parentId, { ...parent, progress: { ...parent.progress, done } });
    }
  }
  const columns = regroup(board, cards.values());
  return {
    ...board,
    columns,
    assignees: addSorted(board.assignees, task.assignee),
    tenants: addSorted(board.tenants, task.tenant),
  };
}
