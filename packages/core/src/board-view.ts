import type { BoardCard, BoardColumn, TaskDict, TaskStatus } from "@switchyard/contract";
import { COLUMN_ORDER } from "@switchyard/contract";
import { latestEventId } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { waitingOnByTask } from "./links.ts";
import { TASK_COLUMNS, taskRowOf, toTask } from "./rows.ts";
import { boardFacets, taskAge } from "./stats.ts";
import { getTask, TASK_ORDER } from "./tasks.ts";
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

async function countBy(k: Kernel, sql: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const r of await k.db.all<{ id: string; n: number }>(sql)) out.set(r.id, Number(r.n));
  return out;
}

/**
 * Everything `GET /board` shows (reference §11): the columns in order, each card with its age,
 * active warnings, link and comment counts, child progress and (Switchyard) the unfinished
 * parents it waits on. A fixed number of set-based queries, whatever the board's size.
 */
export async function boardView(k: Kernel, options: BoardViewOptions = {}): Promise<BoardView> {
  const now = k.clock.now();
  // The cursor first: the rows read after it reflect at least the events up to it, so a client
  // that replays from it misses nothing (a commit in between is replayed, and replay is harmless).
  const latest = await latestEventId(k);
  const where: string[] = [];
  const args: unknown[] = [];
  if (!options.includeArchived) where.push("status != 'archived'");
  if (options.tenant) {
    where.push("tenant = ?");
    args.push(options.tenant);
  }
  const parents = await countBy(k, "SELECT child_id AS id, COUNT(*) AS n FROM task_links GROUP BY child_id");
  const children = await countBy(k, "SELECT parent_id AS id, COUNT(*) AS n FROM task_links GROUP BY parent_id");
  const comments = await countBy(k, "SELECT task_id AS id, COUNT(*) AS n FROM task_comments GROUP BY task_id");
  const childrenDone = await countBy(
    k,
    `SELECT l.parent_id AS id, COUNT(*) AS n FROM task_links l JOIN tasks c ON c.id = l.child_id
      WHERE c.status = 'done' GROUP BY l.parent_id`,
  );
  const waiting = await waitingOnByTask(k);
  const warnings = await boardWarnings(k);

  const columns = new Map<TaskStatus, BoardCard[]>();
  for (const status of COLUMN_ORDER) {
    if (status !== "archived" || options.includeArchived) columns.set(status, []);
  }
  // The rows are streamed as arrays, and each task object becomes its card in place (same keys,
  // same order as a copy would have): at 100k tasks, holding every row object and then copying
  // each into a card took about three times as long, most of it in the garbage collector.
  await k.db.each(
    `SELECT ${TASK_COLUMNS.join(", ")}, rowid FROM tasks${where.length ? ` WHERE ${where.join(" AND ")}` : ""}
      ORDER BY ${TASK_ORDER}`,
    args,
    (values) => {
      const card = toTask(taskRowOf(values)) as BoardCard;
      card.seq = Number(values[TASK_COLUMNS.length]);
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
    },
  );
  return {
    columns: [...columns].map(([name, tasks]) => ({ name, tasks })),
    ...(await boardFacets(k)),
    latest_event_id: latest,
    now,
  };
}

/** The task dict of `GET /tasks/:id` and friends: the row plus age, active warnings and its insertion sequence. */
export async function taskDict(k: Kernel, id: string): Promise<TaskDict | null> {
  const task = await getTask(k, id);
  if (!task) return null;
  const w = await taskWarnings(k, id);
  const row = await k.db.get<{ seq: number }>("SELECT rowid AS seq FROM tasks WHERE id = ?", [id]);
  return { ...task, age: taskAge(task, k.clock.now()), ...(w ? { warnings: w } : {}), seq: Number(row?.seq) };
}
