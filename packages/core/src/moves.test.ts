import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { claimTask } from "./claims.ts";
import { listEvents } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { archiveTask, moveTask, setStatusDirect } from "./moves.ts";
import { getRun, listRuns } from "./runs.ts";
import { createTask, listTasks, requireTask } from "./tasks.ts";

function task(k: Kernel, title = "do it") {
  return createTask(k, { title, assignee: "alice" }).task;
}

describe("archiveTask", () => {
  it("closes the run of a running task and records it on the archived event", () => {
    const { k } = freshBoard();
    const t = task(k);
    const runId = claimTask(k, t.id)?.current_run_id as number;
    const archived = archiveTask(k, t.id);
    expect(archived).toMatchObject({ status: "archived", claim_lock: null, current_run_id: null });
    expect(getRun(k, runId)).toMatchObject({
      outcome: "reclaimed",
      error: "task archived with run still active",
    });
    expect(getRun(k, runId)?.ended_at).not.toBeNull();
    expect(listEvents(k, t.id).at(-1)).toMatchObject({ kind: "archived", run_id: runId, payload: null });
  });

  it("creates no spurious run when archiving a ready task", () => {
    const { k } = freshBoard();
    const t = task(k);
    archiveTask(k, t.id);
    expect(listRuns(k, t.id)).toEqual([]);
    expect(listEvents(k, t.id).at(-1)).toMatchObject({ kind: "archived", run_id: null });
  });

  it("hides the task from the default list", () => {
    const { k } = freshBoard();
    const t = task(k);
    archiveTask(k, t.id);
    expect(listTasks(k).map((x) => x.id)).not.toContain(t.id);
    expect(listTasks(k, { includeArchived: true }).map((x) => x.id)).toContain(t.id);
  });

  it("refuses an already archived task", () => {
    const { k } = freshBoard();
    const t = task(k);
    archiveTask(k, t.id);
    expect(refusal(() => archiveTask(k, t.id)).code).toBe("invalid_transition");
  });
});

describe("setStatusDirect", () => {
  it("closes the run when moving a task off running", () => {
    const { k } = freshBoard();
    const t = task(k);
    const runId = claimTask(k, t.id)?.current_run_id as number;
    const moved = setStatusDirect(k, t.id, "todo");
    expect(moved).toMatchObject({ status: "todo", claim_lock: null, current_run_id: null });
    expect(getRun(k, runId)).toMatchObject({
      outcome: "reclaimed",
      error: "status changed to todo (dashboard/direct)",
    });
    expect(listEvents(k, t.id).at(-1)).toMatchObject({ kind: "status", run_id: runId, payload: { status: "todo" } });
  });

  it("closes a leaked open run of a task that is not running, so no run is left open unpointed", () => {
    const { k } = freshBoard();
    const t = task(k);
    const runId = claimTask(k, t.id)?.current_run_id as number;
    k.db.prepare("UPDATE tasks SET status = 'blocked', claim_lock = NULL WHERE id = ?").run(t.id);
    setStatusDirect(k, t.id, "triage");
    expect(requireTask(k, t.id).current_run_id).toBeNull();
    expect(getRun(k, runId)?.ended_at).not.toBeNull();
    expect(listRuns(k, t.id).filter((r) => r.ended_at === null)).toEqual([]);
  });

  it("creates no run when moving todo to ready", () => {
    const { k } = freshBoard();
    const t = task(k);
    setStatusDirect(k, t.id, "todo");
    setStatusDirect(k, t.id, "ready");
    expect(requireTask(k, t.id).status).toBe("ready");
    expect(listRuns(k, t.id)).toEqual([]);
    expect(listEvents(k, t.id).at(-1)).toMatchObject({ kind: "status", run_id: null, payload: { status: "ready" } });
  });

  it("refuses ready while a parent is unfinished", () => {
    const { k } = freshBoard();
    const parent = task(k, "parent");
    const child = createTask(k, { title: "child", parents: [parent.id] }).task;
    const err = refusal(() => setStatusDirect(k, child.id, "ready"));
    expect(err.code).toBe("parents_unfinished");
    expect(err.facts.parents).toEqual([parent.id]);
    expect(requireTask(k, child.id).status).toBe("todo");
  });
});

describe("moveTask", () => {
  it("refuses running as invalid input", () => {
    const { k } = freshBoard();
    const t = task(k);
    expect(refusal(() => moveTask(k, t.id, { status: "running" })).code).toBe("invalid_input");
    expect(requireTask(k, t.id).status).toBe("ready");
  });

  it("routes done, blocked, ready and archived to their commands", () => {
    const { k } = freshBoard();
    const t = task(k);
    expect(moveTask(k, t.id, { status: "blocked", block_reason: "wait" }).status).toBe("blocked");
    expect(moveTask(k, t.id, { status: "ready" }).status).toBe("ready");
    expect(listEvents(k, t.id).at(-1)?.kind).toBe("unblocked");
    expect(moveTask(k, t.id, { status: "done", result: "ok" }).result).toBe("ok");
    expect(moveTask(k, t.id, { status: "archived" }).status).toBe("archived");
  });
});
