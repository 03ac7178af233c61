import { type BoardCard, type BoardColumn, COLUMN_ORDER, type TaskDict, type TaskStatus } from "@switchyard/contract";
import { latestEventId } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { TASK_COLUMNS, taskRowOf, toTask } from "./rows.ts";
import { boardFacets, taskAge } from "./stats.ts";
import { getTask } from "./tasks.ts";
import { boardWarnings, taskWarnings } from "./warnings.ts";

export interface BoardViewOptions {
  tenant?: string | null;
  includeArchived?: boolean;
}

export interface BoardView {
  columns: BoardColumn[];
  tenants: string[];
  assignees: string[];
  latest_event_id: number;
  now: number;
}

function countBy(k: Kernel, sql: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of k.stmt(sql).all() as Array<{ id: string; n: number }>) out.set(r.id, Number(r.n));
  return out;
}

/**
 * Everything `GET /board` shows (reference §11): the columns in order, each card with its age,
 * active warnings, link and comment counts, child progress and (Switchyard) the unfinished
 * parents it waits on. A fixed number of set-based queries, whatever the board's size.
 */
export function boardView(k: Kernel, options: BoardViewOptions = {}): BoardView {
  const now = k.clock.now();
  const where: string[] = [];
  const args: unknown[] = [];
  if (!options.includeArchived) where.push("status != 'archived'");
  if (options.tenant) {
    where.push("tenant = ?");
    args.push(options.tenant);
  }
  const parents = countBy(k, "SELECT child_id AS id, COUNT(*) AS n FROM task_links GROUP BY child_id");
  const children = countBy(k, "SELECT parent_id AS id, COUNT(*) AS n FROM task_links GROUP BY parent_id");
  const comments = countBy(k, "SELECT task_id AS id, COUNT(*) AS n FROM task_comments GROUP BY task_id");
  const childrenDone = countBy(
    k,
    `SELECT l.parent_id AS id, COUNT(*) AS n FROM task_links l JOIN tasks c ON c.id = l.child_id
      WHERE c.status = 'done' GROUP BY l.parent_id`,
  );
  const waiting = new Map<string, string[]>();
  for (const r of k
    .stmt(
      `SELECT l.child_id AS child, p.id AS parent FROM task_links l
         JOIN tasks c ON c.id = l.child_id JOIN tasks p ON p.id = l.parent_id
        WHERE c.status IN ('todo', 'ready', 'triage') AND p.status NOT IN ('done', 'archived')
        ORDER BY p.id`,
    )
    .all() as Array<{ child: string; parent: string }>) {
    const list = waiting.get(r.child) ?? [];
    list.push(r.parent);
    waiting.set(r.child, list);
  }
  const warnings = boardWarnings(k);

  const columns = new Map<TaskStatus, BoardCard[]>();
  for (const status of COLUMN_ORDER) {
    if (status !== "archived" || options.includeArchived) columns.set(status, []);
  }
  // The rows are streamed as arrays, and each task object becomes its card in place (same keys,
  // same order as a copy would have): at 100k tasks, holding every row object and then copying
  // each into a card took about three times as long, most of it in the garbage collector.
  const rows = k
    .stmt(
      `SELECT ${TASK_COLUMNS.join(", ")} FROM tasks${where.length ? ` WHERE ${where.join(" AND ")}` : ""}
        ORDER BY priority DESC, created_at ASC, id ASC`,
    )
    .raw(true)
    .iterate(...args) as IterableIterator<unknown[]>;
  for (const values of rows) {
    const card = toTask(taskRowOf(values)) as BoardCard;
    const total = children.get(card.id) ?? 0;
    const w = warnings.get(card.id);
    const waits = waiting.get(card.id);
    card.age = taskAge(card, now);
    if (w) card.warnings = w;
    card.link_counts = { parents: parents.get(card.id) ?? 0, children: total };
    card.comment_count = comments.get(card.id) ?? 0;
    card.progress = total > 0 ? { done: childrenDone.get(card.id) ?? 0, total } : null;
    if (waits) card.waiting_on = waits;
    (columns.get(card.status) ?? columns.get("todo"))?.push(card);
  }
  return {
    columns: [...columns].map(([name, tasks]) => ({ name, tasks })),
    ...boardFacets(k),
    latest_event_id: latestEventId(k),
    now,
  };
}

/** The task dict of `GET /tasks/:id` and friends: the row plus age and active warnings. */
export function taskDict(k: Kernel, id: string): TaskDict | null {
  const task = getTask(k, id);
  if (!task) return null;
  const w = taskWarnings(k, id);
  return { ...task, age: taskAge(task, k.clock.now()), ...(w ? { warnings: w } : {}) };
}
