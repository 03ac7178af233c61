import { TaskDetail } from "@switchyard/contract";
import {
  addComment,
  claimTask,
  createTask,
  getTask,
  listComments,
  listEvents,
  listRuns,
  recomputeReady,
  setWorkerPid,
} from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { harness, ok, refused } from "./helpers.ts";

describe("GET /tasks/:id", () => {
  it("shows the task with its comments, events, links and runs", async () => {
    const h = harness();
    const k = await h.k;
    const parent = (await createTask(k, { title: "parent" })).task;
    const task = (await createTask(k, { title: "child", parents: [parent.id] })).task;
    await addComment(k, task.id, "alice", "looks good");
    const detail = TaskDetail.parse(await ok(h.api.tasks[":id"].$get({ param: { id: task.id }, query: {} })));
    expect(detail.task).toMatchObject({ id: task.id, title: "child", status: "todo" });
    expect(detail.comments.map((c) => [c.author, c.body])).toEqual([["alice", "looks good"]]);
    expect(detail.events.map((e) => e.kind)).toEqual(["created", "commented"]);
    expect(detail.links).toEqual({ parents: [parent.id], children: [] });
    expect(detail.runs).toEqual([]);
  });

  it("lists runs once the task has been claimed, with the run id on its events", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "work", assignee: "alice" })).task;
    const claimed = await claimTask(k, task.id);
    const detail = await ok(h.api.tasks[":id"].$get({ param: { id: task.id }, query: {} }));
    expect(detail.runs.map((r) => r.status)).toEqual(["running"]);
    expect(detail.events.find((e) => e.kind === "claimed")?.run_id).toBe(claimed?.current_run_id);
  });

  it("answers 404 for an unknown task", async () => {
    const h = harness();
    const body = await refused(h.request("GET", "/tasks/t_deadbeef"), 404, "not_found");
    expect(body.detail).toContain("t_deadbeef");
  });
});

describe("POST /tasks", () => {
  it("creates a ready task by the dashboard", async () => {
    const h = harness({ dispatcherEnabled: true });
    const k = await h.k;
    const created = await ok(h.api.tasks.$post({ query: {}, json: { title: "  write docs ", assignee: "Alice" } }));
    expect(created.task).toMatchObject({
      title: "write docs",
      assignee: "alice",
      status: "ready",
      created_by: "dashboard",
    });
    expect(created.warning).toBeUndefined();
    expect((await getTask(k, created.task.id))?.status).toBe("ready");
  });

  it("warns that nothing will start a ready, assigned task while no dispatcher runs", async () => {
    const h = harness({ dispatcherEnabled: false });
    const assigned = await ok(h.api.tasks.$post({ query: {}, json: { title: "a", assignee: "alice" } }));
    expect(assigned.warning).toMatch(/no dispatcher/);
    const unassigned = await ok(h.api.tasks.$post({ query: {}, json: { title: "b" } }));
    expect(unassigned.warning).toBeUndefined();
    const triage = await ok(h.api.tasks.$post({ query: {}, json: { title: "c", assignee: "alice", triage: true } }));
    expect(triage.warning).toBeUndefined();
  });

  it("puts a task with an unfinished parent in todo, and a triage task in triage", async () => {
    const h = harness();
    const k = await h.k;
    const parent = (await createTask(k, { title: "parent" })).task;
    const child = await ok(h.api.tasks.$post({ query: {}, json: { title: "child", parents: [parent.id] } }));
    expect(child.task.status).toBe("todo");
    const idea = await ok(h.api.tasks.$post({ query: {}, json: { title: "idea", triage: true } }));
    expect(idea.task.status).toBe("triage");
  });

  it("round-trips skills, and gives null for none", async () => {
    const h = harness();
    const withSkills = await ok(
      h.api.tasks.$post({ query: {}, json: { title: "a", skills: ["review", " review", "lint"] } }),
    );
    expect(withSkills.task.skills).toEqual(["review", "lint"]);
    const none = await ok(h.api.tasks.$post({ query: {}, json: { title: "b" } }));
    expect(none.task.skills).toBeNull();
  });

  it("returns the existing task for a repeated idempotency key", async () => {
    const h = harness();
    const first = await ok(h.api.tasks.$post({ query: {}, json: { title: "first", idempotency_key: "k1" } }));
    const second = await ok(h.api.tasks.$post({ query: {}, json: { title: "second", idempotency_key: "k1" } }));
    expect(second.task.id).toBe(first.task.id);
    expect(second.task.title).toBe("first");
  });

  it("refuses bad input with 400 and creates nothing", async () => {
    const h = harness();
    const cases: unknown[] = [
      {},
      { title: "   " },
      { title: "x", workspace_kind: "cloud" },
      { title: "x", workspace_kind: "dir" },
      { title: "x", workspace_kind: "dir", workspace_path: "relative/path" },
      { title: "x", skills: ["a,b"] },
      { title: "x", parents: ["t_00ffffff"] },
      { title: "x", priority: 1.5 },
      { title: "x", surprise: true },
      { title: 42 },
    ];
    for (const json of cases) await refused(h.request("POST", "/tasks", { json }), 400, "invalid_input");
    await refused(
      h.request("POST", "/tasks", { body: "{not json", headers: { "content-type": "application/json" } }),
      400,
    );
    const board = await ok(h.api.board.$get({ query: {} }));
    expect(board.columns.flatMap((c) => c.tasks)).toEqual([]);
  });

  it("names the unknown parents", async () => {
    const h = harness();
    const body = await refused(h.request("POST", "/tasks", { json: { title: "x", parents: ["t_00ffffff"] } }), 400);
    expect(body.detail).toContain("t_00ffffff");
  });
});

describe("PATCH /tasks/:id", () => {
  it("completes a task with a summary and metadata on its run", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "work", assignee: "alice" })).task;
    await claimTask(k, task.id);
    const { task: done } = await ok(
      h.api.tasks[":id"].$patch({
        param: { id: task.id },
        query: {},
        json: { status: "done", result: "shipped", summary: "shipped v1", metadata: { pr: 7 } },
      }),
    );
    expect(done).toMatchObject({ status: "done", result: "shipped" });
    const [run] = await listRuns(k, task.id);
    expect(run).toMatchObject({ outcome: "completed", summary: "shipped v1", metadata: { pr: 7 } });
  });

  it("completes without a handoff and records no run", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "trivial" })).task;
    const { task: done } = await ok(
      h.api.tasks[":id"].$patch({ param: { id: task.id }, query: {}, json: { status: "done" } }),
    );
    expect(done.status).toBe("done");
    expect(await listRuns(k, task.id)).toEqual([]);
  });

  it("archives a running task, closes its run as reclaimed and stops its worker", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "work", assignee: "alice" })).task;
    const run = (await claimTask(k, task.id))?.current_run_id ?? null;
    await setWorkerPid(k, task.id, run as number, 4343);
    await ok(h.api.tasks[":id"].$patch({ param: { id: task.id }, query: {}, json: { status: "archived" } }));
    expect((await listRuns(k, task.id)).map((r) => r.outcome)).toEqual(["reclaimed"]);
    expect((await listEvents(k, task.id)).at(-1)).toMatchObject({ kind: "archived", run_id: run });
    expect(h.stopped).toEqual([{ task_id: task.id, run_id: run, pid: 4343, lock: "testhost:4242" }]);
  });

  it("leaves the worker of a running task alone when only its priority changes", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "work", assignee: "alice" })).task;
    await claimTask(k, task.id);
    await ok(h.api.tasks[":id"].$patch({ param: { id: task.id }, query: {}, json: { priority: 9 } }));
    expect(h.stopped).toEqual([]);
    expect((await getTask(k, task.id))?.status).toBe("running");
  });

  it("blocks with a reason and unblocks back to ready", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "work" })).task;
    const patch = (json: Parameters<(typeof h.api.tasks)[":id"]["$patch"]>[0]["json"]) =>
      ok(h.api.tasks[":id"].$patch({ param: { id: task.id }, query: {}, json }));
    expect((await patch({ status: "blocked", block_reason: "need keys" })).task.status).toBe("blocked");
    // The kernel records the reason as a comment by the author of the move too.
    expect((await listEvents(k, task.id)).slice(-2)).toMatchObject([
      { kind: "blocked", payload: { reason: "need keys" } },
      { kind: "commented", payload: { author: "dashboard" } },
    ]);
    expect((await listComments(k, task.id)).map((c) => [c.author, c.body])).toEqual([
      ["dashboard", "BLOCKED: need keys"],
    ]);
    expect((await patch({ status: "ready" })).task.status).toBe("ready");
    expect((await listEvents(k, task.id)).at(-1)?.kind).toBe("unblocked");
  });

  it("parks a task moved to todo with nothing to wait on, and says so on the task and its event", async () => {
    const h = harness();
    const k = await h.k;
    const idea = (await createTask(k, { title: "idea", triage: true })).task;
    const { task } = await ok(
      h.api.tasks[":id"].$patch({ param: { id: idea.id }, query: {}, json: { status: "todo" } }),
    );
    expect(task).toMatchObject({ status: "todo", parked: true });
    expect((await listEvents(k, idea.id)).at(-1)).toMatchObject({
      kind: "status",
      payload: { status: "todo", parked: true },
    });
    expect(await recomputeReady(k)).toBe(0);
    const detail = await ok(h.api.tasks[":id"].$get({ param: { id: idea.id }, query: {} }));
    expect(detail.task).toMatchObject({ status: "todo", parked: true });
  });

  it("drags a todo task to ready once its parents are done", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "parked" })).task;
    await ok(h.api.tasks[":id"].$patch({ param: { id: task.id }, query: {}, json: { status: "todo" } }));
    const { task: ready } = await ok(
      h.api.tasks[":id"].$patch({ param: { id: task.id }, query: {}, json: { status: "ready" } }),
    );
    expect(ready.status).toBe("ready");
  });

  it("moves to and from triage", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "idea" })).task;
    const toTriage = await ok(
      h.api.tasks[":id"].$patch({ param: { id: task.id }, query: {}, json: { status: "triage" } }),
    );
    expect(toTriage.task.status).toBe("triage");
    const back = await ok(h.api.tasks[":id"].$patch({ param: { id: task.id }, query: {}, json: { status: "todo" } }));
    expect(back.task.status).toBe("todo");
  });

  it("reassigns, reprioritises and edits the title and body", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "old" })).task;
    const { task: edited } = await ok(
      h.api.tasks[":id"].$patch({
        param: { id: task.id },
        query: {},
        json: { assignee: "Bob", priority: 5, title: "new", body: "details" },
      }),
    );
    expect(edited).toMatchObject({ assignee: "bob", priority: 5, title: "new", body: "details" });
    expect((await listEvents(k, task.id)).map((e) => e.kind)).toEqual([
      "created",
      "assigned",
      "reprioritized",
      "edited",
    ]);
  });

  it("refuses running with 400 and leaves the task unchanged", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "work" })).task;
    const before = (await listEvents(k, task.id)).length;
    const body = await refused(
      h.request("PATCH", `/tasks/${task.id}`, { json: { status: "running", assignee: "alice" } }),
      400,
      "invalid_input",
    );
    expect(body.detail).toMatch(/running/);
    expect(await getTask(k, task.id)).toMatchObject({ status: "ready", assignee: null });
    expect(await listEvents(k, task.id)).toHaveLength(before);
  });

  it("refuses an unknown status with 400", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "work" })).task;
    const body = await refused(
      h.request("PATCH", `/tasks/${task.id}`, { json: { status: "paused" } }),
      400,
      "invalid_input",
    );
    expect(body.issues?.[0]?.path).toBe("status");
  });

  it("refuses a move to ready while a parent is unfinished, naming the parents (409)", async () => {
    const h = harness();
    const k = await h.k;
    const parent = (await createTask(k, { title: "parent" })).task;
    const child = (await createTask(k, { title: "child", parents: [parent.id] })).task;
    const body = await refused(
      h.request("PATCH", `/tasks/${child.id}`, { json: { status: "ready" } }),
      409,
      "parents_unfinished",
    );
    expect(body.parents).toEqual([parent.id]);
    expect(body.detail).toContain(parent.id);
    expect((await getTask(k, child.id))?.status).toBe("todo");
  });

  it("refuses a transition the task cannot make with 409", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "idea", triage: true })).task;
    await refused(h.request("PATCH", `/tasks/${task.id}`, { json: { status: "blocked" } }), 409, "invalid_transition");
  });

  it("refuses to reassign a running task with 409", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "work", assignee: "alice" })).task;
    await claimTask(k, task.id);
    await refused(h.request("PATCH", `/tasks/${task.id}`, { json: { assignee: "bob" } }), 409, "task_running");
    expect((await getTask(k, task.id))?.assignee).toBe("alice");
  });

  it("changes nothing when a later step is refused", async () => {
    const h = harness();
    const k = await h.k;
    const parent = (await createTask(k, { title: "parent" })).task;
    const child = (await createTask(k, { title: "child", parents: [parent.id] })).task;
    const before = (await listEvents(k, child.id)).length;
    await refused(
      h.request("PATCH", `/tasks/${child.id}`, { json: { assignee: "alice", status: "ready", priority: 3 } }),
      409,
      "parents_unfinished",
    );
    expect(await getTask(k, child.id)).toMatchObject({ assignee: null, status: "todo", priority: 0 });
    expect(await listEvents(k, child.id)).toHaveLength(before);
  });

  it("refuses an empty title, a handoff without done, and unknown fields", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "work" })).task;
    await refused(h.request("PATCH", `/tasks/${task.id}`, { json: { title: "  " } }), 400, "invalid_input");
    await refused(h.request("PATCH", `/tasks/${task.id}`, { json: { summary: "x" } }), 400, "invalid_input");
    await refused(h.request("PATCH", `/tasks/${task.id}`, { json: { block_reason: "x", status: "todo" } }), 400);
    await refused(h.request("PATCH", `/tasks/${task.id}`, { json: { colour: "red" } }), 400, "invalid_input");
    expect(await getTask(k, task.id)).toMatchObject({ title: "work", status: "ready" });
  });

  it("answers 404 for an unknown task", async () => {
    const h = harness();
    await refused(h.request("PATCH", "/tasks/t_00ffffff", { json: { priority: 1 } }), 404, "not_found");
  });
});

describe("POST /tasks/bulk", () => {
  it("moves several tasks to ready and completes them with the summary", async () => {
    const h = harness();
    const k = await h.k;
    const a = (await createTask(k, { title: "a", triage: true })).task;
    const b = (await createTask(k, { title: "b", triage: true })).task;
    const toReady = await ok(h.api.tasks.bulk.$post({ query: {}, json: { ids: [a.id, b.id], status: "ready" } }));
    expect(toReady.results).toEqual([
      { id: a.id, ok: true },
      { id: b.id, ok: true },
    ]);
    await ok(h.api.tasks.bulk.$post({ query: {}, json: { ids: [a.id, b.id], status: "done", summary: "all good" } }));
    expect((await listRuns(k, a.id))[0]?.summary).toBe("all good");
    expect((await getTask(k, b.id))?.status).toBe("done");
  });

  it("archives (archive wins over status), reassigns and unassigns with an empty string", async () => {
    const h = harness();
    const k = await h.k;
    const a = (await createTask(k, { title: "a", assignee: "alice" })).task;
    const b = (await createTask(k, { title: "b", assignee: "alice" })).task;
    await ok(h.api.tasks.bulk.$post({ query: {}, json: { ids: [a.id], archive: true, status: "todo" } }));
    expect((await getTask(k, a.id))?.status).toBe("archived");
    await ok(h.api.tasks.bulk.$post({ query: {}, json: { ids: [b.id], assignee: "bob" } }));
    expect((await getTask(k, b.id))?.assignee).toBe("bob");
    await ok(h.api.tasks.bulk.$post({ query: {}, json: { ids: [b.id], assignee: "" } }));
    expect((await getTask(k, b.id))?.assignee).toBeNull();
  });

  it("stops the worker of a running task it moves off its run", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "work", assignee: "alice" })).task;
    await claimTask(k, task.id);
    await ok(h.api.tasks.bulk.$post({ query: {}, json: { ids: [task.id], status: "todo" } }));
    expect((await getTask(k, task.id))?.status).toBe("todo");
    expect(h.stopped.map((w) => w.task_id)).toEqual([task.id]);
  });

  it("keeps going past a failing id and reports it", async () => {
    const h = harness();
    const k = await h.k;
    const a = (await createTask(k, { title: "a" })).task;
    const b = (await createTask(k, { title: "b" })).task;
    const { results } = await ok(
      h.api.tasks.bulk.$post({ query: {}, json: { ids: [a.id, "bogus-id", b.id], priority: 2 } }),
    );
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]?.error).toContain("bogus-id");
    expect((await getTask(k, b.id))?.priority).toBe(2);
  });

  it("leaves a task whose move is refused exactly as it was", async () => {
    const h = harness();
    const k = await h.k;
    const parent = (await createTask(k, { title: "parent" })).task;
    const child = (await createTask(k, { title: "child", parents: [parent.id] })).task;
    const { results } = await ok(
      h.api.tasks.bulk.$post({ query: {}, json: { ids: [child.id], assignee: "alice", status: "ready" } }),
    );
    expect(results[0]).toMatchObject({ ok: false });
    expect(await getTask(k, child.id)).toMatchObject({ assignee: null, status: "todo" });
  });

  it("refuses empty ids and running with 400, changing nothing", async () => {
    const h = harness();
    const k = await h.k;
    const a = (await createTask(k, { title: "a" })).task;
    await refused(h.request("POST", "/tasks/bulk", { json: { ids: [] } }), 400, "invalid_input");
    await refused(h.request("POST", "/tasks/bulk", { json: { ids: [a.id], status: "running" } }), 400, "invalid_input");
    expect((await getTask(k, a.id))?.status).toBe("ready");
  });
});
