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

function task(k: Kernel, title: string, parents: string[] = []): string {
  return createTask(k, { title, parents }).task.id;
}

function status(k: Kernel, id: string): string {
  return requireTask(k, id).status;
}

function kinds(k: Kernel, id: string): string[] {
  return listEvents(k, id).map((e) => e.kind);
}

function eventCount(k: Kernel): number {
  return (k.db.prepare("SELECT count(*) AS n FROM task_events").get() as { n: number }).n;
}

describe("linking tasks", () => {
  it("demotes a ready child to todo when the parent is not done, with a linked event on the child", () => {
    const { k } = freshBoard();
    const parent = task(k, "parent");
    const child = task(k, "child");
    linkTasks(k, parent, child);
    expect(status(k, child)).toBe("todo");
    expect(parentIds(k, child)).toEqual([parent]);
    expect(childIds(k, parent)).toEqual([child]);
    const linked = listEvents(k, child).at(-1);
    expect([linked?.kind, linked?.payload]).toEqual(["linked", { parent, child }]);
  });

  it("keeps a ready child ready when the parent is done or archived", () => {
    const { k } = freshBoard();
    const done = task(k, "done parent");
    completeTask(k, done);
    const archived = task(k, "archived parent");
    archiveTask(k, archived);
    const child = task(k, "child");
    linkTasks(k, done, child);
    linkTasks(k, archived, child);
    expect(status(k, child)).toBe("ready");
  });

  it("leaves a running, blocked or triage child where it is", () => {
    const { k } = freshBoard();
    const parent = task(k, "parent");
    const running = task(k, "running");
    claimTask(k, running);
    const blocked = task(k, "blocked");
    blockTask(k, blocked, { reason: "waiting" });
    const idea = createTask(k, { title: "idea", triage: true }).task.id;
    for (const child of [running, blocked, idea]) linkTasks(k, parent, child);
    expect([status(k, running), status(k, blocked), status(k, idea)]).toEqual(["running", "blocked", "triage"]);
  });

  it("refuses a self-link", () => {
    const { k } = freshBoard();
    const a = task(k, "a");
    const err = refusal(() => linkTasks(k, a, a));
    expect(err.message).toContain("itself");
    expect(parentIds(k, a)).toEqual([]);
  });

  it("refuses a link that would close a cycle, writing nothing", () => {
    const { k } = freshBoard();
    const a = task(k, "a");
    const b = task(k, "b");
    const c = task(k, "c");
    linkTasks(k, a, b);
    linkTasks(k, b, c);
    const before = eventCount(k);
    for (const [p, ch] of [
      [c, a],
      [b, a],
      [c, b],
    ] as const) {
      const err = refusal(() => linkTasks(k, p, ch));
      expect(err.code).toBe("dependency_cycle");
      expect(err.message).toBe(`linking ${p} -> ${ch} would create a cycle`);
    }
    expect(parentIds(k, a)).toEqual([]);
    expect(eventCount(k)).toBe(before);
  });

  it("allows a diamond, which is not a cycle", () => {
    const { k } = freshBoard();
    const [a, b, c, d] = ["a", "b", "c", "d"].map((t) => task(k, t)) as [string, string, string, string];
    linkTasks(k, a, b);
    linkTasks(k, a, c);
    linkTasks(k, b, d);
    linkTasks(k, c, d);
    expect(parentIds(k, d)).toEqual([b, c].sort());
  });

  it("refuses unknown ids, naming them, writing nothing", () => {
    const { k } = freshBoard();
    const a = task(k, "a");
    const before = eventCount(k);
    const err = refusal(() => linkTasks(k, "t_deadbeef", a));
    expect(err.code).toBe("not_found");
    expect(err.message).toContain("unknown task(s): t_deadbeef");
    expect(refusal(() => linkTasks(k, a, "t_feedface")).message).toContain("t_feedface");
    expect(parentIds(k, a)).toEqual([]);
    expect(eventCount(k)).toBe(before);
  });
});

describe("readiness", () => {
  it("cascades down a chain as each parent completes", () => {
    const { k } = freshBoard();
    const a = task(k, "a");
    const b = task(k, "b", [a]);
    const c = task(k, "c", [b]);
    expect([status(k, b), status(k, c)]).toEqual(["todo", "todo"]);
    completeTask(k, a);
    expect([status(k, b), status(k, c)]).toEqual(["ready", "todo"]);
    expect(recomputeReady(k)).toBe(0);
    expect(status(k, c)).toBe("todo");
    completeTask(k, b);
    expect(status(k, c)).toBe("ready");
  });

  it("makes a fan-in child wait for every parent", () => {
    const { k } = freshBoard();
    const p1 = task(k, "p1");
    const p2 = task(k, "p2");
    const p3 = task(k, "p3");
    const child = task(k, "child", [p1, p2, p3]);
    completeTask(k, p1);
    completeTask(k, p2);
    expect(status(k, child)).toBe("todo");
    expect(waitingOn(k, child)).toEqual([p3]);
    completeTask(k, p3);
    expect(status(k, child)).toBe("ready");
    expect(waitingOn(k, child)).toEqual([]);
  });

  it("counts an archived parent as satisfied", () => {
    const { k } = freshBoard();
    const p1 = task(k, "p1");
    const p2 = task(k, "p2");
    const child = task(k, "child", [p1, p2]);
    completeTask(k, p1);
    archiveTask(k, p2);
    expect(status(k, child)).toBe("ready");
    expect(status(k, task(k, "child created after the archive", [p2]))).toBe("ready");
  });

  it("promotes in a recompute pass every todo task whose parents are satisfied, with a promoted event", () => {
    const { k } = freshBoard();
    const parent = task(k, "parent");
    const child = task(k, "child", [parent]);
    // A direct write to done that bypasses completion leaves the child for the pass to find.
    k.db.prepare("UPDATE tasks SET status = 'done' WHERE id = ?").run(parent);
    expect(recomputeReady(k)).toBe(1);
    expect(status(k, child)).toBe("ready");
    expect(kinds(k, child).at(-1)).toBe("promoted");
    expect(recomputeReady(k)).toBe(0);
  });

  it("on a completion, promotes only that task's children: no promoted event for unrelated todo tasks", () => {
    const { k } = freshBoard();
    const parent = task(k, "parent");
    const child = task(k, "child", [parent]);
    const otherParent = task(k, "other parent");
    const otherChild = task(k, "other child", [otherParent]);
    const parked = task(k, "parked by hand");
    setStatusDirect(k, parked, "todo");
    const mark = eventCount(k);
    completeTask(k, parent);
    const promoted = k.db
      .prepare("SELECT task_id FROM task_events WHERE id > ? AND kind = 'promoted'")
      .all(mark) as Array<{ task_id: string }>;
    expect(promoted.map((r) => r.task_id)).toEqual([child]);
    expect([status(k, otherChild), status(k, parked)]).toEqual(["todo", "todo"]);
  });

  it("sends ready children back to todo when a done parent is reopened, leaving running children alone", () => {
    const { k } = freshBoard();
    const parent = task(k, "parent");
    const ready = task(k, "ready child", [parent]);
    const running = task(k, "running child", [parent]);
    completeTask(k, parent);
    claimTask(k, running);
    setStatusDirect(k, parent, "todo");
    expect([status(k, parent), status(k, ready), status(k, running)]).toEqual(["todo", "todo", "running"]);
    expect(listEvents(k, ready).at(-1)?.payload).toEqual({ status: "todo" });
  });

  it("sends ready children back to todo when an archived parent is brought back", () => {
    const { k } = freshBoard();
    const parent = task(k, "parent");
    const child = task(k, "child", [parent]);
    archiveTask(k, parent);
    expect(status(k, child)).toBe("ready");
    setStatusDirect(k, parent, "triage");
    expect(status(k, child)).toBe("todo");
  });
});

describe("unlinking", () => {
  it("promotes a child whose last unfinished parent was unlinked", () => {
    const { k } = freshBoard();
    const parent = task(k, "parent");
    const child = task(k, "child", [parent]);
    expect(unlinkTasks(k, parent, child)).toBe(true);
    expect(status(k, child)).toBe("ready");
    expect(kinds(k, child).slice(-2)).toEqual(["unlinked", "promoted"]);
    expect(listEvents(k, child).at(-2)?.payload).toEqual({ parent, child });
  });

  it("keeps a child in todo while another parent is unfinished", () => {
    const { k } = freshBoard();
    const p1 = task(k, "p1");
    const p2 = task(k, "p2");
    const child = task(k, "child", [p1, p2]);
    unlinkTasks(k, p1, child);
    expect(status(k, child)).toBe("todo");
    expect(parentIds(k, child)).toEqual([p2]);
  });

  it("returns false and writes nothing when there is no such edge", () => {
    const { k } = freshBoard();
    const a = task(k, "a");
    const b = task(k, "b");
    const before = eventCount(k);
    expect(unlinkTasks(k, a, b)).toBe(false);
    expect(unlinkTasks(k, "t_deadbeef", b)).toBe(false);
    expect(eventCount(k)).toBe(before);
  });
});

describe("moves to ready are checked against the parents", () => {
  function waitingChild(k: Kernel): { parents: string[]; child: string } {
    const p1 = task(k, "p1");
    const p2 = task(k, "p2");
    const p3 = task(k, "p3");
    completeTask(k, p2);
    return { parents: [p1, p3], child: task(k, "child", [p1, p2, p3]) };
  }

  it("refuses setStatusDirect to ready with parents_unfinished naming the unfinished parents", () => {
    const { k } = freshBoard();
    const { parents, child } = waitingChild(k);
    const before = eventCount(k);
    const err = refusal(() => setStatusDirect(k, child, "ready"));
    expect(err.code).toBe("parents_unfinished");
    expect(err.facts.parents).toEqual(parents);
    for (const p of parents) expect(err.message).toContain(p);
    expect(status(k, child)).toBe("todo");
    expect(eventCount(k)).toBe(before);
  });

  it("refuses moveTask to ready the same way", () => {
    const { k } = freshBoard();
    const { parents, child } = waitingChild(k);
    const err = refusal(() => moveTask(k, child, { status: "ready" }));
    expect([err.code, err.facts.parents]).toEqual(["parents_unfinished", parents]);
    expect(status(k, child)).toBe("todo");
  });

  it("refuses unblocking to ready while a parent is unfinished, keeping the task blocked", () => {
    const { k } = freshBoard();
    const parent = task(k, "parent");
    const child = task(k, "child");
    blockTask(k, child, { reason: "needs input" });
    linkTasks(k, parent, child);
    for (const attempt of [() => unblockTask(k, child), () => moveTask(k, child, { status: "ready" })]) {
      const err = refusal(attempt);
      expect([err.code, err.facts.parents]).toEqual(["parents_unfinished", [parent]]);
      expect(status(k, child)).toBe("blocked");
    }
    completeTask(k, parent);
    expect(status(k, child)).toBe("blocked");
    expect(unblockTask(k, child).status).toBe("ready");
  });

  it("allows the move once the parents are done", () => {
    const { k } = freshBoard();
    const parent = task(k, "parent");
    const child = task(k, "child", [parent]);
    setStatusDirect(k, child, "triage");
    completeTask(k, parent);
    expect(() => assertParentsSatisfied(k, child)).not.toThrow();
    expect(moveTask(k, child, { status: "ready" }).status).toBe("ready");
  });

  it("refuses moveTask to running: only a claim starts a task", () => {
    const { k } = freshBoard();
    const a = task(k, "a");
    const err = refusal(() => moveTask(k, a, { status: "running" }));
    expect(err.code).toBe("invalid_input");
    expect(err.message).toContain("running");
    expect(status(k, a)).toBe("ready");
    expect(requireTask(k, a).claim_lock).toBeNull();
  });
});

describe("a task that leaves running while a parent is unfinished", () => {
  /** A running task that got a new, unfinished parent while it ran (linking leaves running tasks alone). */
  function runningWithNewParent(k: Kernel): { parent: string; child: string; run: number | null } {
    const child = task(k, "child");
    const run = claimTask(k, child, { ttl: 60 })?.current_run_id ?? null;
    const parent = task(k, "new parent");
    linkTasks(k, parent, child);
    expect(status(k, child)).toBe("running");
    return { parent, child, run };
  }

  it("goes to todo, not ready, when it is reclaimed, and is promoted once the parent is done", () => {
    const { k } = freshBoard();
    const { parent, child } = runningWithNewParent(k);
    reclaimTask(k, child, { reason: "operator" });
    expect(status(k, child)).toBe("todo");
    expect(claimTask(k, child)).toBeNull();
    completeTask(k, parent);
    expect(status(k, child)).toBe("ready");
  });

  it("goes to todo when its claim goes stale", () => {
    const { k, clock } = freshBoard();
    const { child } = runningWithNewParent(k);
    clock.advance(61);
    expect(releaseStaleClaims(k).map((w) => w.task_id)).toEqual([child]);
    expect(status(k, child)).toBe("todo");
  });

  it("goes to todo when its worker fails below the limit, and blocked at the limit", () => {
    const { k } = freshBoard();
    const { child, run } = runningWithNewParent(k);
    expect(recordFailure(k, child, { kind: "crashed", error: "pid 1 not alive", runId: run }, 3)?.result).toBe("retry");
    expect(status(k, child)).toBe("todo");

    const other = runningWithNewParent(k);
    recordFailure(k, other.child, { kind: "crashed", error: "pid 1 not alive", runId: other.run }, 1);
    expect(status(k, other.child)).toBe("blocked");
  });

  it("still goes back to ready when its parents are done", () => {
    const { k } = freshBoard();
    const parent = task(k, "parent");
    completeTask(k, parent);
    const child = task(k, "child", [parent]);
    claimTask(k, child);
    reclaimTask(k, child);
    expect(status(k, child)).toBe("ready");
  });
});
