import type { BulkBody } from "@switchyard/contract";
import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { claimTask, setWorkerPid } from "./claims.ts";
import { listComments } from "./comments.ts";
import { listEvents } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { setStatusDirect } from "./moves.ts";
import { bulkUpdate, patchTask } from "./patch.ts";
import { getRun, listRuns } from "./runs.ts";
import { createTask, type NewTask, requireTask } from "./tasks.ts";

async function task(k: Kernel, title = "do it", extra: Partial<NewTask> = {}) {
  return (await createTask(k, { title, assignee: "alice", ...extra })).task;
}

/** A running task whose worker (pid 4321) is on record. */
async function running(k: Kernel, title = "in flight") {
  const t = await task(k, title);
  const runId = (await claimTask(k, t.id))?.current_run_id as number;
  await setWorkerPid(k, t.id, runId, 4321);
  return { id: t.id, runId };
}

/** A task waiting in todo on an unfinished parent. */
async function waitingChild(k: Kernel) {
  const parent = await task(k, "parent");
  const child = await task(k, "child", { parents: [parent.id] });
  expect(child.status).toBe("todo");
  return { parent: parent.id, child: child.id };
}

/** The task and its events, to show a refusal left both exactly as they were. */
async function state(k: Kernel, id: string) {
  return { task: await requireTask(k, id), events: await listEvents(k, id), comments: await listComments(k, id) };
}

describe("patchTask", () => {
  it("applies assignee, status, priority, title and body together, each with its event, in that order", async () => {
    const { k } = await freshBoard();
    const t = await task(k, "old title");
    const { task: after, superseded } = await patchTask(k, t.id, {
      assignee: " Bob ",
      status: "todo",
      priority: 3,
      title: "  new title ",
      body: "now with a body",
    });
    expect(after).toMatchObject({
      assignee: "bob",
      status: "todo",
      parked: true,
      priority: 3,
      title: "new title",
      body: "now with a body",
    });
    expect(await requireTask(k, t.id)).toEqual(after);
    expect(superseded).toBeNull();
    expect((await listEvents(k, t.id)).map((e) => [e.kind, e.payload])).toEqual([
      ["created", expect.anything()],
      ["assigned", { assignee: "bob" }],
      ["status", { status: "todo", parked: true }],
      ["reprioritized", { priority: 3 }],
      ["edited", null],
    ]);
  });

  it("changes nothing at all when a step is refused: a move to ready while a parent is unfinished", async () => {
    const { k } = await freshBoard();
    const { child, parent } = await waitingChild(k);
    const before = await state(k, child);
    const err = await refusal(() => patchTask(k, child, { assignee: "bob", status: "ready", priority: 5, title: "x" }));
    expect(err.code).toBe("parents_unfinished");
    expect(err.facts.parents).toEqual([parent]);
    expect(await state(k, child)).toEqual(before);
    expect((await requireTask(k, child)).assignee).toBe("alice");
  });

  it("undoes the steps already made when a later one is refused (an empty title after a new assignee)", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    const before = await state(k, t.id);
    const err = await refusal(() => patchTask(k, t.id, { assignee: "bob", status: "todo", priority: 2, title: "   " }));
    expect(err.code).toBe("invalid_input");
    expect(await state(k, t.id)).toEqual(before);
  });

  it("refuses status running as invalid input before anything changes", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    const before = await state(k, t.id);
    const err = await refusal(() => patchTask(k, t.id, { status: "running", assignee: "bob" }));
    expect(err.code).toBe("invalid_input");
    expect(err.message).toContain("running");
    expect(await state(k, t.id)).toEqual(before);
  });

  it.each([
    ["a result without status done", { result: "ok" }],
    ["a summary with another status", { status: "todo", summary: "did it" }],
    ["metadata with status blocked", { status: "blocked", metadata: { files: 1 } }],
    ["a block reason without status blocked", { block_reason: "waiting" }],
    ["a block reason with status done", { status: "done", result: "ok", block_reason: "waiting" }],
  ] as const)("refuses %s as invalid input, changing nothing", async (_what, patch) => {
    const { k } = await freshBoard();
    const t = await task(k);
    const before = await state(k, t.id);
    expect((await refusal(() => patchTask(k, t.id, { assignee: "bob", ...patch }))).code).toBe("invalid_input");
    expect(await state(k, t.id)).toEqual(before);
  });

  it("completes with the handoff when the status is done", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    const { task: done } = await patchTask(k, t.id, {
      status: "done",
      result: "shipped",
      summary: "did the thing",
      metadata: { files: 2 },
    });
    expect(done).toMatchObject({ status: "done", result: "shipped" });
    expect((await listRuns(k, t.id)).map((r) => [r.outcome, r.summary, r.metadata])).toEqual([
      ["completed", "did the thing", { files: 2 }],
    ]);
  });

  it("blocks with the reason posted as a comment by the author, 'dashboard' unless told", async () => {
    const { k } = await freshBoard();
    const a = await task(k, "a");
    const b = await task(k, "b");
    await patchTask(k, a.id, { status: "blocked", block_reason: "needs a key" });
    await patchTask(k, b.id, { status: "blocked", block_reason: "needs a key" }, { author: "carol" });
    expect((await requireTask(k, a.id)).status).toBe("blocked");
    expect((await listComments(k, a.id)).map((c) => [c.author, c.body])).toEqual([
      ["dashboard", "BLOCKED: needs a key"],
    ]);
    expect((await listComments(k, b.id)).map((c) => [c.author, c.body])).toEqual([["carol", "BLOCKED: needs a key"]]);
  });

  it("returns the worker of a running task it moved off its run as superseded", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await running(k);
    const { task: after, superseded } = await patchTask(k, id, { status: "todo", priority: 1 });
    expect(superseded).toEqual({ task_id: id, run_id: runId, pid: 4321, lock: "testhost:4242" });
    expect(after).toMatchObject({ status: "todo", priority: 1, current_run_id: null, claim_lock: null });
    expect(await getRun(k, runId)).toMatchObject({ outcome: "reclaimed" });
  });

  it("supersedes no one when the running task stays on its run", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await running(k);
    const { task: after, superseded } = await patchTask(k, id, { priority: 4, title: "renamed while running" });
    expect(superseded).toBeNull();
    expect(after).toMatchObject({ status: "running", current_run_id: runId, priority: 4 });
  });

  it("refuses a new assignee for a running task, and the status change that came with it", async () => {
    const { k } = await freshBoard();
    const { id } = await running(k);
    const before = await state(k, id);
    const err = await refusal(() => patchTask(k, id, { assignee: "bob", status: "todo" }));
    expect(err.code).toBe("task_running");
    expect(await state(k, id)).toEqual(before);
  });

  it("refuses an unknown task with not_found", async () => {
    const { k } = await freshBoard();
    expect((await refusal(() => patchTask(k, "t_deadbeef", { priority: 1 }))).code).toBe("not_found");
  });
});

describe("bulkUpdate", () => {
  function bulk(body: Partial<BulkBody> & Pick<BulkBody, "ids">): BulkBody {
    return { archive: false, ...body };
  }

  it("applies the change to each task on its own, reporting a refusal with its message and applying the rest", async () => {
    const { k } = await freshBoard();
    const a = await task(k, "a");
    await setStatusDirect(k, a.id, "todo");
    const { child } = await waitingChild(k);
    const c = await task(k, "c", { triage: true });
    const childBefore = await state(k, child);
    const outcome = await bulkUpdate(k, bulk({ ids: [a.id, ` ${child} `, c.id], status: "ready", priority: 2 }));
    expect(outcome.results).toEqual([
      { id: a.id, ok: true },
      { id: child, ok: false, error: expect.stringContaining("waiting on unfinished parent") },
      { id: c.id, ok: true },
    ]);
    expect(outcome.superseded).toEqual([]);
    expect(await requireTask(k, a.id)).toMatchObject({ status: "ready", priority: 2 });
    expect(await requireTask(k, c.id)).toMatchObject({ status: "ready", priority: 2 });
    expect(await state(k, child)).toEqual(childBefore);
  });

  it("reports an unknown id as not found and goes on", async () => {
    const { k } = await freshBoard();
    const a = await task(k, "a");
    const outcome = await bulkUpdate(k, bulk({ ids: ["t_deadbeef", a.id], assignee: "bob" }));
    expect(outcome.results).toEqual([
      { id: "t_deadbeef", ok: false, error: "task t_deadbeef not found" },
      { id: a.id, ok: true },
    ]);
    expect((await requireTask(k, a.id)).assignee).toBe("bob");
  });

  it("archives every task when asked to, and collects the workers it took off their runs", async () => {
    const { k } = await freshBoard();
    const idle = await task(k, "idle");
    const busy = await running(k);
    const outcome = await bulkUpdate(k, bulk({ ids: [idle.id, busy.id], archive: true }), { author: "ops" });
    expect(outcome.results).toEqual([
      { id: idle.id, ok: true },
      { id: busy.id, ok: true },
    ]);
    expect(outcome.superseded).toEqual([{ task_id: busy.id, run_id: busy.runId, pid: 4321, lock: "testhost:4242" }]);
    expect((await requireTask(k, idle.id)).status).toBe("archived");
    expect((await requireTask(k, busy.id)).status).toBe("archived");
  });

  it("refuses status running for the whole request before changing anything", async () => {
    const { k } = await freshBoard();
    const a = await task(k, "a");
    const before = await state(k, a.id);
    const err = await refusal(() => bulkUpdate(k, bulk({ ids: [a.id], status: "running", priority: 9 })));
    expect(err.code).toBe("invalid_input");
    expect(await state(k, a.id)).toEqual(before);
  });
});
