import { describe, expect, it } from "vitest";
import { freshBoard } from "../test/fixtures.ts";
import { blockTask } from "./blocking.ts";
import { type BoardText, type BoardViewOptions, boardText, boardView, cardJson } from "./board-view.ts";
import { claimTask } from "./claims.ts";
import { addComment } from "./comments.ts";
import { completeTask } from "./completion.ts";
import type { Kernel } from "./kernel.ts";
import { archiveTask } from "./moves.ts";
import { createTask } from "./tasks.ts";

/** The JSON of a `boardText` at `now`, assembled as the server streams it. */
function assembled(view: BoardText, now: number): string {
  const columns = view.columns.map(
    (c) => `{"name":"${c.name}","tasks":[${c.cards.map((card) => cardJson(card, now)).join(",")}]}`,
  );
  return `{"columns":[${columns.join(",")}],"tenants":${JSON.stringify(view.tenants)},"assignees":${JSON.stringify(view.assignees)},"latest_event_id":${view.latest_event_id},"now":${now}}`;
}

/** A board with a card of every kind: progress, waiting, running, blocked, a warning, comments, tenants, archived. */
async function busyBoard(k: Kernel): Promise<void> {
  const parent = (await createTask(k, { title: 'parent "quoted" ✓', assignee: "alice", tenant: "acme" })).task;
  const child = (await createTask(k, { title: "child", parents: [parent.id], body: "line\nnext" })).task;
  await createTask(k, { title: "second child", parents: [parent.id], priority: 2, skills: ["ts"] });
  await addComment(k, child.id, "bob", "looks fine");
  const running = (await createTask(k, { title: "running", assignee: "bob", tenant: "globex" })).task;
  await claimTask(k, running.id);
  const blocked = (await createTask(k, { title: "blocked" })).task;
  await blockTask(k, blocked.id, { reason: "needs a decision" });
  const done = (await createTask(k, { title: "done" })).task;
  await claimTask(k, done.id);
  await completeTask(k, done.id, { result: "ok" });
  const archived = (await createTask(k, { title: "archived", tenant: "acme" })).task;
  await archiveTask(k, archived.id);
}

describe("boardText", () => {
  const cases: BoardViewOptions[] = [
    {},
    { includeArchived: true },
    { tenant: "acme" },
    { tenant: "acme", includeArchived: true },
  ];

  it("gives exactly the JSON of boardView at any later time, for every filter", async () => {
    const { k, clock } = await freshBoard();
    await busyBoard(k);
    for (const options of cases) {
      const text = await boardText(k, options);
      for (const step of [0, 1, 3_600]) {
        clock.advance(step);
        expect(assembled(text, clock.now())).toBe(JSON.stringify(await boardView(k, options)));
      }
    }
  });

  it("clamps ages at 0 when the clock is behind the cards, as boardView does", async () => {
    const { k, clock } = await freshBoard();
    await busyBoard(k);
    const text = await boardText(k);
    clock.set(clock.now() - 500);
    expect(assembled(text, clock.now())).toBe(JSON.stringify(await boardView(k)));
  });
});
