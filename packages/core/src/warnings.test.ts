import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { claimTask } from "./claims.ts";
import { completeTask, editCompletedResult } from "./completion.ts";
import type { Kernel } from "./kernel.ts";
import { archiveTask } from "./moves.ts";
import { createTask, editTask, listTasks } from "./tasks.ts";
import { boardWarnings, taskWarnings } from "./warnings.ts";

const PHANTOM = "t_deadbeefcafe";

function running(k: Kernel, title = "work") {
  const t = createTask(k, { title, assignee: "alice" }).task;
  claimTask(k, t.id);
  return t.id;
}

function rejectOnce(k: Kernel, id: string): void {
  refusal(() => completeTask(k, id, { created_cards: [PHANTOM] }));
}

describe("taskWarnings", () => {
  it("reports a gate rejection as {count, kinds, latest_at}", () => {
    const { k, clock } = freshBoard();
    const id = running(k);
    rejectOnce(k, id);
    clock.advance(50);
    rejectOnce(k, id);
    expect(taskWarnings(k, id)).toEqual({
      count: 2,
      kinds: { completion_blocked_hallucination: 2 },
      latest_at: clock.now(),
    });
  });

  it("gives no warning at all to a task without hallucination events", () => {
    const { k } = freshBoard();
    const id = running(k);
    completeTask(k, id, { result: "clean" });
    expect(taskWarnings(k, id)).toBeUndefined();
  });

  it("is cleared by a clean retry's completed event", () => {
    const { k } = freshBoard();
    const id = running(k);
    rejectOnce(k, id);
    completeTask(k, id, { result: "clean" });
    expect(taskWarnings(k, id)).toBeUndefined();
    expect(boardWarnings(k).has(id)).toBe(false);
  });

  it("stays active after a successful completion whose own prose names a phantom id", () => {
    const { k, clock } = freshBoard();
    const id = running(k);
    rejectOnce(k, id);
    clock.advance(10);
    completeTask(k, id, { summary: `done; see ${PHANTOM}` });
    expect(taskWarnings(k, id)).toEqual({
      count: 1,
      kinds: { suspected_hallucinated_references: 1 },
      latest_at: clock.now(),
    });
  });

  it("is cleared by an edited event, from a title edit or a result edit", () => {
    const { k } = freshBoard();
    const a = running(k, "a");
    rejectOnce(k, a);
    editTask(k, a, { title: "a, renamed" });
    expect(taskWarnings(k, a)).toBeUndefined();

    const b = running(k, "b");
    completeTask(k, b, { summary: `see ${PHANTOM}` });
    expect(taskWarnings(k, b)?.count).toBe(1);
    editCompletedResult(k, b, { result: "corrected" });
    expect(taskWarnings(k, b)).toBeUndefined();
  });

  it("counts a new rejection after an earlier clearing event", () => {
    const { k } = freshBoard();
    const id = running(k);
    rejectOnce(k, id);
    editTask(k, id, { body: "more detail" });
    rejectOnce(k, id);
    expect(taskWarnings(k, id)?.count).toBe(1);
  });
});

describe("boardWarnings", () => {
  it("agrees with taskWarnings for every task on a board with a mix of cases", () => {
    const { k, clock } = freshBoard();
    const clean = running(k, "clean");
    completeTask(k, clean, { result: "ok" });
    const rejected = running(k, "rejected twice");
    rejectOnce(k, rejected);
    clock.advance(5);
    rejectOnce(k, rejected);
    const retried = running(k, "rejected then retried");
    rejectOnce(k, retried);
    completeTask(k, retried, { result: "ok" });
    const prose = running(k, "both kinds");
    rejectOnce(k, prose);
    clock.advance(5);
    completeTask(k, prose, { summary: `mentions ${PHANTOM} and t_0badc0ffee` });
    const edited = running(k, "edited");
    rejectOnce(k, edited);
    editTask(k, edited, { title: "edited, renamed" });
    const archived = running(k, "archived");
    rejectOnce(k, archived);
    archiveTask(k, archived);
    createTask(k, { title: "untouched" });

    const board = boardWarnings(k);
    const tasks = listTasks(k, { includeArchived: true });
    expect(tasks).toHaveLength(7);
    for (const t of tasks) expect(board.get(t.id)).toEqual(taskWarnings(k, t.id));
    expect([...board.keys()].sort()).toEqual([archived, prose, rejected].sort());
    expect(board.get(rejected)?.count).toBe(2);
    expect(board.get(prose)?.kinds).toEqual({ suspected_hallucinated_references: 1 });
    expect(board.get(archived)?.kinds).toEqual({ completion_blocked_hallucination: 1 });
  });
});
