import type { EventsMessage } from "@switchyard/contract";
import { boardPaths, createBoard, createTask, openKernel, removeBoard } from "@switchyard/core";
import { afterEach, describe, expect, it } from "vitest";
import { createEventHub, type EventHub, PAGE_SIZE } from "../src/event-hub.ts";
import { tempHome, until } from "./helpers.ts";

const hubs: EventHub[] = [];
afterEach(() => {
  for (const hub of hubs.splice(0)) hub.close();
});

function setup(intervalMs = 20) {
  const home = tempHome();
  const writer = openKernel(boardPaths(home, "default"));
  const hub = createEventHub({ open: (slug) => openKernel(boardPaths(home, slug)), intervalMs });
  hubs.push(hub);
  const messages: EventsMessage[] = [];
  const ids = () => messages.flatMap((m) => m.events.map((e) => e.id));
  return { home, writer, hub, messages, ids };
}

describe("the event hub", () => {
  it("notices a commit made by another connection without being poked", async () => {
    const { writer, hub, messages, ids } = setup();
    hub.subscribe("default", (m) => messages.push(m));
    const { task } = createTask(writer, { title: "from elsewhere" });
    await until(() => ids().length === 1, "the created event");
    expect(messages[0]?.events[0]).toMatchObject({ kind: "created", task_id: task.id });
    expect(messages[0]?.cursor).toBe(messages[0]?.events[0]?.id);
    writer.close();
  });

  it("notices another connection's commit from the file's change notification, without waiting for the timer", async () => {
    const { writer, hub, messages, ids } = setup(3_600_000); // the timer never fires during the test
    hub.subscribe("default", (m) => messages.push(m));
    const { task } = createTask(writer, { title: "seen through the watch" });
    await until(() => ids().length === 1, "the created event, without a poll or a poke");
    expect(messages[0]?.events[0]).toMatchObject({ kind: "created", task_id: task.id });
    writer.close();
  });

  it("delivers at once when poked after a write", () => {
    const { writer, hub, messages } = setup(60_000);
    hub.subscribe("default", (m) => messages.push(m));
    createTask(writer, { title: "mine" });
    hub.poke("default");
    expect(messages.flatMap((m) => m.events.map((e) => e.kind))).toEqual(["created"]);
    writer.close();
  });

  it("replays everything after `since` in pages, then continues without gaps or duplicates", () => {
    const { writer, hub, messages, ids } = setup(60_000);
    for (let i = 0; i < 450; i++) createTask(writer, { title: `t${i}` });
    hub.subscribe("default", (m) => messages.push(m), { since: 10 });
    expect(messages.every((m) => m.events.length <= PAGE_SIZE)).toBe(true);
    expect(ids()).toEqual(Array.from({ length: 440 }, (_, i) => i + 11));
    createTask(writer, { title: "after" });
    hub.poke("default");
    hub.poke("default");
    expect(ids()).toEqual(Array.from({ length: 441 }, (_, i) => i + 11));
    writer.close();
  });

  it("gives a new listener only new events, and a late joiner with since exactly what it missed", () => {
    const { writer, hub, messages, ids } = setup(60_000);
    createTask(writer, { title: "before" });
    hub.subscribe("default", (m) => messages.push(m));
    createTask(writer, { title: "first" });
    hub.poke("default");
    expect(ids()).toEqual([2]);
    const late: EventsMessage[] = [];
    hub.subscribe("default", (m) => late.push(m), { since: 1 });
    createTask(writer, { title: "second" });
    hub.poke("default");
    expect(late.flatMap((m) => m.events.map((e) => e.id))).toEqual([2, 3]);
    expect(ids()).toEqual([2, 3]);
    writer.close();
  });

  it("skips a row this version cannot describe, but moves the cursor past it", () => {
    const { writer, hub, messages } = setup(60_000);
    const { task } = createTask(writer, { title: "x" });
    writer.db
      .prepare(
        "INSERT INTO task_events (task_id, run_id, kind, payload, created_at) VALUES (?, NULL, 'diagnostic', '{}', 1)",
      )
      .run(task.id);
    hub.subscribe("default", (m) => messages.push(m), { since: 0 });
    expect(messages).toEqual([{ events: [expect.objectContaining({ id: 1, kind: "created" })], cursor: 2 }]);
    writer.close();
  });

  it("tells listeners when a board's feed ends", () => {
    const { writer, hub } = setup(60_000);
    let ended = 0;
    hub.subscribe("default", () => {}, { onEnd: () => ended++ });
    hub.forget("default");
    expect(ended).toBe(1);
    writer.close();
  });

  it("ends a board's feed when its file is moved away by another process", async () => {
    const { home, writer, hub } = setup();
    createBoard(home, "ops", {}, { now: 1 });
    let ended = false;
    hub.subscribe("ops", () => {}, {
      onEnd: () => {
        ended = true;
      },
    });
    removeBoard(home, "ops", { now: 2 });
    await until(() => ended, "the feed to end");
    writer.close();
  });

  it("keeps delivering to the others when one listener throws", () => {
    const { writer, hub, messages } = setup(60_000);
    hub.subscribe("default", () => {
      throw new Error("broken listener");
    });
    hub.subscribe("default", (m) => messages.push(m));
    createTask(writer, { title: "x" });
    hub.poke("default");
    expect(messages).toHaveLength(1);
    writer.close();
  });
});
