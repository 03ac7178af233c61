import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebhookNotification } from "@switchyard/contract";
import {
  addNotifySub,
  blockTask,
  boardPaths,
  createTask,
  listNotifySubs,
  openKernel,
  unblockTask,
} from "@switchyard/core";
import { configPath, type Notifier, type NotifyTickResult } from "@switchyard/runtime";
import { afterEach, describe, expect, it } from "vitest";
import { startServer } from "../src/main.ts";
import { startNotifyLoop } from "../src/notify-loop.ts";
import { tempHome, waitFor } from "./helpers.ts";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const emptyPass = (): NotifyTickResult => ({ sent: 0, failed: 0, dropped: [], finished: [] });

describe("the notify loop", () => {
  it("runs one pass at a time and none after stop() has resolved", async () => {
    let inFlight = 0;
    let most = 0;
    let passes = 0;
    const notifier: Notifier = {
      async tick() {
        inFlight++;
        most = Math.max(most, inFlight);
        passes++;
        await new Promise((r) => setTimeout(r, 30));
        inFlight--;
        return emptyPass();
      },
    };
    const loop = startNotifyLoop({ notifier, intervalSeconds: 0.005 });
    await waitFor("a few passes", () => passes >= 4);
    await loop.stop();
    const after = passes;
    await new Promise((r) => setTimeout(r, 100));
    expect(passes).toBe(after);
    expect(most).toBe(1);
  });

  it("keeps going after a pass that throws", async () => {
    let passes = 0;
    const logs: string[] = [];
    const notifier: Notifier = {
      async tick() {
        passes++;
        if (passes === 1) throw new Error("disk on fire");
        return emptyPass();
      },
    };
    const loop = startNotifyLoop({ notifier, intervalSeconds: 0.005, log: (m) => logs.push(m) });
    cleanups.push(() => loop.stop());
    await waitFor("a second pass", () => passes >= 2);
    expect(logs).toEqual(["notify: delivery pass failed: disk on fire"]);
  });
});

describe("notifications from a running server", () => {
  async function receiver(status: () => number) {
    const bodies: unknown[] = [];
    const server: Server = createServer(async (req, res) => {
      let text = "";
      for await (const chunk of req) text += chunk;
      bodies.push(JSON.parse(text));
      res.writeHead(status()).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(
      () =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(resolve);
        }),
    );
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
  }

  async function serve() {
    const home = tempHome();
    writeFileSync(configPath(home), "notify:\n  interval_seconds: 0.1\n");
    const server = await startServer({ home, port: 0, webRoot: null, dispatch: false, log: () => {} });
    const k = await openKernel(boardPaths(home, "default"));
    cleanups.push(async () => {
      await server.close();
      await k.close();
    });
    return { k };
  }

  it("reach a local HTTP receiver, twice for a task blocked, unblocked and blocked again", async () => {
    const { url, bodies } = await receiver(() => 200);
    const { k } = await serve();
    const task = (await createTask(k, { title: "needs a decision", assignee: "coder" })).task;
    await addNotifySub(k, { task_id: task.id, platform: "webhook", chat_id: url });
    await blockTask(k, task.id, { reason: "which region?" });
    await waitFor("the first message", () => bodies.length === 1);
    await unblockTask(k, task.id);
    await blockTask(k, task.id, { reason: "which zone?" });
    await waitFor("the second message", () => bodies.length === 2);
    expect(bodies.map((b) => WebhookNotification.parse(b).text)).toEqual([
      `⏸ @coder Kanban ${task.id} blocked: which region?`,
      `⏸ @coder Kanban ${task.id} blocked: which zone?`,
    ]);
    expect(await listNotifySubs(k, task.id)).toHaveLength(1);
  });

  it("drop the subscription of a receiver that fails 3 times in a row", async () => {
    const { url, bodies } = await receiver(() => 503);
    const { k } = await serve();
    const task = (await createTask(k, { title: "t", assignee: "coder" })).task;
    await addNotifySub(k, { task_id: task.id, platform: "webhook", chat_id: url });
    await blockTask(k, task.id, { reason: "x" });
    await waitFor("the subscription to be dropped", async () => (await listNotifySubs(k, task.id)).length === 0);
    expect(bodies).toHaveLength(3);
  });
});
