import type { BoardResponse, PatchTaskBody, TaskDict, TaskStatus } from "@switchyard/contract";
import { boardView, claimTask, createTask, eventsSince, type Kernel, patchTask, taskDict } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { applyEvents, applyOwnChange, applyOwnTask, type BoardPatch } from "../src/api/apply-events.ts";
import type { BoardViewFilter } from "../src/api/board-cards.ts";
import { mergeTaskDetail } from "../src/api/merge-task.ts";
import { freshKernel, shownBoard, taskDetailOf } from "./fresh-kernel.ts";

const VIEW: BoardViewFilter = { includeArchived: false };

function view(k: Kernel): Promise<BoardResponse> {
  return boardView(k, { tenant: null, includeArchived: false });
}

type Order = "answer first" | "event first";

/**
 * The oracle for the dashboard's own writes: the board before the write, changed as the page
 * changes it (optimistically, then the server's answer and the write's events in either order,
 * the answer skipped when an event for its task came first), and the cards none of them could
 * describe refetched, equals the board the server shows after the write. No board refetch.
 */
async function followOwnWrite(
  k: Kernel,
  order: Order,
  write: () => Promise<{ task: TaskDict; parents?: string[] }>,
  optimistic?: { id: string; status?: TaskStatus; patch?: PatchTaskBody },
) {
  let board = await view(k);
  const patches: BoardPatch[] = [];
  if (optimistic) {
    const p = applyOwnChange(board, VIEW, optimistic.id, optimistic.status, {});
    patches.push(p);
    board = p.board;
  }
  const since = board.latest_event_id;
  const { task, parents } = await write();
  const events = await eventsSince(k, since, 10_000);
  const answer = (b: BoardResponse) => applyOwnTask(b, VIEW, task, parents);
  const steps =
    order === "answer first"
      ? [answer, (b: BoardResponse) => applyEvents(b, events, VIEW)]
      : [(b: BoardResponse) => applyEvents(b, events, VIEW)];
  for (const step of steps) {
    const p = step(board);
    patches.push(p);
    board = p.board;
  }
  expect(patches.some((p) => p.reload)).toBe(false);
  const progress = new Map<string, number>();
  for (const p of patches) for (const [id, d] of p.progress) progress.set(id, (progress.get(id) ?? 0) + d);
  for (const id of new Set(patches.flatMap((p) => [...p.refetch]))) {
    board = mergeTaskDetail(board, await taskDetailOf(k, id), VIEW, progress.get(id) ?? 0);
  }
  expect(shownBoard(board)).toEqual(shownBoard(await view(k)));
}

const move =
  (k: Kernel, id: string, status: TaskStatus, extra: PatchTaskBody = {}) =>
  async () => {
    await patchTask(k, id, { status, ...extra }, { author: "dashboard" });
    const task = await taskDict(k, id);
    if (!task) throw new Error("gone");
    return { task };
  };

describe.each<Order>(["answer first", "event first"])("a dashboard write, its %s", (order) => {
  it("moves a parent to done: its waiting child is freed and the parent's progress counts it", async () => {
    const k = await freshKernel();
    const grand = (await createTask(k, { title: "Grand" })).task;
    const parent = (await createTask(k, { title: "Parent", parents: [grand.id] })).task;
    await patchTask(k, grand.id, { status: "done", result: "ok" });
    await createTask(k, { title: "Child", parents: [parent.id] });
    await followOwnWrite(k, order, move(k, parent.id, "done", { result: "ok", summary: "ok" }), {
      id: parent.id,
      status: "done",
    });
  });

  it("moves a running card back to ready: its claim ends and the running counts follow", async () => {
    const k = await freshKernel();
    const t = (await createTask(k, { title: "Runs", assignee: "alice" })).task;
    await claimTask(k, t.id, { ttl: 300 });
    await followOwnWrite(k, order, move(k, t.id, "ready"), { id: t.id, status: "ready" });
  });

  it("edits a card from the drawer (title, assignee, priority), answered with the task", async () => {
    const k = await freshKernel();
    const t = (await createTask(k, { title: "Old", assignee: "alice" })).task;
    // (The list of assignees only grows between board loads, events or not: alice keeps a card.)
    await createTask(k, { title: "Other", assignee: "alice", priority: 3 });
    await followOwnWrite(k, order, async () => {
      await patchTask(k, t.id, { title: "New", assignee: "Bob", priority: 5 }, { author: "dashboard" });
      const task = await taskDict(k, t.id);
      if (!task) throw new Error("gone");
      return { task };
    });
  });

  it("creates a child of an unfinished parent: it waits, and the parent counts it once", async () => {
    const k = await freshKernel();
    const parent = (await createTask(k, { title: "Parent" })).task;
    await followOwnWrite(k, order, async () => {
      const created = (await createTask(k, { title: "New child", assignee: "carol", parents: [parent.id] })).task;
      const task = await taskDict(k, created.id);
      if (!task) throw new Error("gone");
      return { task, parents: [parent.id] };
    });
  });
});
