import { describe, expect, it } from "vitest";
import { freshBoard } from "../test/fixtures.ts";
import { blockTask } from "./blocking.ts";
import { completeTask } from "./completion.ts";
import type { Kernel } from "./kernel.ts";
import {
  addNotifySub,
  advanceNotifyCursor,
  listNotifySubs,
  removeNotifySub,
  type SubKey,
  unseenEventsForSub,
} from "./notify.ts";
import { createTask } from "./tasks.ts";

function subscribed(k: Kernel): SubKey {
  const t = createTask(k, { title: "watched" }).task;
  const key = { task_id: t.id, platform: "webhook", chat_id: "https://hooks.example/1" };
  addNotifySub(k, { ...key, user_id: "u1" });
  return key;
}

describe("notify subscriptions", () => {
  it("adds a subscription at cursor 0 with an empty thread", () => {
    const { k, clock } = freshBoard();
    const key = subscribed(k);
    expect(listNotifySubs(k, key.task_id)).toEqual([
      { ...key, thread_id: "", user_id: "u1", created_at: clock.now(), last_event_id: 0 },
    ]);
  });

  it("is idempotent: adding again keeps the one row and its cursor", () => {
    const { k } = freshBoard();
    const key = subscribed(k);
    advanceNotifyCursor(k, key, 7);
    const again = addNotifySub(k, { ...key, thread_id: null, user_id: "someone else" });
    expect(again).toMatchObject({ last_event_id: 7, user_id: "u1" });
    expect(listNotifySubs(k, key.task_id)).toHaveLength(1);
  });

  it("tells threads apart, and lists one task's subscriptions or all of them", () => {
    const { k } = freshBoard();
    const key = subscribed(k);
    addNotifySub(k, { ...key, thread_id: "t-9" });
    const other = subscribed(k);
    expect(listNotifySubs(k, key.task_id).map((s) => s.thread_id)).toEqual(["", "t-9"]);
    expect(listNotifySubs(k)).toHaveLength(3);
    expect(listNotifySubs(k, other.task_id)).toHaveLength(1);
  });

  it("removes a subscription once, and reports false for one that does not exist", () => {
    const { k } = freshBoard();
    const key = subscribed(k);
    expect(removeNotifySub(k, key)).toBe(true);
    expect(removeNotifySub(k, key)).toBe(false);
    expect(listNotifySubs(k, key.task_id)).toEqual([]);
  });
});

describe("unseenEventsForSub", () => {
  it("returns the task's events after the cursor, filtered by kind, without moving the cursor", () => {
    const { k } = freshBoard();
    const key = subscribed(k);
    blockTask(k, key.task_id, { reason: "waiting" });
    completeTask(k, key.task_id, { result: "ok" });
    createTask(k, { title: "someone else's task" });
    const first = unseenEventsForSub(k, key, ["completed", "blocked"]);
    expect(first.events.map((e) => e.kind)).toEqual(["blocked", "completed"]);
    expect(first.events.every((e) => e.task_id === key.task_id)).toBe(true);
    expect(first.maxId).toBeGreaterThanOrEqual(first.events[1]?.id ?? Number.POSITIVE_INFINITY);
    expect(unseenEventsForSub(k, key, ["completed", "blocked"])).toEqual(first);
    expect(unseenEventsForSub(k, key).events.map((e) => e.kind)).toEqual(["created", "blocked", "completed"]);
  });

  it("returns only newer events once the cursor is advanced, and nothing when caught up", () => {
    const { k } = freshBoard();
    const key = subscribed(k);
    blockTask(k, key.task_id, { reason: "waiting" });
    const seen = unseenEventsForSub(k, key);
    advanceNotifyCursor(k, key, seen.maxId);
    expect(unseenEventsForSub(k, key)).toEqual({ maxId: seen.maxId, events: [] });
    completeTask(k, key.task_id, { result: "ok" });
    expect(unseenEventsForSub(k, key).events.map((e) => e.kind)).toEqual(["completed"]);
  });

  it("never moves the cursor backwards", () => {
    const { k } = freshBoard();
    const key = subscribed(k);
    blockTask(k, key.task_id);
    const { maxId } = unseenEventsForSub(k, key);
    advanceNotifyCursor(k, key, maxId);
    advanceNotifyCursor(k, key, 0);
    expect(listNotifySubs(k, key.task_id)[0]?.last_event_id).toBe(maxId);
  });

  it("gives (0, []) for a missing subscription", () => {
    const { k } = freshBoard();
    const key = subscribed(k);
    expect(unseenEventsForSub(k, { ...key, chat_id: "nobody" })).toEqual({ maxId: 0, events: [] });
  });
});
