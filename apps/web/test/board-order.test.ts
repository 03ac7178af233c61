import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BoardResponse } from "@switchyard/contract";
import {
  boardPaths,
  boardView,
  createManualClock,
  createTask,
  DEFAULT_BOARD,
  eventsSince,
  type Kernel,
  openKernel,
  resolveHome,
  setStatusDirect,
} from "@switchyard/core";
import { describe, expect, it, onTestFinished } from "vitest";
import { applyEvents } from "../src/api/apply-events.ts";
import { regroup } from "../src/api/board-cards.ts";
import { mergeTaskDetail } from "../src/api/merge-task.ts";
import { taskDetailOf } from "./fresh-kernel.ts";

const VIEW = { includeArchived: false };

/**
 * A fresh board whose task ids run backwards (each new id sorts before the last), as random ids
 * do half the time, on a clock that never moves: every task is created in the same second.
 */
async function backwardsKernel(): Promise<Kernel> {
  const root = mkdtempSync(join(tmpdir(), "switchyard-web-order-"));
  let n = 0xffff;
  const k = await openKernel(boardPaths(resolveHome({ SWITCHYARD_HOME: root }), DEFAULT_BOARD), {
    clock: createManualClock(1_700_000_000),
    ids: { taskId: () => `t_${(n--).toString(16).padStart(8, "0")}` },
    host: "testhost",
    pid: 4242,
  });
  onTestFinished(async () => {
    await k.close();
    rmSync(root, { recursive: true, force: true });
  });
  return k;
}

const titles = (board: BoardResponse, column: string) =>
  board.columns.find((c) => c.name === column)?.tasks.map((t) => t.title);

/** The board the dashboard holds after following `act` live: the events applied, the cards they could not describe refetched. */
async function followLive(k: Kernel, act: () => Promise<unknown>): Promise<BoardResponse> {
  const before = await boardView(k, VIEW);
  await act();
  const patch = applyEvents(before, await eventsSince(k, before.latest_event_id, 10_000), VIEW);
  let board = patch.board;
  for (const id of patch.refetch) board = mergeTaskDetail(board, await taskDetailOf(k, id), VIEW);
  return board;
}

describe("the order of cards created in the same second", () => {
  it("is creation order on the server, and the dashboard keeps it whatever the ids", async () => {
    const k = await backwardsKernel();
    for (const title of ["First", "Second", "Third"]) await createTask(k, { title });
    const board = await boardView(k, VIEW);
    expect(titles(board, "ready")).toEqual(["First", "Second", "Third"]);

    // Regrouping (what every live patch ends with) sorts the cards again, from any order.
    const shuffled = board.columns.flatMap((c) => c.tasks).reverse();
    expect(titles({ ...board, columns: regroup(board, shuffled) }, "ready")).toEqual(["First", "Second", "Third"]);
  });

  it("places cards created live after the ones before them, as the server does", async () => {
    const k = await backwardsKernel();
    await createTask(k, { title: "First" });
    const board = await followLive(k, async () => {
      await createTask(k, { title: "Second" });
      await createTask(k, { title: "Third" });
    });
    expect(titles(board, "ready")).toEqual(["First", "Second", "Third"]);
    expect(titles(board, "ready")).toEqual(titles(await boardView(k, VIEW), "ready"));
  });

  it("puts a card moved into a column among the same second's cards by when it was created", async () => {
    const k = await backwardsKernel();
    const early = (await createTask(k, { title: "Created first, triaged", triage: true })).task;
    await createTask(k, { title: "Created second" });
    await createTask(k, { title: "Created third" });
    const board = await followLive(k, () => setStatusDirect(k, early.id, "ready"));
    expect(titles(board, "ready")).toEqual(["Created first, triaged", "Created second", "Created third"]);
    expect(titles(board, "ready")).toEqual(titles(await boardView(k, VIEW), "ready"));
  });
});
