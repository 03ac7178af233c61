import {
  addComment,
  archiveTask,
  assignTask,
  blockTask,
  boardCounts,
  claimTask,
  completeTask,
  createTask,
  editTask,
  eventsSince,
  getTask,
  heartbeatWorker,
  type Kernel,
  linkTasks,
  reclaimTask,
  recordFailure,
  setPriority,
  setStatusDirect,
  unblockTask,
} from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { changesBoardCounts } from "../src/api/count-events.ts";
import { freshKernel } from "./fresh-kernel.ts";

/** Runs a real kernel change; says whether the board's counts moved and what its events claim. */
function change(k: Kernel, act: () => unknown): { moved: boolean; claimed: boolean } {
  const cursor = Number(k.stmt("SELECT COALESCE(MAX(id), 0) FROM task_events").pluck().get());
  const before = JSON.stringify(boardCounts(k));
  act();
  return {
    moved: JSON.stringify(boardCounts(k)) !== before,
    claimed: changesBoardCounts(eventsSince(k, cursor, 10_000)),
  };
}

describe("which events may change the board switcher's counts", () => {
  it("flags every real change that moved the counts: creation, claims, completion, blocking, failures, archiving", () => {
    const k = freshKernel();
    const run = (id: string) => getTask(k, id)?.current_run_id ?? null;
    const moves: Array<() => unknown> = [];
    let a = "";
    let b = "";
    moves.push(() => {
      a = createTask(k, { title: "A", assignee: "alice" }).task.id;
    });
    moves.push(() => {
      b = createTask(k, { title: "B", assignee: "bob" }).task.id;
    });
    moves.push(() => linkTasks(k, a, b));
    moves.push(() => setStatusDirect(k, a, "triage"));
    moves.push(() => setStatusDirect(k, a, "ready"));
    moves.push(() => claimTask(k, a));
    moves.push(() => reclaimTask(k, a, { reason: "stuck" }));
    moves.push(() => claimTask(k, a));
    moves.push(() => recordFailure(k, a, { kind: "crashed", error: "exit 1", runId: run(a), pid: 7 }, 2));
    moves.push(() => claimTask(k, a));
    moves.push(() => recordFailure(k, a, { kind: "timed_out", error: "slow", runId: run(a) }, 2));
    moves.push(() => unblockTask(k, a));
    moves.push(() => claimTask(k, a));
    moves.push(() => completeTask(k, a, { result: "done" }));
    moves.push(() => blockTask(k, b, { reason: "keys" }));
    moves.push(() => archiveTask(k, b));
    moves.forEach((move, step) => {
      expect({ step, ...change(k, move) }).toEqual({ step, moved: true, claimed: true });
    });
  });

  it("leaves the counts alone for comments, heartbeats, assignments, edits and priorities", () => {
    const k = freshKernel();
    const t = createTask(k, { title: "Busy", assignee: "alice" }).task;
    expect(change(k, () => assignTask(k, t.id, "bob"))).toEqual({ moved: false, claimed: false });
    claimTask(k, t.id);
    for (const move of [
      () => addComment(k, t.id, "worker", "progress"),
      () => heartbeatWorker(k, t.id),
      () => editTask(k, t.id, { title: "Busier" }),
      () => setPriority(k, t.id, 3),
    ]) {
      expect(change(k, move)).toEqual({ moved: false, claimed: false });
    }
  });
});
