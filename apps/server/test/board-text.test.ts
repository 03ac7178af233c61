import { boardPaths, createTask, openKernel } from "@switchyard/core";
import { describe, expect, it, onTestFinished } from "vitest";
import { keptBoardText } from "../src/board-text.ts";
import { tempHome } from "./helpers.ts";

/** The kept board view (decision 023): built once for a burst of requests, never across a commit. */

async function board() {
  const k = await openKernel(boardPaths(tempHome(), "default"));
  onTestFinished(() => k.close());
  for (let i = 0; i < 20; i++) await createTask(k, { title: `task ${i}` });
  return k;
}

const all = { tenant: null, includeArchived: false } as const;

describe("keptBoardText", () => {
  it("builds the view once for requests that arrive while it is being built", async () => {
    const k = await board();
    const views = await Promise.all(Array.from({ length: 6 }, () => keptBoardText(k, all)));
    expect(new Set(views).size).toBe(1);
    expect(views[0]?.columns.reduce((n, c) => n + c.cards.length, 0)).toBe(20);
  });

  it("does not hand a request that follows a commit a view built before it", async () => {
    const k = await board();
    const before = keptBoardText(k, all);
    await createTask(k, { title: "written meanwhile" });
    const after = await keptBoardText(k, all);
    expect(after.columns.reduce((n, c) => n + c.cards.length, 0)).toBe(21);
    expect(after).not.toBe(await before);
    // And the fresh view is kept for the next request.
    expect(await keptBoardText(k, all)).toBe(after);
  });
});
