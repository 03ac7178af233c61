import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { blockTask, unblockTask } from "./blocking.ts";
import { claimTask, releaseStaleClaims } from "./claims.ts";
import { completeTask } from "./completion.ts";
import { listEvents } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { linkTasks } from "./links.ts";
import { getRun, listRuns } from "./runs.ts";
import { createTask, requireTask } from "./tasks.ts";

function task(k: Kernel, title = "do it") {
  return createTask(k, { title, assignee: "alice" }).task;
}

describe("blockTask", () => {
  it("blocks a running task, releases the claim and stores the reason as the run summary", () => {
    const { k } = freshBoard();
    const t = task(k);
    const runId = claimTask(k, t.id)?.current_run_id as number;
    const blocked = blockTask(k, t.id, { reason: "  need the API key  ", runId });
    expect(blocked).toMatchObject({
      status: "blocked",
      claim_lock: null,
      claim_expires: null,
      worker_pid: null,
      current_run_id: null,
    });
    expect(getRun(k, runId)).toMatchObject({ status: "blocked", outcome: "blocked", summary: "need the API key" });
    expect(listEvents(k, t.id).at(-1)).toMatchObject({
      kind: "blocked",
      run_id: runId,
      payload: { reason: "need the API key" },
    });
  });

  it("synthesises a zero-length run for an unclaimed task when a reason is given", () => {
    const { k, clock } = freshBoard();
    const t = task(k);
    blockTask(k, t.id, { reason: "waiting on legal" });
    const runs = listRuns(k, t.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      status: "blocked",
      outcome: "blocked",
      summary: "waiting on legal",
      started_at: clock.now(),
      ended_at: clock.now(),
    });
    expect(listEvents(k, t.id).at(-1)).toMatchObject({ kind: "blocked", run_id: runs[0]?.id });
  });

  it("synthesises no run for an unclaimed task blocked without a reason", () => {
    const { k } = freshBoard();
    const t = task(k);
    blockTask(k, t.id, { reason: "   " });
    expect(listRuns(k, t.id)).toEqual([]);
    expect(listEvents(k, t.id).at(-1)).toMatchObject({ kind: "blocked", run_id: null, payload: { reason: null } });
  });

  it("refuses to block a done task and changes nothing", () => {
    const { k } = freshBoard();
    const t = task(k);
    completeTask(k, t.id, { result: "ok" });
    const before = listEvents(k, t.id).length;
    const err = refusal(() => blockTask(k, t.id, { reason: "too late" }));
    expect(err.code).toBe("invalid_transition");
    expect(err.message).toContain("done");
    expect(requireTask(k, t.id).status).toBe("done");
    expect(listEvents(k, t.id)).toHaveLength(before);
  });

  it("refuses a block from a run that is no longer current as superseded", () => {
    const { k, clock } = freshBoard();
    const t = task(k);
    const old = claimTask(k, t.id, { ttl: 60 })?.current_run_id as number;
    clock.advance(61);
    releaseStaleClaims(k);
    const err = refusal(() => blockTask(k, t.id, { reason: "stuck", runId: old }));
    expect(err.code).toBe("superseded");
    expect(requireTask(k, t.id).status).toBe("ready");
    expect(listEvents(k, t.id).some((e) => e.kind === "blocked")).toBe(false);
  });

  it("refuses an unknown task with not_found", () => {
    const { k } = freshBoard();
    expect(refusal(() => blockTask(k, "t_ffffffff")).code).toBe("not_found");
  });
});

describe("unblockTask", () => {
  it("completes a block -> unblock cycle back to ready and claimable", () => {
    const { k } = freshBoard();
    const t = task(k);
    claimTask(k, t.id);
    blockTask(k, t.id, { reason: "stuck" });
    const unblocked = unblockTask(k, t.id);
    expect(unblocked.status).toBe("ready");
    expect(listEvents(k, t.id).at(-1)).toMatchObject({ kind: "unblocked", payload: null, run_id: null });
    expect(claimTask(k, t.id)?.status).toBe("running");
  });

  it("creates no spurious run on the normal path", () => {
    const { k } = freshBoard();
    const t = task(k);
    claimTask(k, t.id);
    blockTask(k, t.id, { reason: "stuck" });
    const runsBefore = listRuns(k, t.id);
    unblockTask(k, t.id);
    expect(listRuns(k, t.id)).toEqual(runsBefore);
  });

  it("closes a leaked open run as reclaimed (invariant recovery)", () => {
    const { k } = freshBoard();
    const t = task(k);
    const runId = claimTask(k, t.id)?.current_run_id as number;
    // Leak: blocked by a direct write that left the run open and pointed at.
    k.db.prepare("UPDATE tasks SET status = 'blocked', claim_lock = NULL WHERE id = ?").run(t.id);
    const unblocked = unblockTask(k, t.id);
    expect(unblocked.current_run_id).toBeNull();
    expect(getRun(k, runId)).toMatchObject({ outcome: "reclaimed", error: "invariant recovery on unblock" });
    expect(getRun(k, runId)?.ended_at).not.toBeNull();
  });

  it("resets the failure counter", () => {
    const { k } = freshBoard();
    const t = task(k);
    blockTask(k, t.id);
    k.db.prepare("UPDATE tasks SET spawn_failures = 3, last_spawn_error = 'boom' WHERE id = ?").run(t.id);
    expect(unblockTask(k, t.id).spawn_failures).toBe(0);
  });

  it("refuses while a parent is unfinished, naming the parents", () => {
    const { k } = freshBoard();
    const p1 = task(k, "parent one");
    const p2 = task(k, "parent two");
    const done = task(k, "parent done");
    completeTask(k, done.id);
    const child = task(k, "child");
    blockTask(k, child.id, { reason: "parked" });
    linkTasks(k, p2.id, child.id);
    linkTasks(k, p1.id, child.id);
    linkTasks(k, done.id, child.id);
    const err = refusal(() => unblockTask(k, child.id));
    expect(err.code).toBe("parents_unfinished");
    expect(err.facts.parents).toEqual([p1.id, p2.id]);
    expect(err.message).toContain(p1.id);
    expect(err.message).toContain(p2.id);
    expect(requireTask(k, child.id).status).toBe("blocked");
    expect(listEvents(k, child.id).some((e) => e.kind === "unblocked")).toBe(false);
  });

  it("refuses a task that is not blocked", () => {
    const { k } = freshBoard();
    const t = task(k);
    const err = refusal(() => unblockTask(k, t.id));
    expect(err.code).toBe("invalid_transition");
    expect(requireTask(k, t.id).status).toBe("ready");
  });
});
