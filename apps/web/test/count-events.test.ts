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
  finishChecks,
  getTask,
  heartbeatWorker,
  type Kernel,
  linkTasks,
  reclaimTask,
  recordFailure,
  setPriority,
  setStatusDirect,
  unblockTask,
  waiveCompletion,
} from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { changesBoardCounts } from "../src/api/count-events.ts";
import { freshKernel } from "./fresh-kernel.ts";
import { claimedUnderVerify, FAILED_TESTS } from "./proof-fixtures.ts";

/** Runs a real kernel change; says whether the board's counts moved and what its events claim. */
async function change(k: Kernel, act: () => Promise<unknown>): Promise<{ moved: boolean; claimed: boolean }> {
  const cursor = Number((await k.db.get<{ id: number }>("SELECT COALESCE(MAX(id), 0) AS id FROM task_events", []))?.id);
  const before = JSON.stringify(await boardCounts(k));
  await act();
  return {
    moved: JSON.stringify(await boardCounts(k)) !== before,
    claimed: changesBoardCounts(await eventsSince(k, cursor, 10_000)),
  };
}

describe("which events may change the board switcher's counts", () => {
  it("flags every real change that moved the counts: creation, claims, completion, blocking, failures, archiving", async () => {
    const k = await freshKernel();
    const run = async (id: string) => (await getTask(k, id))?.current_run_id ?? null;
    const moves: Array<() => Promise<unknown>> = [];
    let a = "";
    let b = "";
    moves.push(async () => {
      a = (await createTask(k, { title: "A", assignee: "alice" })).task.id;
    });
    moves.push(async () => {
      b = (await createTask(k, { title: "B", assignee: "bob" })).task.id;
    });
    moves.push(() => linkTasks(k, a, b));
    moves.push(() => setStatusDirect(k, a, "triage"));
    moves.push(() => setStatusDirect(k, a, "ready"));
    moves.push(() => claimTask(k, a));
    moves.push(() => reclaimTask(k, a, { reason: "stuck" }));
    moves.push(() => claimTask(k, a));
    moves.push(async () => recordFailure(k, a, { kind: "crashed", error: "exit 1", runId: await run(a), pid: 7 }, 2));
    moves.push(() => claimTask(k, a));
    moves.push(async () => recordFailure(k, a, { kind: "timed_out", error: "slow", runId: await run(a) }, 2));
    moves.push(() => unblockTask(k, a));
    moves.push(() => claimTask(k, a));
    moves.push(() => completeTask(k, a, { result: "done" }));
    moves.push(() => blockTask(k, b, { reason: "keys" }));
    moves.push(() => archiveTask(k, b));
    for (const [step, move] of moves.entries()) {
      expect({ step, ...(await change(k, move)) }).toEqual({ step, moved: true, claimed: true });
    }
  });

  it("flags a completion the board's check refused (back to ready) and one accepted without proof, not one handed in", async () => {
    const k = await freshKernel();
    const { id, runId } = await claimedUnderVerify(k);
    const t = { id };
    expect(await change(k, () => completeTask(k, t.id, { result: "x" }))).toEqual({ moved: false, claimed: false });
    const failed = FAILED_TESTS;
    expect(await change(k, () => finishChecks(k, t.id, runId, [failed]))).toEqual({ moved: true, claimed: true });
    expect(await change(k, () => waiveCompletion(k, t.id, { reason: "flaky CI" }))).toEqual({
      moved: true,
      claimed: true,
    });
  });

  it("leaves the counts alone for comments, heartbeats, assignments, edits and priorities", async () => {
    const k = await freshKernel();
    const t = (await createTask(k, { title: "Busy", assignee: "alice" })).task;
    expect(await change(k, () => assignTask(k, t.id, "bob"))).toEqual({ moved: false, claimed: false });
    await claimTask(k, t.id);
    for (const move of [
      () => addComment(k, t.id, "worker", "progress"),
      () => heartbeatWorker(k, t.id),
      () => editTask(k, t.id, { title: "Busier" }),
      () => setPriority(k, t.id, 3),
    ]) {
      expect(await change(k, move)).toEqual({ moved: false, claimed: false });
    }
  });
});
