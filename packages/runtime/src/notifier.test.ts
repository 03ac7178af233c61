import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SlackNotification, WebhookNotification } from "@switchyard/contract";
import {
  addNotifySub,
  archiveTask,
  blockTask,
  claimTask,
  completeTask,
  createTask,
  type Kernel,
  listNotifySubs,
  recordFailure,
  unblockTask,
} from "@switchyard/core";
import { afterEach, describe, expect, it } from "vitest";
import { freshBoard } from "../../core/test/fixtures.ts";
import { createHttpSender, createNotifier, type Notification, type NotifySend, notifyText } from "./notifier.ts";

function recorder(): { send: NotifySend; sent: Notification[] } {
  const sent: Notification[] = [];
  return { sent, send: async (n) => void sent.push(n) };
}

async function setup(send: NotifySend) {
  const b = await freshBoard();
  const notifier = createNotifier({ home: b.home, send, clock: b.clock });
  return { ...b, notifier };
}

async function subscribed(k: Kernel, title = "ship it", platform = "webhook") {
  const task = (await createTask(k, { title, assignee: "coder" })).task;
  await addNotifySub(k, { task_id: task.id, platform, chat_id: "http://127.0.0.1:9/hook" });
  return task;
}

describe("notification texts", () => {
  it("name the worker and the task, as the reference words them", async () => {
    const { k } = await freshBoard();
    const task = (await createTask(k, { title: "ship it", assignee: "coder" })).task;
    const base = { id: 1, task_id: task.id, run_id: null, created_at: 0 };
    expect(
      notifyText(task, { ...base, kind: "completed", payload: { result_len: 0, summary: "all green\nmore" } }),
    ).toBe(`✔ @coder Kanban ${task.id} done — ship it\nall green`);
    expect(notifyText(task, { ...base, kind: "blocked", payload: { reason: "need a key" } })).toBe(
      `⏸ @coder Kanban ${task.id} blocked: need a key`,
    );
    expect(notifyText(task, { ...base, kind: "gave_up", payload: { failures: 3, error: "boom" } })).toBe(
      `✖ @coder Kanban ${task.id} gave up after repeated failures\nboom`,
    );
    expect(notifyText(task, { ...base, kind: "crashed", payload: { pid: 5, claimer: null } })).toBe(
      `✖ @coder Kanban ${task.id} worker crashed (pid gone); dispatcher will retry`,
    );
    expect(
      notifyText(task, {
        ...base,
        kind: "timed_out",
        payload: { pid: 5, elapsed_seconds: 70, limit_seconds: 60, sigkill: false },
      }),
    ).toBe(`⏱ @coder Kanban ${task.id} timed out (max_runtime=60s); will retry`);
  });
});

describe("a delivery pass", () => {
  it("sends one message per notifiable event and then only what is new", async () => {
    const r = recorder();
    const { k, notifier } = await setup(r.send);
    const task = await subscribed(k);
    const run = (await claimTask(k, task.id))?.current_run_id ?? null;
    await recordFailure(k, task.id, { kind: "crashed", error: "pid 9 not alive", runId: run, pid: 9 });
    expect(await notifier.tick()).toMatchObject({ sent: 1, failed: 0 });
    expect(r.sent.map((n) => n.event.kind)).toEqual(["crashed"]);
    expect(await notifier.tick()).toMatchObject({ sent: 0 });

    await blockTask(k, task.id, { reason: "stuck" });
    await notifier.tick();
    expect(r.sent.map((n) => n.event.kind)).toEqual(["crashed", "blocked"]);
    expect(r.sent[1]).toMatchObject({ board: "default", platform: "webhook", chat_id: "http://127.0.0.1:9/hook" });
  });

  it("notifies a task blocked, unblocked and blocked again twice, and keeps the subscription", async () => {
    const r = recorder();
    const { k, notifier } = await setup(r.send);
    const task = await subscribed(k);
    await blockTask(k, task.id, { reason: "first" });
    await notifier.tick();
    await unblockTask(k, task.id);
    await blockTask(k, task.id, { reason: "second" });
    await notifier.tick();
    expect(r.sent.map((n) => n.text)).toEqual([
      `⏸ @coder Kanban ${task.id} blocked: first`,
      `⏸ @coder Kanban ${task.id} blocked: second`,
    ]);
    expect(await listNotifySubs(k, task.id)).toHaveLength(1);
  });

  it("ends the subscription once a done or archived task's events are delivered", async () => {
    const r = recorder();
    const { k, notifier } = await setup(r.send);
    const done = await subscribed(k, "done one");
    const archived = await subscribed(k, "archived one");
    await completeTask(k, done.id, { summary: "finished" });
    await archiveTask(k, archived.id);
    const result = await notifier.tick();
    expect(r.sent.map((n) => [n.task.id, n.event.kind])).toEqual([[done.id, "completed"]]);
    expect(result.finished.map((f) => f.task_id).sort()).toEqual([done.id, archived.id].sort());
    expect(await listNotifySubs(k)).toEqual([]);
  });

  it("does not advance past a failed send, retries it next pass, and drops the subscription after 3 failures", async () => {
    let failing = true;
    const sent: Notification[] = [];
    const { k, notifier } = await setup(async (n) => {
      if (failing) throw new Error("receiver down");
      sent.push(n);
    });
    const task = await subscribed(k);
    await blockTask(k, task.id, { reason: "wait" });
    expect(await notifier.tick()).toMatchObject({ sent: 0, failed: 1, dropped: [] });
    failing = false;
    await notifier.tick();
    expect(sent.map((n) => n.event.kind)).toEqual(["blocked"]);

    // A success resets the count: it takes 3 failures in a row to drop it.
    failing = true;
    await unblockTask(k, task.id);
    await blockTask(k, task.id, { reason: "again" });
    expect((await notifier.tick()).dropped).toEqual([]);
    expect((await notifier.tick()).dropped).toEqual([]);
    expect(await listNotifySubs(k, task.id)).toHaveLength(1);
    const third = await notifier.tick();
    expect(third.dropped.map((d) => d.task_id)).toEqual([task.id]);
    expect(await listNotifySubs(k, task.id)).toEqual([]);
  });

  it("does not send an event twice when a later one in the same pass fails", async () => {
    let calls = 0;
    const sent: string[] = [];
    const { k, notifier } = await setup(async (n) => {
      calls++;
      if (calls === 2) throw new Error("flaky");
      sent.push(n.text);
    });
    const task = await subscribed(k);
    await blockTask(k, task.id, { reason: "one" });
    await unblockTask(k, task.id);
    await blockTask(k, task.id, { reason: "two" });
    await notifier.tick();
    await notifier.tick();
    expect(sent).toEqual([`⏸ @coder Kanban ${task.id} blocked: one`, `⏸ @coder Kanban ${task.id} blocked: two`]);
  });

  it("skips the events of a platform it cannot deliver to, without sending", async () => {
    const r = recorder();
    const { k, notifier } = await setup(r.send);
    const task = await subscribed(k, "t", "telegram");
    await blockTask(k, task.id, { reason: "x" });
    await notifier.tick();
    expect(r.sent).toEqual([]);
    expect((await listNotifySubs(k, task.id))[0]?.last_event_id).toBeGreaterThan(0);
  });
});

describe("the HTTP sender", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });

  interface Received {
    path: string;
    body: unknown;
  }

  async function receiver(status: () => number): Promise<{ url: string; received: Received[] }> {
    const received: Received[] = [];
    const server = createServer(async (req: IncomingMessage, res) => {
      let text = "";
      for await (const chunk of req) text += chunk;
      received.push({ path: req.url ?? "", body: JSON.parse(text) });
      res.writeHead(status()).end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
  }

  it("POSTs {task, event, text} to a webhook URL and {text} to a Slack incoming webhook", async () => {
    const { url, received } = await receiver(() => 200);
    const b = await freshBoard();
    const notifier = createNotifier({ home: b.home, send: createHttpSender(), clock: b.clock });
    const task = (await createTask(b.k, { title: "ship it", assignee: "coder" })).task;
    await addNotifySub(b.k, { task_id: task.id, platform: "webhook", chat_id: `${url}/hook` });
    await addNotifySub(b.k, { task_id: task.id, platform: "slack", chat_id: `${url}/slack`, thread_id: "123.45" });
    await blockTask(b.k, task.id, { reason: "need review" });
    expect(await notifier.tick()).toMatchObject({ sent: 2, failed: 0 });

    const hook = received.find((r) => r.path === "/hook");
    const webhook = WebhookNotification.parse(hook?.body);
    expect(webhook).toMatchObject({
      task: { id: task.id, status: "blocked" },
      event: { kind: "blocked", payload: { reason: "need review" } },
      text: `⏸ @coder Kanban ${task.id} blocked: need review`,
      board: "default",
    });
    const slack = SlackNotification.parse(received.find((r) => r.path === "/slack")?.body);
    expect(slack).toEqual({ text: `⏸ @coder Kanban ${task.id} blocked: need review`, thread_ts: "123.45" });
  });

  it("counts an error answer as a failed send: a receiver that fails 3 times loses its subscription", async () => {
    const { url, received } = await receiver(() => 500);
    const b = await freshBoard();
    const notifier = createNotifier({ home: b.home, send: createHttpSender(), clock: b.clock });
    const task = (await createTask(b.k, { title: "t", assignee: "coder" })).task;
    await addNotifySub(b.k, { task_id: task.id, platform: "webhook", chat_id: url });
    await blockTask(b.k, task.id, { reason: "x" });
    for (let i = 0; i < 3; i++) await notifier.tick();
    expect(received).toHaveLength(3);
    expect(await listNotifySubs(b.k, task.id)).toEqual([]);
  });

  it("fails a send to a chat_id that is not an http(s) URL, or that does not answer in time", async () => {
    const send = createHttpSender({ timeoutMs: 200 });
    const { k } = await freshBoard();
    const task = (await createTask(k, { title: "t" })).task;
    const n = (chat_id: string): Notification => ({
      board: "default",
      platform: "webhook",
      chat_id,
      thread_id: "",
      task,
      event: { id: 1, task_id: task.id, run_id: null, kind: "blocked", payload: { reason: null }, created_at: 0 },
      text: "x",
    });
    await expect(send(n("file:///etc/passwd"))).rejects.toThrow("not an http(s) URL");
    await expect(send(n("not a url"))).rejects.toThrow("is not a URL");

    const silent = createServer(() => {});
    servers.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    await expect(send(n(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/`))).rejects.toThrow();
  });
});
