import { mkdirSync, writeFileSync } from "node:fs";
import { claimTask, createTask, getTask, listEvents, listNotifySubs, setWorkerPid } from "@switchyard/core";
import { workerLogPath } from "@switchyard/runtime";
import { describe, expect, it } from "vitest";
import { harness, ok, refused } from "./helpers.ts";

const HOMES = `
notify:
  home:
    webhook:
      chat_id: https://hooks.example/kanban
      name: ops hook
    slack:
      chat_id: https://hooks.slack.example/T1
      thread_id: "1700.1"
`;

async function running(h: ReturnType<typeof harness>, assignee = "alice") {
  const k = await h.k;
  const task = (await createTask(k, { title: "work", assignee })).task;
  const claimed = await claimTask(k, task.id);
  if (!claimed?.current_run_id) throw new Error("claim failed");
  await setWorkerPid(k, task.id, claimed.current_run_id, 31337);
  return { id: task.id, runId: claimed.current_run_id };
}

describe("POST /tasks/:id/comments", () => {
  it("adds a comment by the dashboard unless an author is given", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "work" })).task;
    expect(
      await ok(h.api.tasks[":id"].comments.$post({ param: { id: task.id }, query: {}, json: { body: "hi" } })),
    ).toEqual({
      ok: true,
    });
    await ok(
      h.api.tasks[":id"].comments.$post({ param: { id: task.id }, query: {}, json: { body: "yo", author: "alice" } }),
    );
    const detail = await ok(h.api.tasks[":id"].$get({ param: { id: task.id }, query: {} }));
    expect(detail.comments.map((c) => [c.author, c.body])).toEqual([
      ["dashboard", "hi"],
      ["alice", "yo"],
    ]);
  });

  it("refuses an empty body with 400 and an unknown task with 404", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "work" })).task;
    await refused(h.request("POST", `/tasks/${task.id}/comments`, { json: { body: "   " } }), 400, "invalid_input");
    await refused(h.request("POST", "/tasks/t_00ffffff/comments", { json: { body: "hi" } }), 404, "not_found");
    expect((await listEvents(k, task.id)).map((e) => e.kind)).toEqual(["created"]);
  });
});

describe("POST and DELETE /links", () => {
  it("links and unlinks two tasks", async () => {
    const h = harness();
    const k = await h.k;
    const parent = (await createTask(k, { title: "parent" })).task;
    const child = (await createTask(k, { title: "child" })).task;
    expect(await ok(h.api.links.$post({ query: {}, json: { parent_id: parent.id, child_id: child.id } }))).toEqual({
      ok: true,
    });
    expect((await getTask(k, child.id))?.status).toBe("todo");
    const removed = await ok(h.api.links.$delete({ query: { parent_id: parent.id, child_id: child.id } }));
    expect(removed).toEqual({ ok: true });
    expect((await getTask(k, child.id))?.status).toBe("ready");
    expect(await ok(h.api.links.$delete({ query: { parent_id: parent.id, child_id: child.id } }))).toEqual({
      ok: false,
    });
  });

  it("refuses a cycle and a self-link with 400, and an unknown task with 404", async () => {
    const h = harness();
    const k = await h.k;
    const a = (await createTask(k, { title: "a" })).task;
    const b = (await createTask(k, { title: "b" })).task;
    await ok(h.api.links.$post({ query: {}, json: { parent_id: a.id, child_id: b.id } }));
    const cycle = await refused(
      h.request("POST", "/links", { json: { parent_id: b.id, child_id: a.id } }),
      400,
      "dependency_cycle",
    );
    expect(cycle.detail).toMatch(/cycle/);
    await refused(h.request("POST", "/links", { json: { parent_id: a.id, child_id: a.id } }), 400, "invalid_input");
    await refused(h.request("POST", "/links", { json: { parent_id: a.id, child_id: "t_00ffffff" } }), 404, "not_found");
    await refused(h.request("DELETE", "/links?parent_id=only"), 400, "invalid_input");
  });
});

describe("POST /tasks/:id/reclaim", () => {
  it("releases a running claim at once and asks for its worker to be stopped (reference §14.2)", async () => {
    const h = harness();
    const k = await h.k;
    const { id, runId } = await running(h);
    const body = await ok(h.api.tasks[":id"].reclaim.$post({ param: { id }, query: {}, json: { reason: "stuck" } }));
    expect(body).toEqual({ ok: true, task_id: id });
    expect(await getTask(k, id)).toMatchObject({ status: "ready", claim_lock: null, worker_pid: null });
    expect(h.stopped).toEqual([{ task_id: id, run_id: runId, pid: 31337, lock: "testhost:4242" }]);
    expect((await listEvents(k, id)).at(-1)).toMatchObject({
      kind: "reclaimed",
      payload: { manual: true, reason: "stuck" },
    });
  });

  it("accepts a request with no body", async () => {
    const h = harness();
    const k = await h.k;
    const { id } = await running(h);
    const res = await h.request("POST", `/tasks/${id}/reclaim`);
    expect(res.status).toBe(200);
    expect((await getTask(k, id))?.status).toBe("ready");
  });

  it("answers 409 for a task that is not running, and 404 for an unknown one", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "idle" })).task;
    await refused(h.request("POST", `/tasks/${task.id}/reclaim`, { json: {} }), 409, "invalid_transition");
    await refused(h.request("POST", "/tasks/t_00ffffff/reclaim", { json: {} }), 404, "not_found");
    expect(h.stopped).toEqual([]);
  });
});

describe("POST /tasks/:id/reassign", () => {
  it("switches the profile of a task that is not running (reference §14.2)", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "work", assignee: "alice" })).task;
    const body = await ok(
      h.api.tasks[":id"].reassign.$post({ param: { id: task.id }, query: {}, json: { profile: "Newbie" } }),
    );
    expect(body).toEqual({ ok: true, task_id: task.id, assignee: "newbie" });
  });

  it("unassigns with null or an empty profile", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "work", assignee: "alice" })).task;
    await ok(h.api.tasks[":id"].reassign.$post({ param: { id: task.id }, query: {}, json: { profile: "" } }));
    expect((await getTask(k, task.id))?.assignee).toBeNull();
  });

  it("answers 409 for a running task without reclaim_first, leaving it as it was", async () => {
    const h = harness();
    const k = await h.k;
    const { id } = await running(h);
    const body = await refused(
      h.request("POST", `/tasks/${id}/reassign`, { json: { profile: "bob" } }),
      409,
      "task_running",
    );
    expect(body.detail).toMatch(/reclaim/);
    expect(await getTask(k, id)).toMatchObject({ status: "running", assignee: "alice" });
    expect(h.stopped).toEqual([]);
  });

  it("reclaims first when asked, then reassigns, and stops the old worker", async () => {
    const h = harness();
    const k = await h.k;
    const { id } = await running(h);
    const body = await ok(
      h.api.tasks[":id"].reassign.$post({ param: { id }, query: {}, json: { profile: "new", reclaim_first: true } }),
    );
    expect(body.assignee).toBe("new");
    expect(await getTask(k, id)).toMatchObject({ status: "ready", assignee: "new", claim_lock: null });
    expect(h.stopped.map((w) => w.pid)).toEqual([31337]);
  });

  it("answers 404 for an unknown task and 400 for a bad body", async () => {
    const h = harness();
    const k = await h.k;
    await refused(h.request("POST", "/tasks/t_00ffffff/reassign", { json: { profile: "bob" } }), 404, "not_found");
    const task = (await createTask(k, { title: "work" })).task;
    await refused(
      h.request("POST", `/tasks/${task.id}/reassign`, { json: { reclaim_first: "yes" } }),
      400,
      "invalid_input",
    );
  });
});

describe("GET /tasks/:id/log", () => {
  it("says no log exists yet for a task that never ran", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "work" })).task;
    const log = await ok(h.api.tasks[":id"].log.$get({ param: { id: task.id }, query: {} }));
    expect(log).toMatchObject({ task_id: task.id, exists: false, size_bytes: 0, content: "", truncated: false });
  });

  it("returns the whole log, or its tail from the first full line", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "work" })).task;
    const path = workerLogPath(k.paths, task.id);
    mkdirSync(k.paths.logsDir, { recursive: true });
    writeFileSync(path, "first line\nsecond line\nthird\n");
    const whole = await ok(h.api.tasks[":id"].log.$get({ param: { id: task.id }, query: {} }));
    expect(whole).toMatchObject({ exists: true, size_bytes: 29, content: "first line\nsecond line\nthird\n", path });
    const tail = await ok(h.api.tasks[":id"].log.$get({ param: { id: task.id }, query: { tail: "10" } }));
    expect(tail).toMatchObject({ content: "third\n", truncated: true });
  });

  it("refuses an unknown task with 404 and a bad tail with 400", async () => {
    const h = harness();
    const k = await h.k;
    await refused(h.request("GET", "/tasks/t_00ffffff/log"), 404, "not_found");
    const task = (await createTask(k, { title: "work" })).task;
    await refused(h.request("GET", `/tasks/${task.id}/log?tail=0`), 400, "invalid_input");
    await refused(h.request("GET", `/tasks/${task.id}/log?tail=3000000`), 400, "invalid_input");
  });
});

describe("home channels", () => {
  it("lists only the platforms that have a home, sorted, with nothing subscribed without a task", async () => {
    const h = harness({ config: HOMES });
    const { home_channels } = await ok(h.api["home-channels"].$get({ query: {} }));
    expect(home_channels).toEqual(
      [
        {
          platform: "webhook",
          chat_id: "https://hooks.example/kanban",
          thread_id: "",
          name: "ops hook",
          subscribed: false,
        },
        {
          platform: "slack",
          chat_id: "https://hooks.slack.example/T1",
          thread_id: "1700.1",
          name: "slack",
          subscribed: false,
        },
      ].sort((a, b) => a.platform.localeCompare(b.platform)),
    );
  });

  it("is empty when no home is configured", async () => {
    const h = harness();
    expect(await ok(h.api["home-channels"].$get({ query: {} }))).toEqual({ home_channels: [] });
  });

  it("subscribes a task idempotently, flips its flag, and unsubscribes per platform", async () => {
    const h = harness({ config: HOMES });
    const k = await h.k;
    const task = (await createTask(k, { title: "work" })).task;
    const sub = h.api.tasks[":id"]["home-subscribe"][":platform"];
    const first = await ok(sub.$post({ param: { id: task.id, platform: "webhook" }, query: {} }));
    expect(first).toEqual({
      ok: true,
      task_id: task.id,
      home_channel: { platform: "webhook", chat_id: "https://hooks.example/kanban", thread_id: "", name: "ops hook" },
    });
    await ok(sub.$post({ param: { id: task.id, platform: "webhook" }, query: {} }));
    await ok(sub.$post({ param: { id: task.id, platform: "slack" }, query: {} }));
    expect((await listNotifySubs(k, task.id)).map((s) => s.platform).sort()).toEqual(["slack", "webhook"]);

    const listed = await ok(h.api["home-channels"].$get({ query: { task_id: task.id } }));
    expect(listed.home_channels.map((c) => [c.platform, c.subscribed])).toEqual([
      ["slack", true],
      ["webhook", true],
    ]);

    await ok(sub.$delete({ param: { id: task.id, platform: "slack" }, query: {} }));
    const after = await ok(h.api["home-channels"].$get({ query: { task_id: task.id } }));
    expect(after.home_channels.map((c) => [c.platform, c.subscribed])).toEqual([
      ["slack", false],
      ["webhook", true],
    ]);
  });

  it("answers 404 for a platform without a home and for an unknown task", async () => {
    const h = harness({ config: "notify:\n  home:\n    webhook:\n      chat_id: https://hooks.example/x\n" });
    const k = await h.k;
    const task = (await createTask(k, { title: "work" })).task;
    await refused(h.request("POST", `/tasks/${task.id}/home-subscribe/slack`), 404, "not_found");
    await refused(h.request("POST", `/tasks/${task.id}/home-subscribe/telegram`), 404, "not_found");
    await refused(h.request("DELETE", `/tasks/${task.id}/home-subscribe/telegram`), 404, "not_found");
    await refused(h.request("POST", "/tasks/t_00ffffff/home-subscribe/webhook"), 404, "not_found");
    await refused(h.request("GET", "/home-channels?task_id=t_00ffffff"), 404, "not_found");
    expect(await listNotifySubs(k)).toEqual([]);
  });
});
