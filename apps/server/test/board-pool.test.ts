import { createBoard, createTask, listTasks, removeBoard } from "@switchyard/core";
import { afterEach, describe, expect, it } from "vitest";
import { type BoardPool, createBoardPool } from "../src/board-pool.ts";
import { tempHome } from "./helpers.ts";

const pools: BoardPool[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
});

function pool() {
  const home = tempHome();
  const boards = createBoardPool(home);
  pools.push(boards);
  return { home, boards };
}

describe("the board pool", () => {
  it("gives concurrent first requests for a board one and the same kernel", async () => {
    const { boards } = pool();
    const opened = await Promise.all([boards.kernel("default"), boards.kernel("default"), boards.open()]);
    expect(opened[1]).toBe(opened[0]);
    expect(opened[2]).toEqual({ slug: "default", k: opened[0] });
  });

  it("reopens a board whose file another process replaced, and reads the new one", async () => {
    const { home, boards } = pool();
    await createBoard(home, "ops", {}, { now: 1 });
    const first = await boards.kernel("ops");
    await createTask(first, { title: "old" });
    await removeBoard(home, "ops", { archive: false, now: 2 });
    await createBoard(home, "ops", {}, { now: 3 });
    expect(first.stale()).toBe(true);
    const [a, b] = await Promise.all([boards.kernel("ops"), boards.kernel("ops")]);
    expect(a).not.toBe(first);
    expect(b).toBe(a);
    expect(await listTasks(a)).toEqual([]);
  });

  it("closes a forgotten board's kernel and opens it afresh on the next use", async () => {
    const { home, boards } = pool();
    await createBoard(home, "ops", {}, { now: 1 });
    const first = await boards.kernel("ops");
    await boards.forget("ops");
    expect(first.stale()).toBe(true);
    const again = await boards.kernel("ops");
    expect(again).not.toBe(first);
    expect(again.stale()).toBe(false);
  });

  it("refuses an unknown board before opening anything", async () => {
    const { boards } = pool();
    await expect(boards.open("nowhere")).rejects.toMatchObject({ code: "board_not_found" });
  });
});
