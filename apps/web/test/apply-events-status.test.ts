import {
  type BoardCard,
  type BoardResponse,
  COLUMN_ORDER,
  type EventKind,
  type EventPayload,
  type TaskEvent,
  type TaskStatus,
} from "@switchyard/contract";
import { describe, expect, it } from "vitest";
import { applyEvents } from "../src/api/apply-events.ts";

/*
 * Events that say where the kernel left a task (`status` on reclaims and failed runs,
 * `child_status` on links), applied to boards built by hand: the patcher shows what the kernel
 * did, and guesses as before only for events written without the field (older boards, Hermes).
 */

const VIEW = { includeArchived: false };
const AT = 1_700_000_000;
/** Insertion sequences, in the order the cards are built. */
let inserted = 0;

function card(id: string, status: TaskStatus, fields: Partial<BoardCard> = {}): BoardCard {
  return {
    id,
    title: id,
    body: null,
    assignee: "alice",
    status,
    priority: 0,
    created_by: null,
    created_at: AT,
    started_at: null,
    completed_at: null,
    workspace_kind: "scratch",
    workspace_path: null,
    claim_lock: null,
    claim_expires: null,
    tenant: null,
    result: null,
    idempotency_key: null,
    spawn_failures: 0,
    worker_pid: null,
    last_spawn_error: null,
    max_runtime_seconds: null,
    last_heartbeat_at: null,
    current_run_id: null,
    workflow_template_id: null,
    current_step_key: null,
    skills: null,
    max_retries: null,
    retry_after: null,
    parked: false,
    seq: ++inserted,
    age: { created_age_seconds: 0, started_age_seconds: null, time_to_complete_seconds: null },
    link_counts: { parents: 0, children: 0 },
    comment_count: 0,
    progress: null,
    ...fields,
  };
}

function board(...cards: BoardCard[]): BoardResponse {
  return {
    columns: COLUMN_ORDER.filter((s) => s !== "archived").map((name) => ({
      name,
      tasks: cards.filter((c) => c.status === name),
    })),
    tenants: [],
    assignees: ["alice"],
    latest_event_id: 10,
    now: AT,
    dispatcher: { enabled: true, max_in_progress: 4, running: cards.filter((c) => c.status === "running").length },
  };
}

let nextId = 11;
function event<K extends EventKind>(kind: K, taskId: string, payload: EventPayload<K>): TaskEvent {
  return { id: nextId++, task_id: taskId, run_id: 1, kind, payload, created_at: AT + 60 } as TaskEvent;
}

/** The column a card is shown in after the events, and the card itself. */
function after(start: BoardResponse, events: TaskEvent[], id: string) {
  const patch = applyEvents(start, events, VIEW);
  const column = patch.board.columns.find((c) => c.tasks.some((t) => t.id === id));
  return { patch, column: column?.name, card: column?.tasks.find((t) => t.id === id) };
}

/** A running child whose parent is unfinished: a run that ends sends it to todo, not ready. */
function runningChild(): BoardResponse {
  return board(
    card("t_parent", "ready", { link_counts: { parents: 0, children: 1 }, progress: { done: 0, total: 1 } }),
    card("t_child", "running", {
      link_counts: { parents: 1, children: 0 },
      claim_lock: "host:1",
      claim_expires: AT + 900,
      worker_pid: 7,
      current_run_id: 1,
      started_at: AT,
    }),
  );
}

const MANUAL = { manual: true, reason: "stuck", prev_lock: "host:1", prev_pid: 7 } as const;

describe("events that say where the kernel left the task", () => {
  it("puts a manually reclaimed task in todo when the kernel says todo (its parent is unfinished)", () => {
    const { patch, column, card } = after(
      runningChild(),
      [event("reclaimed", "t_child", { ...MANUAL, status: "todo" })],
      "t_child",
    );
    expect(column).toBe("todo");
    expect(card).toMatchObject({ claim_lock: null, claim_expires: null, worker_pid: null, current_run_id: null });
    expect(patch.board.dispatcher?.running).toBe(0);
    // Which parents it waits on is not in the event: the card is refetched.
    expect(patch.refetch.has("t_child")).toBe(true);
  });

  it("puts a task released by a stale claim in todo when the kernel says todo", () => {
    const { column } = after(
      runningChild(),
      [event("reclaimed", "t_child", { stale_lock: "host:1", status: "todo" })],
      "t_child",
    );
    expect(column).toBe("todo");
  });

  it("puts a crashed run's task in todo when the kernel says todo", () => {
    const { patch, column } = after(
      runningChild(),
      [event("crashed", "t_child", { pid: 7, claimer: "host:1", failures: 1, status: "todo" })],
      "t_child",
    );
    expect(column).toBe("todo");
    expect(patch.refetch.has("t_child")).toBe(true);
  });

  it("follows the status on timed-out, spawn-failed and protocol-violating runs too", () => {
    const events = [
      event("timed_out", "t_child", {
        pid: 7,
        elapsed_seconds: 60,
        limit_seconds: 30,
        sigkill: false,
        failures: 1,
        status: "todo",
      }),
      event("spawn_failed", "t_child", { error: "no binary", failures: 2, status: "todo" }),
      event("protocol_violation", "t_child", {
        pid: 7,
        exit_code: 0,
        signal: null,
        failures: 3,
        status: "todo",
      }),
    ];
    for (const e of events) expect(after(runningChild(), [e], "t_child").column).toBe("todo");
  });

  it("demotes a ready child to todo when a link's child_status says todo, waiting on the new parent", () => {
    const start = board(card("t_parent", "todo"), card("t_child", "ready"));
    const {
      patch,
      column,
      card: child,
    } = after(
      start,
      [event("linked", "t_child", { parent: "t_parent", child: "t_child", child_status: "todo" })],
      "t_child",
    );
    expect(column).toBe("todo");
    expect(child?.waiting_on).toEqual(["t_parent"]);
    expect(child?.link_counts.parents).toBe(1);
    expect(patch.board.columns.flatMap((c) => c.tasks).find((t) => t.id === "t_parent")?.progress).toEqual({
      done: 0,
      total: 1,
    });
  });

  it("shows a child freed by an unlink where child_status says, ready", () => {
    const start = board(
      card("t_parent", "todo", { link_counts: { parents: 0, children: 1 }, progress: { done: 0, total: 1 } }),
      card("t_child", "todo", { link_counts: { parents: 1, children: 0 }, waiting_on: ["t_parent"] }),
    );
    const { column, card: child } = after(
      start,
      [event("unlinked", "t_child", { parent: "t_parent", child: "t_child", child_status: "ready" })],
      "t_child",
    );
    expect(column).toBe("ready");
    expect(child?.waiting_on).toBeUndefined();
  });
});

describe("events written without the resulting status (older boards, Hermes)", () => {
  it("sends a reclaimed or failed run's task back to ready, as before", () => {
    const events = [
      event("reclaimed", "t_child", MANUAL),
      event("reclaimed", "t_child", { stale_lock: "host:1" }),
      event("crashed", "t_child", { pid: 7, claimer: "host:1", failures: 1 }),
      event("timed_out", "t_child", { pid: 7, elapsed_seconds: 60, limit_seconds: 30, sigkill: true }),
      event("spawn_failed", "t_child", { error: "no binary", failures: 1 }),
      event("protocol_violation", "t_child", { pid: 7, exit_code: 0, signal: null, failures: 1 }),
    ];
    for (const e of events) expect(after(runningChild(), [e], "t_child").column).toBe("ready");
  });

  it("still demotes a ready child of an unfinished parent when a link does not say where it went", () => {
    const start = board(card("t_parent", "todo"), card("t_child", "ready"));
    const { column, card: child } = after(
      start,
      [event("linked", "t_child", { parent: "t_parent", child: "t_child" })],
      "t_child",
    );
    expect(column).toBe("todo");
    expect(child?.waiting_on).toEqual(["t_parent"]);
  });

  it("leaves a ready child of a finished parent in ready", () => {
    const start = board(card("t_parent", "done"), card("t_child", "ready"));
    const { column, card: child } = after(
      start,
      [event("linked", "t_child", { parent: "t_parent", child: "t_child" })],
      "t_child",
    );
    expect(column).toBe("ready");
    expect(child?.waiting_on).toBeUndefined();
  });
});
