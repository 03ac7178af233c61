import { renameSync } from "node:fs";
import type { EventsMessage } from "@switchyard/contract";
import { boardPaths, createBoard, createTask, type Kernel, openKernel, removeBoard } from "@switchyard/core";
import { afterEach, describe, expect, it } from "vitest";
import { createEventHub, type EventHub, PAGE_SIZE } from "../src/event-hub.ts";
import { tempHome, until } from "./helpers.ts";

const hubs: EventHub[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
});

/** A home, a writer on its default board (another connection than the hub's), and a hub whose kernels poll every `pollMs`. */
async function setup(pollMs = 20) {
  const home = tempHome();
  const writer = await openKernel(boardPaths(home, "default"));
  const hub = createEventHub({ open: (slug) => openKernel(boardPaths(home, slug), { pollMs }) });
  hubs.push(hub);
  const messages: EventsMessage[] = [];
  const ids = () => messages.flatMap((m) => m.events.map((e) => e.id));
  return { home, writer, hub, messages, ids };
}

describe("the event hub", () => {
  it("notices a commit made by another connection without being poked", async () => {
    const { writer, hub, messages, ids } = await setup();
    await hub.subscribe("default", (m) => messages.push(m));
    const { task } = await createTask(writer, { title: "from elsewhere" });
    await until(() => ids().length === 1, "the created event");
    expect(messages[0]?.events[0]).toMatchObject({ kind: "created", task_id: task.id });
    expect(messages[0]?.cursor).toBe(messages[0]?.events[0]?.id);
    await writer.close();
  });

  it("notices another connection's commit from the file's change notification, without waiting for the timer", async () => {
    const { writer, hub, messages, ids } = await setup(3_600_000); // the poll never fires during the test
    await hub.subscribe("default", (m) => messages.push(m));
    const { task } = await createTask(writer, { title: "seen through the watch" });
    await until(() => ids().length === 1, "the created event, without a poll or a poke");
    expect(messages[0]?.events[0]).toMatchObject({ kind: "created", task_id: task.id });
    await writer.close();
  });

  it("delivers at once when poked after a write", async () => {
    const { writer, hub, messages } = await setup(60_000);
    await hub.subscribe("default", (m) => messages.push(m));
    await createTask(writer, { title: "mine" });
    await hub.poke("default");
    expect(messages.flatMap((m) => m.events.map((e) => e.kind))).toEqual(["created"]);
    await writer.close();
  });

  it("replays everything after `since` in pages, then continues without gaps or duplicates", async () => {
    const { writer, hub, messages, ids } = await setup(60_000);
    for (let i = 0; i < 450; i++) await createTask(writer, { title: `t${i}` });
    await hub.subscribe("default", (m) => messages.push(m), { since: 10 });
    expect(messages.every((m) => m.events.length <= PAGE_SIZE)).toBe(true);
    expect(ids()).toEqual(Array.from({ length: 440 }, (_, i) => i + 11));
    await createTask(writer, { title: "after" });
    await hub.poke("default");
    await hub.poke("default");
    expect(ids()).toEqual(Array.from({ length: 441 }, (_, i) => i + 11));
    await writer.close();
  });

  it("gives a new listener only new events, and a late joiner with since exactly what it missed", async () => {
    const { writer, hub, messages, ids } = await setup(60_000);
    await createTask(writer, { title: "before" });
    await hub.subscribe("default", (m) => messages.push(m));
    await createTask(writer, { title: "first" });
    await hub.poke("default");
    expect(ids()).toEqual([2]);
    const late: EventsMessage[] = [];
    await hub.subscribe("default", (m) => late.push(m), { since: 1 });
    await createTask(writer, { title: "second" });
    await hub.poke("default");
    expect(late.flatMap((m) => m.events.map((e) => e.id))).toEqual([2, 3]);
    expect(ids()).toEqual([2, 3]);
    await writer.close();
  });

  it("skips a row this version cannot describe, but moves the cursor past it", async () => {
    const { writer, hub, messages } = await setup(60_000);
    const { task } = await createTask(writer, { title: "x" });
    await writer.write((k) =>
      k.db.run(
        "INSERT INTO task_events (task_id, run_id, kind, payload, created_at) VALUES (?, NULL, 'diagnostic', '{}', 1)",
        [task.id],
      ),
    );
    await hub.subscribe("default", (m) => messages.push(m), { since: 0 });
    expect(messages).toEqual([{ events: [expect.objectContaining({ id: 1, kind: "created" })], cursor: 2 }]);
    await writer.close();
  });

  it("tells listeners when a board's feed ends", async () => {
    const { writer, hub } = await setup(60_000);
    let ended = 0;
    await hub.subscribe("default", () => {}, { onEnd: () => ended++ });
    await hub.forget("default");
    expect(ended).toBe(1);
    await writer.close();
  });

  it("ends a board's feed when its file is moved away by another process", async () => {
    const { home, writer, hub } = await setup();
    await createBoard(home, "ops", {}, { now: 1 });
    let ended = false;
    await hub.subscribe("ops", () => {}, {
      onEnd: () => {
        ended = true;
      },
    });
    await removeBoard(home, "ops", { now: 2 });
    await until(() => ended, "the feed to end");
    await writer.close();
  });

  it("ends a board's feed when another process replaces its file", async () => {
    const { home, writer, hub } = await setup(3_600_000); // only the file's change notification can tell
    await createBoard(home, "ops", {}, { now: 1 });
    await createBoard(home, "spare", {}, { now: 1 });
    let ended = false;
    await hub.subscribe("ops", () => {}, {
      onEnd: () => {
        ended = true;
      },
    });
    renameSync(boardPaths(home, "spare").dbPath, boardPaths(home, "ops").dbPath);
    await until(() => ended, "the feed to end");
    await writer.close();
  });

  it("delivers every event once and in order while commits and pokes arrive together", async () => {
    const { writer, hub, messages, ids } = await setup(5);
    await hub.subscribe("default", (m) => messages.push(m));
    const pokes: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      await createTask(writer, { title: `t${i}` });
      pokes.push(hub.poke("default"));
    }
    await Promise.all(pokes);
    await until(() => ids().length >= 60, "every created event");
    expect(ids()).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(messages.map((m) => m.cursor)).toEqual([...messages.map((m) => m.cursor)].sort((a, b) => a - b));
    await writer.close();
  });

  it("opens one kernel for a board however many subscribe at once, and closes it with the last", async () => {
    const home = tempHome();
    const writer = await openKernel(boardPaths(home, "default"));
    const opened: Kernel[] = [];
    const hub = createEventHub({
      open: async (slug) => {
        const k = await openKernel(boardPaths(home, slug), { pollMs: 20 });
        opened.push(k);
        return k;
      },
    });
    hubs.push(hub);
    const seen: number[][] = [[], [], []];
    const stops = await Promise.all(
      seen.map((into) => hub.subscribe("default", (m) => into.push(...m.events.map((e) => e.id)))),
    );
    expect(opened).toHaveLength(1);
    await createTask(writer, { title: "for all three" });
    await until(() => seen.every((s) => s.length === 1), "the event on every listener");
    expect(seen).toEqual([[1], [1], [1]]);
    for (const stop of stops) stop();
    await until(() => opened[0]?.stale() === true, "the feed's kernel to close");
    await writer.close();
  });

  it("refuses to subscribe to a board it cannot open, and opens it afresh next time", async () => {
    const home = tempHome();
    let attempts = 0;
    const hub = createEventHub({
      open: async (slug) => {
        attempts++;
        if (attempts === 1) throw new Error("disk on fire");
        return openKernel(boardPaths(home, slug), { pollMs: 20 });
      },
    });
    hubs.push(hub);
    await expect(hub.subscribe("default", () => {})).rejects.toThrow("disk on fire");
    const stop = await hub.subscribe("default", () => {});
    expect(attempts).toBe(2);
    stop();
  });

  it("keeps delivering to the others when one listener throws", async () => {
    const { writer, hub, messages } = await setup(60_000);
    await hub.subscribe("default", () => {
      throw new Error("broken listener");
    });
    await hub.subscribe("default", (m) => messages.push(m));
    await createTask(writer, { title: "x" });
    await hub.poke("default");
    expect(messages).toHaveLength(1);
    await writer.close();
  });
});
