import { describe, expect, it } from "vitest";
import { createManualClock, createSequentialIds, type ManualClock } from "../src/clock.ts";
import { type Kernel, openKernel } from "../src/kernel.ts";
import { boardPaths, DEFAULT_BOARD } from "../src/paths.ts";
import { listTasks } from "../src/tasks.ts";
import { exportBoard, formatBoardDocument, importBoard } from "../src/transfer.ts";
import { freshBoard, onCleanup, tempHome } from "./fixtures.ts";
import { fillBoard } from "./rich-board.ts";

/**
 * A board moved from SQLite to PostgreSQL and back (issue 17): each hop through the document's
 * text, as `switchyard export` writes it and `switchyard import` reads it. Runs in the
 * `core-postgres` project, where freshBoard is a PostgreSQL schema; the SQLite boards are files
 * in temp homes.
 */

async function sqliteBoard(clock: ManualClock, firstId = 1): Promise<Kernel> {
  const k = await openKernel(boardPaths(tempHome(), DEFAULT_BOARD), {
    clock,
    ids: createSequentialIds(firstId),
    host: "testhost",
    pid: 4242,
  });
  onCleanup(() => k.close());
  return k;
}

const asText = async (k: Kernel) => [...formatBoardDocument(await exportBoard(k))].join("");

describe("a board moved between SQLite and PostgreSQL", () => {
  it("arrives with every row and id, and comes back to SQLite equal to where it started", async () => {
    const clock = createManualClock(1_700_000_000);
    const original = await sqliteBoard(clock);
    await fillBoard(original, clock);
    const first = await exportBoard(original);
    expect(first.dialect).toBe("sqlite");

    const pg = await freshBoard({ ids: createSequentialIds(0x1000) });
    expect(pg.k.dialect).toBe("postgres");
    pg.clock.set(clock.now());
    await importBoard(pg.k, await asText(original));
    const middle = await exportBoard(pg.k);
    expect(middle).toMatchObject({ dialect: "postgres", board: first.board, exported_at: first.exported_at });
    expect(middle.tables).toEqual(first.tables);
    expect(await listTasks(pg.k)).toEqual(await listTasks(original));

    const back = await sqliteBoard(clock, 0x2000);
    await importBoard(back, await asText(pg.k));
    expect(await exportBoard(back)).toEqual(first);
  });
});
