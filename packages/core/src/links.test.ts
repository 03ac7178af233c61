import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { blockTask, unblockTask } from "./blocking.ts";
import { claimTask, releaseStaleClaims } from "./claims.ts";
import { completeTask } from "./completion.ts";
import { listEvents } from "./events.ts";
import { recordFailure } from "./failures.ts";
import type { Kernel } from "./kernel.ts";
import {
  assertParentsSatisfied,
  childIds,
  linkTasks,
  parentIds,
  recomputeReady,
  unlinkTasks,
  waitingOn,
} from "./links.ts";
import { archiveTask, moveTask, setStatusDirect } from "./moves.ts";
import { reclaimTask } from "./recovery.ts";
import { createTask, requireTask } from "./tasks.ts";

async function task(k: Kernel, title: string, parents: string[] = []): Promise<string> {
  return (await createTask(k, { title, parents })).task.id;
}

async function status(k: Kernel, id: string): Promise<string> {
  return (await requireTask(k, id)).status;
}

async function kinds(k: Kernel, id: string): Promise<string[]> {
  return (await listEvents(k, id)).map((e) => e.kind);
}

async function eventCount(k: Kernel): Promise<number> {
  return (await k.db.get<{ n: number }>("SELECT count(*) AS n FROM task_events"))?.n ?? 0;
}

describe("linking tasks", () => {
  it("demotes a ready child to todo when the parent is not done, with a linked event on the child", async () => {
    const { k } = await freshBoard();
    const parent = await task(k, "parent");
    const child = await task(k, "child");
    await linkTasks(k, parent, child);
    expect(await status(k, child)).toBe("todo");
    expect(await parentIds(k, child)).toEqual([parent]);
    expect(await childIds(k, parent)).toEqual([child]);
    const linked = (await listEvents(k, child)).at(-1);
    expect([linked?.kind, linked?.payload]).toEqual(["linked", { parent, child, child_status: "todo" }]);
  });

  it("keeps a ready child ready when the parent is done or archived", async () => {
    const { k } = await freshBoard();
    const done = await task(k, "done parent");
    await completeTask(k, done);
    const archived = await task(k, "archived parent");
    await archiveTask(k, archived);
    const child = await task(k, "child");
    await linkTasks(k, done, child);
    await linkTasks(k, archived, child);
    expect(await status(k, child)).toBe("ready");
  });

  it("leaves a running, blocked or triage child where it is", async () => {
    const { k } = await freshBoard();
    const parent = await task(k, "parent");
    const running = await task(k, "running");
    await claimTask(k, running);
    const blocked = await task(k, "blocked");
    await blockTask(k, blocked, { reason: "waiting" });
    const idea = (await createTask(k, { title: "idea", triage: true })).task.id;
    for (const child of [running, blocked, idea]) await linkTasks(k, parent, child);
    expect([await status(k, running), await status(k, blocked), await status(k, idea)]).toEqual([
      "running",
      "blocked",
      "triage",
    ]);
  });

  it("refuses a self-link", async () => {
    const { k } = await freshBoard();
    const a = await task(k, "a");
    const err = await refusal(() => linkTasks(k, a, a));
    expect(err.message).toContain("itself");
    expect(await parentIds(k, a)).toEqual([]);
  });

  it("refuses a link that would close a cycle, writing nothing", async () => {
    const { k } = await freshBoard();
    const a = await task(k, "a");
    const b = await task(k, "b");
    const c = await task(k, "c");
    await linkTasks(k, a, b);
    await linkTasks(k, b, c);
    const before = await eventCount(k);
    for (const [p, ch] of [
      [c, a],
      [b, a],
      [c, b],
    ] as const) {
      const err = await refusal(() => linkTasks(k, p, ch));
      expect(err.code).toBe("dependency_cycle");
      expect(err.message).toBe(`linking ${p} -> ${ch} would create a cycle`);
    }
    expect(await parentIds(k, a)).toEqual([]);
    expect(await eventCount(k)).toBe(before);
  });

  it("allows a diamond, which is not a cycle", async () => {
    const { k } = await freshBoard();
    const [a, b, c, d] = [await task(k, "a"), await task(k, "b"), await task(k, "c"), await task(k, "d")];
    await linkTasks(k, a, b);
    await linkTasks(k, a, c);
    await linkTasks(k, b, d);
    await linkTasks(k, c, d);
    expect(await parentIds(k, d)).toEqual([b, c].sort());
  });

  it("refuses unknown ids, naming them, writing nothing", async () => {
    const { k } = await freshBoard();
    const a = await task(k, "a");
    const before = await eventCount(k);
    const err = await refusal(() => linkTasks(k, "t_deadbeef", a));
    expect(err.code).toBe("not_found");
    expect(err.message).toContain("unknown task(s): t_deadbeef");
    expect((await refusal(() => linkTasks(k, a, "t_feedface"))).message).toContain("t_feedface");
    expect(await parentIds(k, a)).toEqual([]);
    expect(await eventCount(k)).toBe(before);
  });
});

describe("readiness", () => {
  it("cascades down a chain as each parent completes", async () => {
    const { k } = await freshBoard();
    const a = await task(k, "a");
    const b = await task(k, "b", [a]);
    const c = await task(k, "c", [b]);
    expect([await status(k, b), await status(k, c)]).toEqual(["todo", "todo"]);
    await completeTask(k, a);
    expect([await status(k, b), await status(k, c)]).toEqual(["ready", "todo"]);
    expect(await recomputeReady(k)).toBe(0);
    expect(await status(k, c)).toBe("todo");
    await completeTask(k, b);
    expect(await status(k, c)).toBe("ready");
  });

  it("makes a fan-in child wait for every parent", async () => {
    const { k } = await freshBoard();
    const p1 = await task(k, "p1");
    const p2 = await task(k, "p2");
    const p3 = await task(k, "p3");
    const child = await task(k, "child", [p1, p2, p3]);
    await completeTask(k, p1);
    await completeTask(k, p2);
    expect(await status(k, child)).toBe("todo");
    expect(await waitingOn(k, child)).toEqual([p3]);
    await completeTask(k, p3);
    expect(await status(k, child)).toBe("ready");
    expect(await waitingOn(k, child)).toEqual([]);
  });

  it("counts an archived parent as satisfied", async () => {
    const { k } = await freshBoard();
    const p1 = await task(k, "p1");
    const p2 = await task(k, "p2");
    const child = await task(k, "child", [p1, p2]);
    await completeTask(k, p1);
    await archiveTask(k, p2);
    expect(await status(k, child)).toBe("ready");
    expect(await status(k, await task(k, "child created after the archive", [p2]))).toBe("ready");
  });

  it("promotes in a recompute pass every todo task waiting on parents that are all satisfied, with a promoted event", async () => {
    const { k } = await freshBoard();
    const parent = await task(k, "parent");
    const child = await task(k, "child", [parent]);
    // A direct write to done that bypasses completion leaves the child for the pass to find.
    await k.write((k) => k.db.run("UPDATE tasks SET status = 'done' WHERE id = ?", [parent]));
    expect(await recomputeReady(k)).toBe(1);
    expect(await status(k, child)).toBe("ready");
    expect((await kinds(k, child)).at(-1)).toBe("promoted");
    expect(await recomputeReady(k)).toBe(0);
  });

  it("on a completion, promotes only that task's children: no promoted event for unrelated todo tasks", async () => {
    const { k } = await freshBoard();
    const parent = await task(k, "parent");
    const child = await task(k, "child", [parent]);
    const otherParent = await task(k, "other parent");
    const otherChild = await task(k, "other child", [otherParent]);
    const parked = await task(k, "parked by hand");
    await setStatusDirect(k, parked, "todo");
    const mark = await eventCount(k);
    await completeTask(k, parent);
    const promoted = await k.db.all<{ task_id: string }>(
      "SELECT task_id FROM task_events WHERE id > ? AND kind = 'promoted'",
      [mark],
    );
    expect(promoted.map((r) => r.task_id)).toEqual([child]);
    expect([await status(k, otherChild), await status(k, parked)]).toEqual(["todo", "todo"]);
  });

  it("sends ready children back to todo when a done parent is reopened, leaving running children alone", async () => {
    const { k } = await freshBoard();
    const parent = await task(k, "parent");
    const ready = await task(k, "ready child", [parent]);
    const running = await task(k, "running child", [parent]);
    await completeTask(k, parent);
    await claimTask(k, running);
    await setStatusDirect(k, parent, "todo");
    expect([await status(k, parent), await status(k, ready), await status(k, running)]).toEqual([
      "todo",
      "todo",
      "running",
    ]);
    expect((await listEvents(k, ready)).at(-1)?.payload).toEqual({ status: "todo" });
  });

  it("sends ready children back to todo when an archived parent is brought back", async () => {
    const { k } = await freshBoard();
    const parent = await task(k, "parent");
    const child = await task(k, "child", [parent]);
    await archiveTask(k, parent);
    expect(await status(k, child)).toBe("ready");
    await setStatusDirect(k, parent, "triage");
    expect(await status(k, child)).toBe("todo");
  });
});

describe("parked by hand (SPEC §3.13)", () => {
  it("leaves a parentless task a person moved to todo there through every full pass, marked parked", async () => {
    const { k } = await freshBoard();
    const idea = (await createTask(k, { title: "idea", triage: true })).task.id;
    const moved = await setStatusDirect(k, idea, "todo");
    expect(moved).toMatchObject({ status: "todo", parked: true });
    expect((await listEvents(k, idea)).at(-1)).toMatchObject({
      kind: "status",
      payload: { status: "todo", parked: true },
    });
    expect(await recomputeReady(k)).toBe(0);
    expect(await recomputeReady(k)).toBe(0);
    expect(await requireTask(k, idea)).toMatchObject({ status: "todo", parked: true });
    expect(await kinds(k, idea)).not.toContain("promoted");
  });

  it("parks a task moved to todo whose parents are all done: no pass promotes it", async () => {
    const { k } = await freshBoard();
    const parent = await task(k, "parent");
    const child = await task(k, "child", [parent]);
    await completeTask(k, parent);
    expect(await status(k, child)).toBe("ready");
    await setStatusDirect(k, child, "todo");
    expect(await recomputeReady(k)).toBe(0);
    expect(await requireTask(k, child)).toMatchObject({ status: "todo", parked: true });
  });

  it("keeps a parked task parked when a parent is reopened and completed again, or gains a parent that completes", async () => {
    const { k } = await freshBoard();
    const parent = await task(k, "parent");
    const child = await task(k, "child", [parent]);
    await completeTask(k, parent);
    await setStatusDirect(k, child, "todo");
    const parkedAt = (await kinds(k, child)).length;
    await setStatusDirect(k, parent, "ready");
    await completeTask(k, parent);
    const later = await task(k, "a later parent");
    await linkTasks(k, later, child);
    await completeTask(k, later);
    await archiveTask(k, parent);
    expect(await recomputeReady(k)).toBe(0);
    expect(await requireTask(k, child)).toMatchObject({ status: "todo", parked: true });
    expect((await kinds(k, child)).slice(parkedAt)).toEqual(["linked"]);
  });

  it("keeps a parked task in todo when a parent of it is unlinked", async () => {
    const { k } = await freshBoard();
    const parent = await task(k, "parent");
    const child = await task(k, "child", [parent]);
    const other = await task(k, "other parent");
    await linkTasks(k, other, child);
    await completeTask(k, parent);
    await setStatusDirect(k, child, "todo");
    expect(await requireTask(k, child)).toMatchObject({ status: "todo", parked: false });
    await unlinkTasks(k, other, child);
    expect(await requireTask(k, child)).toMatchObject({ status: "ready", parked: false });
    await setStatusDirect(k, child, "todo");
    await unlinkTasks(k, parent, child);
    expect(await requireTask(k, child)).toMatchObject({ status: "todo", parked: true });
  });

  it("makes a task moved to todo while a parent is unfinished wait on it, and promotes it when the parent is done", async () => {
    const { k } = await freshBoard();
    const parent = await task(k, "parent");
    const child = (await createTask(k, { title: "child", parents: [parent], triage: true })).task.id;
    const moved = await setStatusDirect(k, child, "todo");
    expect(moved).toMatchObject({ status: "todo", parked: false });
    expect((await listEvents(k, child)).at(-1)?.payload).toEqual({ status: "todo" });
    await completeTask(k, parent);
    expect(await status(k, child)).toBe("ready");
    expect((await kinds(k, child)).at(-1)).toBe("promoted");
  });

  it("forgets the parking once a person moves the task on: ready, triage and archive clear it", async () => {
    const { k } = await freshBoard();
    const a = await task(k, "a");
    await setStatusDirect(k, a, "todo");
    expect((await setStatusDirect(k, a, "ready")).parked).toBe(false);
    await setStatusDirect(k, a, "todo");
    expect((await setStatusDirect(k, a, "triage")).parked).toBe(false);
    await setStatusDirect(k, a, "todo");
    expect((await archiveTask(k, a)).parked).toBe(false);
    const rows = await k.db.all<{ parked: number }>("SELECT parked FROM tasks WHERE id = ?", [a]);
    expect(rows).toEqual([{ parked: 0 }]);
  });

  it("does not promote in a full pass a parentless todo task written by another program (Hermes's dashboard)", async () => {
    const { k } = await freshBoard();
    const a = await task(k, "parked under Hermes");
    await k.write((k) => k.db.run("UPDATE tasks SET status = 'todo' WHERE id = ?", [a]));
    expect(await recomputeReady(k)).toBe(0);
    expect(await requireTask(k, a)).toMatchObject({ status: "todo", parked: false });
  });
});

describe("unlinking", () => {
  it("promotes a child whose last unfinished parent was unlinked", async () => {
    const { k } = await freshBoard();
    const parent = await task(k, "parent");
    const child = await task(k, "child", [parent]);
    expect(await unlinkTasks(k, parent, child)).toBe(true);
    expect(await status(k, child)).toBe("ready");
    expect((await kinds(k, child)).slice(-2)).toEqual(["unlinked", "promoted"]);
    expect((await listEvents(k, child)).at(-2)?.payload).toEqual({ parent, child, child_status: "ready" });
  });

  it("keeps a child in todo while another parent is unfinished", async () => {
    const { k } = await freshBoard();
    const p1 = await task(k, "p1");
    const p2 = await task(k, "p2");
    const child = await task(k, "child", [p1, p2]);
    await unlinkTasks(k, p1, child);
    expect(await status(k, child)).toBe("todo");
    expect(await parentIds(k, child)).toEqual([p2]);
  });

  it("returns false and writes nothing when there is no such edge", async () => {
    const { k } = await freshBoard();
    const a = await task(k, "a");
    const b = await task(k, "b");
    const before = await eventCount(k);
    expect(await unlinkTasks(k, a, b)).toBe(false);
    expect(await unlinkTasks(k, "t_deadbeef", b)).toBe(false);
    expect(await eventCount(k)).toBe(before);
  });
});

describe("moves to ready are checked against the parents", () => {
  async function waitingChild(k: Kernel): Promise<{ parents: string[]; child: string }> {
    const p1 = await task(k, "p1");
    const p2 = await task(k, "p2");
    const p3 = await task(k, "p3");
    await completeTask(k, p2);
    return { parents: [p1, p3], child: await task(k, "child", [p1, p2, p3]) };
  }

  it("refuses setStatusDirect to ready with parents_unfinished naming the unfinished parents", async () => {
    const { k } = await freshBoard();
    const { parents, child } = await waitingChild(k);
    const before = await eventCount(k);
    const err = await refusal(() => setStatusDirect(k, child, "ready"));
    expect(err.code).toBe("parents_unfinished");
    expect(err.facts.parents).toEqual(parents);
    for (const p of parents) expect(err.message).toContain(p);
    expect(await status(k, child)).toBe("todo");
    expect(await eventCount(k)).toBe(before);
  });

  it("refuses moveTask to ready the same way", async () => {
    const { k } = await freshBoard();
    const { parents, child } = await waitingChild(k);
    const err = await refusal(() => moveTask(k, child, { status: "ready" }));
    expect([err.code, err.facts.parents]).toEqual(["parents_unfinished", parents]);
    expect(await status(k, child)).toBe("todo");
  });

  it("refuses unblocking to ready while a parent is unfinished, keeping the task blocked", async () => {
    const { k } = await freshBoard();
    const parent = await task(k, "parent");
    const child = await task(k, "child");
    await blockTask(k, child, { reason: "needs input" });
    await linkTasks(k, parent, child);
    for (const attempt of [() => unblockTask(k, child), () => moveTask(k, child, { status: "ready" })]) {
      const err = await refusal(attempt);
      expect([err.code, err.facts.parents]).toEqual(["parents_unfinished", [parent]]);
      expect(await status(k, child)).toBe("blocked");
    }
    await completeTask(k, parent);
    expect(await status(k, child)).toBe("blocked");
    expect((await unblockTask(k, child)).status).toBe("ready");
  });

  it("allows the move once the parents are done", async () => {
    const { k } = await freshBoard();
    const parent = await task(k, "parent");
    const child = await task(k, "child", [parent]);
    await setStatusDirect(k, child, "triage");
    await completeTask(k, parent);
    await expect(assertParentsSatisfied(k, child)).resolves.toBeUndefined();
    expect((await moveTask(k, child, { status: "ready" })).status).toBe("ready");
  });

  it("refuses moveTask to running: only a claim starts a task", async () => {
    const { k } = await freshBoard();
    const a = await task(k, "a");
    const err = await refusal(() => moveTask(k, a, { status: "running" }));
    expect(err.code).toBe("invalid_input");
    expect(err.message).toContain("running");
    expect(await status(k, a)).toBe("ready");
    expect((await requireTask(k, a)).claim_lock).toBeNull();
  });
});

describe("a task that leaves running while a parent is unfinished", () => {
  /** A running task that got a new, unfinished parent while it ran (linking leaves running tasks alone). */
  async function runningWithNewParent(k: Kernel): Promise<{ parent: string; child: string; run: number | null }> {
    const child = await task(k, "child");
    const run = (await claimTask(k, child, { ttl: 60 }))?.current_run_id ?? null;
    const parent = await task(k, "new parent");
    await linkTasks(k, parent, child);
    expect(await status(k, child)).toBe("running");
    return { parent, child, run };
  }

  it("goes to todo, not ready, when it is reclaimed, and is promoted once the parent is done", async () => {
    const { k } = await freshBoard();
    const { parent, child } = await runningWithNewParent(k);
    await reclaimTask(k, child, { reason: "operator" });
    expect(await status(k, child)).toBe("todo");
    expect((await listEvents(k, child)).at(-1)).toMatchObject({ kind: "reclaimed", payload: { status: "todo" } });
    expect(await claimTask(k, child)).toBeNull();
    await completeTask(k, parent);
    expect(await status(k, child)).toBe("ready");
  });

  it("goes to todo when its claim goes stale", async () => {
    const { k, clock } = await freshBoard();
    const { child } = await runningWithNewParent(k);
    clock.advance(61);
    expect((await releaseStaleClaims(k)).map((w) => w.task_id)).toEqual([child]);
    expect(await status(k, child)).toBe("todo");
    expect((await listEvents(k, child)).at(-1)).toMatchObject({ kind: "reclaimed", payload: { status: "todo" } });
  });

  it("goes to todo when its worker fails below the limit, and blocked at the limit", async () => {
    const { k } = await freshBoard();
    const { child, run } = await runningWithNewParent(k);
    expect((await recordFailure(k, child, { kind: "crashed", error: "pid 1 not alive", runId: run }, 3))?.result).toBe(
      "retry",
    );
    expect(await status(k, child)).toBe("todo");
    expect((await listEvents(k, child)).at(-1)).toMatchObject({ kind: "crashed", payload: { status: "todo" } });

    const other = await runningWithNewParent(k);
    await recordFailure(k, other.child, { kind: "crashed", error: "pid 1 not alive", runId: other.run }, 1);
    expect(await status(k, other.child)).toBe("blocked");
  });

  it("still goes back to ready when its parents are done", async () => {
    const { k } = await freshBoard();
    const parent = await task(k, "parent");
    await completeTask(k, parent);
    const child = await task(k, "child", [parent]);
    await claimTask(k, child);
    await reclaimTask(k, child);
    expect(await status(k, child)).toBe("ready");
  });
});
