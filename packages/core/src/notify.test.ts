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

async function subscribed(k: Kernel): Promise<SubKey> {
  const t = (await createTask(k, { title: "watched" })).task;
  const key = { task_id: t.id, platform: "webhook", chat_id: "https://hooks.example/1" };
  await addNotifySub(k, { ...key, user_id: "u1" });
  return key;
}

describe("notify subscriptions", () => {
  it("adds a subscription at cursor 0 with an empty thread", async () => {
    const { k, clock } = await freshBoard();
    const key = await subscribed(k);
    expect(await listNotifySubs(k, key.task_id)).toEqual([
      { ...key, thread_id: "", user_id: "u1", created_at: clock.now(), last_event_id: 0 },
    ]);
  });

  it("is idempotent: adding again keeps the one row and its cursor", async () => {
    const { k } = await freshBoard();
    const key = await subscribed(k);
    await advanceNotifyCursor(k, key, 7);
    const again = await addNotifySub(k, { ...key, thread_id: null, user_id: "someone else" });
    expect(again).toMatchObject({ last_event_id: 7, user_id: "u1" });
    expect(await listNotifySubs(k, key.task_id)).toHaveLength(1);
  });

  it("tells threads apart, and lists one task's subscriptions or all of them", async () => {
    const { k } = await freshBoard();
    const key = await subscribed(k);
    await addNotifySub(k, { ...key, thread_id: "t-9" });
    const other = await subscribed(k);
    expect((await listNotifySubs(k, key.task_id)).map((s) => s.thread_id)).toEqual(["", "t-9"]);
    expect(await listNotifySubs(k)).toHaveLength(3);
    expect(await listNotifySubs(k, other.task_id)).toHaveLength(1);
  });

  it("removes a subscription once, and reports false for one that does not exist", async () => {
    const { k } = await freshBoard();
    const key = await subscribed(k);
    expect(await removeNotifySub(k, key)).toBe(true);
    expect(await removeNotifySub(k, key)).toBe(false);
    expect(await listNotifySubs(k, key.task_id)).toEqual([]);
  });
});

describe("unseenEventsForSub", () => {
  it("returns the task's events after the cursor, filtered by kind, without moving the cursor", async () => {
    const { k } = await freshBoard();
    const key = await subscribed(k);
    await blockTask(k, key.task_id, { reason: "waiting" });
    await completeTask(k, key.task_id, { result: "ok" });
    await createTask(k, { title: "someone else's task" });
    const first = await unseenEventsForSub(k, key, ["completed", "blocked"]);
    expect(first.events.map((e) => e.kind)).toEqual(["blocked", "completed"]);
    expect(first.events.every((e) => e.task_id === key.task_id)).toBe(true);
    expect(first.maxId).toBeGreaterThanOrEqual(first.events[1]?.id ?? Number.POSITIVE_INFINITY);
    expect(await unseenEventsForSub(k, key, ["completed", "blocked"])).toEqual(first);
    expect((await unseenEventsForSub(k, key)).events.map((e) => e.kind)).toEqual([
      "created",
      "blocked",
      "commented", // the block's reason, posted as a comment
      "completed",
    ]);
  });

  it("returns only newer events once the cursor is advanced, and nothing when caught up", async () => {
    const { k } = await freshBoard();
    const key = await subscribed(k);
    await blockTask(k, key.task_id, { reason: "waiting" });
    const seen = await unseenEventsForSub(k, key);
    await advanceNotifyCursor(k, key, seen.maxId);
    expect(await unseenEventsForSub(k, key)).toEqual({ maxId: seen.maxId, events: [] });
    await completeTask(k, key.task_id, { result: "ok" });
    expect((await unseenEventsForSub(k, key)).events.map((e) => e.kind)).toEqual(["completed"]);
  });

  it("never moves the cursor backwards", async () => {
    const { k } = await freshBoard();
    const key = await subscribed(k);
    await blockTask(k, key.task_id);
    const { maxId } = await unseenEventsForSub(k, key);
    await advanceNotifyCursor(k, key, maxId);
    await advanceNotifyCursor(k, key, 0);
    expect((await listNotifySubs(k, key.task_id))[0]?.last_event_id).toBe(maxId);
  });

  it("gives (0, []) for a missing subscription", async () => {
    const { k } = await freshBoard();
    const key = await subscribed(k);
    expect(await unseenEventsForSub(k, { ...key, chat_id: "nobody" })).toEqual({ maxId: 0, events: [] });
  });
});
