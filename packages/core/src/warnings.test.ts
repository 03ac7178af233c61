import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { claimTask } from "./claims.ts";
import { completeTask, editCompletedResult } from "./completion.ts";
import type { Kernel } from "./kernel.ts";
import { archiveTask } from "./moves.ts";
import { createTask, editTask, listTasks } from "./tasks.ts";
import { boardWarnings, taskWarnings } from "./warnings.ts";

const PHANTOM = "t_deadbeefcafe";

async function running(k: Kernel, title = "work") {
  const t = (await createTask(k, { title, assignee: "alice" })).task;
  await claimTask(k, t.id);
  return t.id;
}

async function rejectOnce(k: Kernel, id: string): Promise<void> {
  await refusal(() => completeTask(k, id, { created_cards: [PHANTOM] }));
}

describe("taskWarnings", () => {
  it("reports a gate rejection as {count, kinds, latest_at}", async () => {
    const { k, clock } = await freshBoard();
    const id = await running(k);
    await rejectOnce(k, id);
    clock.advance(50);
    await rejectOnce(k, id);
    expect(await taskWarnings(k, id)).toEqual({
      count: 2,
      kinds: { completion_blocked_hallucination: 2 },
      latest_at: clock.now(),
    });
  });

  it("gives no warning at all to a task without hallucination events", async () => {
    const { k } = await freshBoard();
    const id = await running(k);
    await completeTask(k, id, { result: "clean" });
    expect(await taskWarnings(k, id)).toBeUndefined();
  });

  it("is cleared by a clean retry's completed event", async () => {
    const { k } = await freshBoard();
    const id = await running(k);
    await rejectOnce(k, id);
    await completeTask(k, id, { result: "clean" });
    expect(await taskWarnings(k, id)).toBeUndefined();
    expect((await boardWarnings(k)).has(id)).toBe(false);
  });

  it("stays active after a successful completion whose own prose names a phantom id", async () => {
    const { k, clock } = await freshBoard();
    const id = await running(k);
    await rejectOnce(k, id);
    clock.advance(10);
    await completeTask(k, id, { summary: `done; see ${PHANTOM}` });
    expect(await taskWarnings(k, id)).toEqual({
      count: 1,
      kinds: { suspected_hallucinated_references: 1 },
      latest_at: clock.now(),
    });
  });

  it("is cleared by an edited event, from a title edit or a result edit", async () => {
    const { k } = await freshBoard();
    const a = await running(k, "a");
    await rejectOnce(k, a);
    await editTask(k, a, { title: "a, renamed" });
    expect(await taskWarnings(k, a)).toBeUndefined();

    const b = await running(k, "b");
    await completeTask(k, b, { summary: `see ${PHANTOM}` });
    expect((await taskWarnings(k, b))?.count).toBe(1);
    await editCompletedResult(k, b, { result: "corrected" });
    expect(await taskWarnings(k, b)).toBeUndefined();
  });

  it("counts a new rejection after an earlier clearing event", async () => {
    const { k } = await freshBoard();
    const id = await running(k);
    await rejectOnce(k, id);
    await editTask(k, id, { body: "more detail" });
    await rejectOnce(k, id);
    expect((await taskWarnings(k, id))?.count).toBe(1);
  });
});

describe("boardWarnings", () => {
  it("agrees with taskWarnings for every task on a board with a mix of cases", async () => {
    const { k, clock } = await freshBoard();
    const clean = await running(k, "clean");
    await completeTask(k, clean, { result: "ok" });
    const rejected = await running(k, "rejected twice");
    await rejectOnce(k, rejected);
    clock.advance(5);
    await rejectOnce(k, rejected);
    const retried = await running(k, "rejected then retried");
    await rejectOnce(k, retried);
    await completeTask(k, retried, { result: "ok" });
    const prose = await running(k, "both kinds");
    await rejectOnce(k, prose);
    clock.advance(5);
    await completeTask(k, prose, { summary: `mentions ${PHANTOM} and t_0badc0ffee` });
    const edited = await running(k, "edited");
    await rejectOnce(k, edited);
    await editTask(k, edited, { title: "edited, renamed" });
    const archived = await running(k, "archived");
    await rejectOnce(k, archived);
    await archiveTask(k, archived);
    await createTask(k, { title: "untouched" });

    const board = await boardWarnings(k);
    const tasks = await listTasks(k, { includeArchived: true });
    expect(tasks).toHaveLength(7);
    for (const t of tasks) expect(board.get(t.id)).toEqual(await taskWarnings(k, t.id));
    expect([...board.keys()].sort()).toEqual([archived, prose, rejected].sort());
    expect(board.get(rejected)?.count).toBe(2);
    expect(board.get(prose)?.kinds).toEqual({ suspected_hallucinated_references: 1 });
    expect(board.get(archived)?.kinds).toEqual({ completion_blocked_hallucination: 1 });
  });
});
