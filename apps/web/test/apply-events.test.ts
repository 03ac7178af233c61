import type { BoardResponse, TaskDetail } from "@switchyard/contract";
import {
  addComment,
  archiveTask,
  assignTask,
  blockTask,
  boardView,
  childIds,
  claimTask,
  completeTask,
  createTask,
  editTask,
  eventsSince,
  heartbeatWorker,
  type Kernel,
  linkTasks,
  listComments,
  listEvents,
  listRuns,
  parentIds,
  reclaimTask,
  recordFailure,
  setPriority,
  setStatusDirect,
  setWorkerPid,
  taskDict,
  unblockTask,
  unlinkTasks,
} from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { applyEvents } from "../src/api/apply-events.ts";
import type { BoardViewFilter } from "../src/api/board-cards.ts";
import { mergeTaskDetail } from "../src/api/merge-task.ts";
import { freshKernel } from "./fresh-kernel.ts";

function view(k: Kernel, filter: BoardViewFilter): BoardResponse {
  return boardView(k, { tenant: filter.tenant ?? null, includeArchived: filter.includeArchived });
}

function detail(k: Kernel, id: string): TaskDetail {
  const task = taskDict(k, id);
  if (!task) throw new Error(`no task ${id}`);
  return {
    task,
    comments: listComments(k, id),
    events: listEvents(k, id),
    links: { parents: parentIds(k, id), children: childIds(k, id) },
    runs: listRuns(k, id),
  };
}

/** What the dashboard compares: everything but ages and the server's clock. */
function shown(board: BoardResponse) {
  const plain = JSON.parse(JSON.stringify(board)) as BoardResponse;
  return {
    ...plain,
    now: 0,
    columns: plain.columns.map((c) => ({ ...c, tasks: c.tasks.map(({ age: _age, ...card }) => card) })),
  };
}

/**
 * The oracle: the board before a change, patched with the change's events (and the cards the
 * events could not describe, refetched the way the live stream does), equals the board the
 * server shows after it.
 */
function followLive(k: Kernel, act: () => void, filter: BoardViewFilter = { includeArchived: false }) {
  const before = view(k, filter);
  act();
  const events = eventsSince(k, before.latest_event_id, 10_000);
  const patch = applyEvents(before, events, filter);
  let board = patch.reload ? view(k, filter) : patch.board;
  for (const id of patch.refetch) board = mergeTaskDetail(board, detail(k, id), filter, patch.progress.get(id) ?? 0);
  expect(shown(board)).toEqual(shown(view(k, filter)));
  return patch;
}

describe("applying live events to the cached board", () => {
  it("adds a created card, and counts it on its parent's links and progress", () => {
    const k = freshKernel();
    const parent = createTask(k, { title: "Parent" }).task;
    const patch = followLive(k, () => {
      createTask(k, { title: "Child", assignee: "zoe", tenant: "acme", parents: [parent.id] });
    });
    expect(patch.reload).toBe(false);
    expect(patch.refetch.size).toBe(1);
  });

  it("follows a run from claim to heartbeat to completion, with the parent's progress", () => {
    const k = freshKernel();
    const parent = createTask(k, { title: "Parent" }).task;
    const child = createTask(k, { title: "Child", assignee: "alice" }).task;
    linkTasks(k, parent.id, child.id);
    completeTask(k, parent.id, { result: "first" });
    const run = followLive(k, () => {
      const claimed = claimTask(k, child.id, { ttl: 300 });
      setWorkerPid(k, child.id, claimed?.current_run_id ?? 0, 999);
    });
    expect(run.refetch.size).toBe(0);
    followLive(k, () => heartbeatWorker(k, child.id, { ttl: 300 }));
    const done = followLive(k, () => completeTask(k, child.id, { result: "done", summary: "all good" }));
    expect(done.reload).toBe(false);
    expect(done.progress.get(child.id)).toBe(1);
  });

  it("keeps status moves, assignment, priority order and comment counts in step without refetching", () => {
    const k = freshKernel();
    const a = createTask(k, { title: "A", assignee: "alice" }).task;
    const b = createTask(k, { title: "B" }).task;
    const patch = followLive(k, () => {
      blockTask(k, a.id, { reason: "stuck" });
      unblockTask(k, a.id);
      assignTask(k, b.id, "bob");
      setPriority(k, b.id, 5);
      addComment(k, a.id, "bob", "hello");
      addComment(k, a.id, "bob", "again");
      setStatusDirect(k, a.id, "triage");
    });
    expect(patch.refetch.size).toBe(0);
    expect(patch.reload).toBe(false);
  });

  it("links and unlinks: a ready child waits (todo) on an unfinished parent, and is freed again", () => {
    const k = freshKernel();
    const parent = createTask(k, { title: "Parent" }).task;
    const child = createTask(k, { title: "Child" }).task;
    expect(followLive(k, () => linkTasks(k, parent.id, child.id)).reload).toBe(false);
    followLive(k, () => unlinkTasks(k, parent.id, child.id));
  });

  it("frees waiting children when their parent completes or is archived", () => {
    const k = freshKernel();
    const p1 = createTask(k, { title: "P1", assignee: "alice" }).task;
    const p2 = createTask(k, { title: "P2" }).task;
    createTask(k, { title: "Child", parents: [p1.id, p2.id] });
    followLive(k, () => completeTask(k, p1.id, { result: "ok" }));
    followLive(k, () => archiveTask(k, p2.id));
  });

  it("shows archived cards only when the view includes them", () => {
    const k = freshKernel();
    const a = createTask(k, { title: "A" }).task;
    const b = createTask(k, { title: "B" }).task;
    followLive(k, () => archiveTask(k, a.id));
    followLive(k, () => archiveTask(k, b.id), { includeArchived: true });
  });

  it("counts hallucination warnings, and a clean completion clears them", () => {
    const k = freshKernel();
    const t = createTask(k, { title: "Liar", assignee: "alice" }).task;
    claimTask(k, t.id);
    followLive(k, () => {
      expect(() => completeTask(k, t.id, { result: "x", created_cards: ["t_deadbeef"] })).toThrow();
      expect(() => completeTask(k, t.id, { result: "x", created_cards: ["t_cafebabe"] })).toThrow();
    });
    followLive(k, () => completeTask(k, t.id, { result: "honest, but see t_0badf00d" }));
    followLive(k, () => editTask(k, t.id, { title: "Reformed" }));
  });

  it("sends failed and reclaimed runs back to ready, and a task at the failure limit to blocked", () => {
    const k = freshKernel();
    const t = createTask(k, { title: "Flaky", assignee: "alice" }).task;
    const claim = () => claimTask(k, t.id)?.current_run_id ?? null;
    followLive(k, () => recordFailure(k, t.id, { kind: "spawn_failed", error: "no binary", runId: claim() }, 3));
    followLive(k, () => recordFailure(k, t.id, { kind: "crashed", error: "exit 1", runId: claim(), pid: 7 }, 3));
    followLive(k, () => {
      claim();
      reclaimTask(k, t.id, { reason: "stuck" });
    });
    followLive(k, () => recordFailure(k, t.id, { kind: "timed_out", error: "too slow", runId: claim() }, 3));
  });

  it("leaves out cards of other tenants when the view is filtered by tenant", () => {
    const k = freshKernel();
    createTask(k, { title: "Acme", tenant: "acme" });
    const patch = followLive(
      k,
      () => {
        createTask(k, { title: "Globex", tenant: "globex" });
        createTask(k, { title: "Acme two", tenant: "acme" });
      },
      { tenant: "acme", includeArchived: false },
    );
    expect(patch.refetch.size).toBe(1);
  });

  it("asks for a board reload when a parent leaves done, since its waiting children are unknown", () => {
    const k = freshKernel();
    const parent = createTask(k, { title: "Parent" }).task;
    completeTask(k, parent.id, { result: "ok" });
    createTask(k, { title: "Child", parents: [parent.id] });
    const patch = followLive(k, () => setStatusDirect(k, parent.id, "ready"));
    expect(patch.reload).toBe(true);
  });

  it("ignores events the cached board already includes", () => {
    const k = freshKernel();
    const t = createTask(k, { title: "Seen" }).task;
    assignTask(k, t.id, "alice");
    const board = view(k, { includeArchived: false });
    const old = eventsSince(k, 0, 100);
    const patch = applyEvents(board, old, { includeArchived: false });
    expect(shown(patch.board)).toEqual(shown(board));
    expect(patch.refetch.size).toBe(0);
  });
});
