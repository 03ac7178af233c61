import type { BlockedReason, BoardCard, BoardColumn, TaskDict, TaskStatus } from "@switchyard/contract";
import { COLUMN_ORDER } from "@switchyard/contract";
import { latestEventId } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { waitingOnByTask } from "./links.ts";
import { type EventRow, TASK_COLUMNS, taskRowOf, toEvent, toTask } from "./rows.ts";
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

/**
 * Why each blocked task is blocked: the latest `blocked` or `gave_up` event of every blocked
 * task (one query over `idx_events_kind_task`, whatever the board's size).
 */
async function blockedReasons(k: Kernel): Promise<Map<string, BlockedReason>> {
  const out = new Map<string, BlockedReason>();
  const rows = await k.db.all<EventRow>(
    `SELECT e.* FROM task_events e
      WHERE e.id IN (SELECT MAX(x.id) FROM task_events x JOIN tasks t ON t.id = x.task_id
                      WHERE t.status = 'blocked' AND x.kind IN ('blocked', 'gave_up') GROUP BY x.task_id)`,
  );
  for (const event of rows.map(toEvent)) {
    if (event.kind === "gave_up") {
      // Stored payloads are not re-validated: an old or foreign row may lack a key.
      const { failures, error } = event.payload ?? {};
      out.set(event.task_id, { kind: "gave_up", failures: Number(failures ?? 0), error: error ?? null });
    } else if (event.kind === "blocked") {
      out.set(event.task_id, {
        kind: "blocked",
        reason: event.payload?.reason ?? null,
        by: event.payload?.author ?? null,
      });
    }
  }
  return out;
}

async function countBy(k: Kernel, sql: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const r of await k.db.all<{ id: string; n: number }>(sql)) out.set(r.id, Number(r.n));
  return out;
}

/** What a card shows besides its task row: the board-wide facts, read once per view. */
interface CardFacts {
  parents: Map<string, number>;
  children: Map<string, number>;
  comments: Map<string, number>;
  childrenDone: Map<string, number>;
  waiting: Map<string, string[]>;
  warnings: Awaited<ReturnType<typeof boardWarnings>>;
  blocked: Map<string, BlockedReason>;
}

async function cardFacts(k: Kernel): Promise<CardFacts> {
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
  const blocked = await blockedReasons(k);
  return { parents, children, comments, childrenDone, waiting, warnings, blocked };
}

/** The keys a card has after its `age`, in their order. */
function cardExtras(card: BoardCard, facts: CardFacts): Partial<BoardCard> {
  const total = facts.children.get(card.id) ?? 0;
  const w = facts.warnings.get(card.id);
  const waits = facts.waiting.get(card.id);
  const extras: Partial<BoardCard> = {};
  if (w) extras.warnings = w;
  extras.link_counts = { parents: facts.parents.get(card.id) ?? 0, children: total };
  extras.comment_count = facts.comments.get(card.id) ?? 0;
  extras.progress = total > 0 ? { done: facts.childrenDone.get(card.id) ?? 0, total } : null;
  if (waits) extras.waiting_on = waits;
  const why = card.status === "blocked" ? facts.blocked.get(card.id) : undefined;
  if (why) extras.blocked_reason = why;
  return extras;
}

/** A task row read as `TASK_COLUMNS` then `rowid`, as the task part of its card (up to `seq`). */
function cardTaskOf(values: readonly unknown[]): BoardCard {
  const card = toTask(taskRowOf(values)) as BoardCard;
  card.seq = Number(values[TASK_COLUMNS.length]);
  return card;
}

/** The board's task rows in the board's order, streamed as arrays (`TASK_COLUMNS`, then `rowid`). */
function eachTaskRow(k: Kernel, options: BoardViewOptions, each: (values: unknown[]) => void): Promise<void> {
  const where: string[] = [];
  const args: unknown[] = [];
  if (!options.includeArchived) where.push("status != 'archived'");
  if (options.tenant) {
    where.push("tenant = ?");
    args.push(options.tenant);
  }
  return k.db.each(
    `SELECT ${TASK_COLUMNS.join(", ")}, rowid FROM tasks${where.length ? ` WHERE ${where.join(" AND ")}` : ""}
      ORDER BY ${TASK_ORDER}`,
    args,
    each,
  );
}

/** The board's columns in order, empty (archived only when asked for). */
function emptyColumns<T>(options: BoardViewOptions): Map<TaskStatus, T[]> {
  const columns = new Map<TaskStatus, T[]>();
  for (const status of COLUMN_ORDER) {
    if (status !== "archived" || options.includeArchived) columns.set(status, []);
  }
  return columns;
}

/**
 * Everything `GET /board` shows (reference §11): the columns in order, each card with its age,
 * active warnings, link and comment counts, child progress and (Switchyard) the unfinished
 * parents it waits on and, when blocked, why. A fixed number of set-based queries, whatever the board's size.
 */
export async function boardView(k: Kernel, options: BoardViewOptions = {}): Promise<BoardView> {
  const now = k.clock.now();
  // The cursor first: the rows read after it reflect at least the events up to it, so a client
  // that replays from it misses nothing (a commit in between is replayed, and replay is harmless).
  const latest = await latestEventId(k);
  const facts = await cardFacts(k);
  const columns = emptyColumns<BoardCard>(options);
  // The rows are streamed as arrays, and each task object becomes its card in place (same keys,
  // same order as a copy would have): at 100k tasks, holding every row object and then copying
  // each into a card took about three times as long, most of it in the garbage collector.
  await eachTaskRow(k, options, (values) => {
    const card = cardTaskOf(values);
    card.age = taskAge(card, now);
    Object.assign(card, cardExtras(card, facts));
    (columns.get(card.status) ?? columns.get("todo"))?.push(card);
  });
  return {
    columns: [...columns].map(([name, tasks]) => ({ name, tasks })),
    ...(await boardFacets(k)),
    latest_event_id: latest,
    now,
  };
}

/**
 * A card as JSON text, split around the two numbers of its `age` that move with the clock
 * (`created_age_seconds`, `started_age_seconds`): everything else a card shows changes only
 * with a commit, so a view kept by the server serves it at any later time (`cardJson`).
 */
export interface CardText {
  /** The card's JSON up to the value of `age.created_age_seconds`. */
  head: string;
  /** The card's JSON after the value of `age.started_age_seconds`. */
  tail: string;
  created_at: number;
  started_at: number | null;
}

/** `boardView` as text to be completed at the time of a request (`cardJson`); `now` is not in it. */
export interface BoardText {
  columns: Array<{ name: TaskStatus; cards: CardText[] }>;
  tenants: string[];
  assignees: string[];
  latest_event_id: number;
}

/** The same board as `boardView` at the same time, with every card as `CardText`. */
export async function boardText(k: Kernel, options: BoardViewOptions = {}): Promise<BoardText> {
  const latest = await latestEventId(k);
  const facts = await cardFacts(k);
  const columns = emptyColumns<CardText>(options);
  await eachTaskRow(k, options, (values) => {
    const card = cardTaskOf(values);
    const ttc =
      card.completed_at !== null ? Math.max(0, card.completed_at - (card.started_at ?? card.created_at)) : null;
    (columns.get(card.status) ?? columns.get("todo"))?.push({
      head: `${JSON.stringify(card).slice(0, -1)},"age":{"created_age_seconds":`,
      tail: `,"time_to_complete_seconds":${ttc}},${JSON.stringify(cardExtras(card, facts)).slice(1)}`,
      created_at: card.created_at,
      started_at: card.started_at,
    });
  });
  return {
    columns: [...columns].map(([name, cards]) => ({ name, cards })),
    ...(await boardFacets(k)),
    latest_event_id: latest,
  };
}

/** A card's JSON at `now`: exactly `JSON.stringify` of the card `boardView` gives at that time. */
export function cardJson(card: CardText, now: number): string {
  const started = card.started_at === null ? "null" : `${Math.max(0, now - card.started_at)}`;
  return `${card.head}${Math.max(0, now - card.created_at)},"started_age_seconds":${started}${card.tail}`;
}

/**
 * The profiles that have run work on this board (every run records its assignee), sorted: with
 * the spawnable ones taken out, the board's pull lanes, assignees that take work with `claim`.
 * A loose index scan over `idx_runs_profile`: one index probe per name, not one row per run.
 */
export async function runProfiles(k: Kernel): Promise<string[]> {
  const rows = await k.db.all<{ name: string | null }>(
    `WITH RECURSIVE p(name) AS (
       SELECT MIN(profile) FROM task_runs
       UNION ALL
       SELECT (SELECT MIN(profile) FROM task_runs WHERE profile > p.name) FROM p WHERE p.name IS NOT NULL
     )
     SELECT name FROM p WHERE name IS NOT NULL`,
  );
  return rows.map((r) => r.name as string);
}

/** The task dict of `GET /tasks/:id` and friends: the row plus age, active warnings and its insertion sequence. */
export async function taskDict(k: Kernel, id: string): Promise<TaskDict | null> {
  const task = await getTask(k, id);
  if (!task) return null;
  const w = await taskWarnings(k, id);
  const row = await k.db.get<{ seq: number }>("SELECT rowid AS seq FROM tasks WHERE id = ?", [id]);
  return { ...task, age: taskAge(task, k.clock.now()), ...(w ? { warnings: w } : {}), seq: Number(row?.seq) };
}
