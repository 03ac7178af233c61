import type { BoardResponse } from "@switchyard/contract";
import {
  addComment,
  archiveTask,
  assignTask,
  blockTask,
  boardView,
  claimTask,
  completeTask,
  createTask,
  editTask,
  eventsSince,
  finishChecks,
  heartbeatWorker,
  type Kernel,
  linkTasks,
  reclaimTask,
  recordFailure,
  setPriority,
  setStatusDirect,
  setWorkerPid,
  taskDict,
  unblockTask,
  unlinkTasks,
  waiveCompletion,
} from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { applyEvents } from "../src/api/apply-events.ts";
import type { BoardViewFilter } from "../src/api/board-cards.ts";
import { mergeTaskDetail } from "../src/api/merge-task.ts";
import { freshKernel, shownBoard, taskDetailOf } from "./fresh-kernel.ts";
import { claimedUnderVerify, FAILED_TESTS } from "./proof-fixtures.ts";

function view(k: Kernel, filter: BoardViewFilter): Promise<BoardResponse> {
  return boardView(k, { tenant: filter.tenant ?? null, includeArchived: filter.includeArchived });
}

/**
 * The oracle: the board before a change, patched with the change's events (and the cards the
 * events could not describe, refetched the way the live stream does), equals the board the
 * server shows after it.
 */
async function followLive(
  k: Kernel,
  act: () => Promise<unknown>,
  filter: BoardViewFilter = { includeArchived: false },
) {
  const before = await view(k, filter);
  await act();
  const events = await eventsSince(k, before.latest_event_id, 10_000);
  const patch = applyEvents(before, events, filter);
  let board = patch.reload ? await view(k, filter) : patch.board;
  for (const id of patch.refetch) {
    board = mergeTaskDetail(board, await taskDetailOf(k, id), filter, patch.progress.get(id) ?? 0);
  }
  expect(shownBoard(board)).toEqual(shownBoard(await view(k, filter)));
  return patch;
}

describe("applying live events to the cached board", () => {
  it("adds a created card, and counts it on its parent's links and progress", async () => {
    const k = await freshKernel();
    const parent = (await createTask(k, { title: "Parent" })).task;
    const patch = await followLive(k, () =>
      createTask(k, { title: "Child", assignee: "zoe", tenant: "acme", parents: [parent.id] }),
    );
    expect(patch.reload).toBe(false);
    expect(patch.refetch.size).toBe(1);
  });

  it("follows a run from claim to heartbeat to completion, with the parent's progress", async () => {
    const k = await freshKernel();
    const parent = (await createTask(k, { title: "Parent" })).task;
    const child = (await createTask(k, { title: "Child", assignee: "alice" })).task;
    await linkTasks(k, parent.id, child.id);
    await completeTask(k, parent.id, { result: "first" });
    const run = await followLive(k, async () => {
      const claimed = await claimTask(k, child.id, { ttl: 300 });
      await setWorkerPid(k, child.id, claimed?.current_run_id ?? 0, 999);
    });
    expect(run.refetch.size).toBe(0);
    await followLive(k, () => heartbeatWorker(k, child.id, { ttl: 300 }));
    const done = await followLive(k, () => completeTask(k, child.id, { result: "done", summary: "all good" }));
    expect(done.reload).toBe(false);
    expect(done.progress.get(child.id)).toBe(1);
  });

  it("keeps status moves, assignment, priority order and comment counts in step without refetching", async () => {
    const k = await freshKernel();
    const a = (await createTask(k, { title: "A", assignee: "alice" })).task;
    const b = (await createTask(k, { title: "B" })).task;
    const patch = await followLive(k, async () => {
      await blockTask(k, a.id, { reason: "stuck" });
      await unblockTask(k, a.id);
      await assignTask(k, b.id, "bob");
      await setPriority(k, b.id, 5);
      await addComment(k, a.id, "bob", "hello");
      await addComment(k, a.id, "bob", "again");
      await setStatusDirect(k, a.id, "triage");
    });
    expect(patch.refetch.size).toBe(0);
    expect(patch.reload).toBe(false);
  });

  it("links and unlinks: a ready child waits (todo) on an unfinished parent, and is freed again", async () => {
    const k = await freshKernel();
    const parent = (await createTask(k, { title: "Parent" })).task;
    const child = (await createTask(k, { title: "Child" })).task;
    expect((await followLive(k, () => linkTasks(k, parent.id, child.id))).reload).toBe(false);
    await followLive(k, () => unlinkTasks(k, parent.id, child.id));
  });

  it("frees waiting children when their parent completes or is archived", async () => {
    const k = await freshKernel();
    const p1 = (await createTask(k, { title: "P1", assignee: "alice" })).task;
    const p2 = (await createTask(k, { title: "P2" })).task;
    await createTask(k, { title: "Child", parents: [p1.id, p2.id] });
    await followLive(k, () => completeTask(k, p1.id, { result: "ok" }));
    await followLive(k, () => archiveTask(k, p2.id));
  });

  it("shows archived cards only when the view includes them", async () => {
    const k = await freshKernel();
    const a = (await createTask(k, { title: "A" })).task;
    const b = (await createTask(k, { title: "B" })).task;
    await followLive(k, () => archiveTask(k, a.id));
    await followLive(k, () => archiveTask(k, b.id), { includeArchived: true });
  });

  it("counts hallucination warnings, and a clean completion clears them", async () => {
    const k = await freshKernel();
    const t = (await createTask(k, { title: "Liar", assignee: "alice" })).task;
    await claimTask(k, t.id);
    await followLive(k, async () => {
      await expect(completeTask(k, t.id, { result: "x", created_cards: ["t_deadbeef"] })).rejects.toThrow();
      await expect(completeTask(k, t.id, { result: "x", created_cards: ["t_cafebabe"] })).rejects.toThrow();
    });
    await followLive(k, () => completeTask(k, t.id, { result: "honest, but see t_0badf00d" }));
    await followLive(k, () => editTask(k, t.id, { title: "Reformed" }));
  });

  it("counts refused (unverified) completions as warnings, and accepting one without proof clears them", async () => {
    const k = await freshKernel();
    const t = (await createTask(k, { title: "Unproven", assignee: "alice" })).task;
    await claimTask(k, t.id);
    await followLive(k, async () => {
      await expect(completeTask(k, t.id, { result: "x", receipts: { commits: ["deadbeef"] } })).rejects.toThrow();
      await expect(completeTask(k, t.id, { result: "x", receipts: { files: ["src/a.ts"] } })).rejects.toThrow();
    });
    await followLive(k, () => waiveCompletion(k, t.id, { reason: "checked by hand" }));
  });

  it("keeps a handed-in completion running, and sends it back to ready with a warning when the board's check fails", async () => {
    const k = await freshKernel();
    const { id, runId } = await claimedUnderVerify(k);
    const t = { id };
    await setWorkerPid(k, t.id, runId, 4243);
    await followLive(k, () => completeTask(k, t.id, { result: "x" }));
    const failed = FAILED_TESTS;
    await followLive(k, () => finishChecks(k, t.id, runId, [failed]));
    // At the failure limit the refusal blocks it (gave_up follows).
    for (let i = 0; i < 2; i++) {
      const again = (await claimTask(k, t.id))?.current_run_id ?? 0;
      await completeTask(k, t.id, { result: "x" });
      await followLive(k, () => finishChecks(k, t.id, again, [failed], { limit: 3 }));
    }
    expect((await taskDict(k, t.id))?.status).toBe("blocked");
  });

  it("sends failed and reclaimed runs back to ready, and a task at the failure limit to blocked", async () => {
    const k = await freshKernel();
    const t = (await createTask(k, { title: "Flaky", assignee: "alice" })).task;
    const claim = async () => (await claimTask(k, t.id))?.current_run_id ?? null;
    await followLive(k, async () =>
      recordFailure(k, t.id, { kind: "spawn_failed", error: "no binary", runId: await claim() }, 3),
    );
    await followLive(k, async () =>
      recordFailure(k, t.id, { kind: "crashed", error: "exit 1", runId: await claim(), pid: 7 }, 3),
    );
    await followLive(k, async () => {
      await claim();
      await reclaimTask(k, t.id, { reason: "stuck" });
    });
    await followLive(k, async () =>
      recordFailure(k, t.id, { kind: "timed_out", error: "too slow", runId: await claim() }, 3),
    );
  });

  it("sends a reclaimed or crashed run to todo when its task has an unfinished parent, as the kernel does", async () => {
    const k = await freshKernel();
    const parent = (await createTask(k, { title: "Parent" })).task;
    const t = (await createTask(k, { title: "Child", assignee: "alice" })).task;
    // Claimed first, then made a child: a link leaves a running task where it is.
    await claimTask(k, t.id);
    await linkTasks(k, parent.id, t.id);
    await followLive(k, () => reclaimTask(k, t.id, { reason: "stuck" }));
    expect((await taskDict(k, t.id))?.status).toBe("todo");

    await unlinkTasks(k, parent.id, t.id);
    const runId = (await claimTask(k, t.id))?.current_run_id ?? null;
    await linkTasks(k, parent.id, t.id);
    await followLive(k, () => recordFailure(k, t.id, { kind: "crashed", error: "exit 1", runId, pid: 7 }, 3));
    expect((await taskDict(k, t.id))?.status).toBe("todo");
  });

  it("leaves out cards of other tenants when the view is filtered by tenant", async () => {
    const k = await freshKernel();
    await createTask(k, { title: "Acme", tenant: "acme" });
    const patch = await followLive(
      k,
      async () => {
        await createTask(k, { title: "Globex", tenant: "globex" });
        await createTask(k, { title: "Acme two", tenant: "acme" });
      },
      { tenant: "acme", includeArchived: false },
    );
    expect(patch.refetch.size).toBe(1);
  });

  it("asks for a board reload when a parent leaves done, since its waiting children are unknown", async () => {
    const k = await freshKernel();
    const parent = (await createTask(k, { title: "Parent" })).task;
    await completeTask(k, parent.id, { result: "ok" });
    await createTask(k, { title: "Child", parents: [parent.id] });
    const patch = await followLive(k, () => setStatusDirect(k, parent.id, "ready"));
    expect(patch.reload).toBe(true);
  });

  it("ignores events the cached board already includes", async () => {
    const k = await freshKernel();
    const t = (await createTask(k, { title: "Seen" })).task;
    await assignTask(k, t.id, "alice");
    const board = await view(k, { includeArchived: false });
    const old = await eventsSince(k, 0, 100);
    const patch = applyEvents(board, old, { includeArchived: false });
    expect(shownBoard(patch.board)).toEqual(shownBoard(board));
    expect(patch.refetch.size).toBe(0);
  });
});
