import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { blockTask } from "./blocking.ts";
import { claimTask, heartbeatWorker, releaseStaleClaims, setWorkerPid } from "./claims.ts";
import { completeTask } from "./completion.ts";
import { listEvents } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { reassignTask, reclaimTask } from "./recovery.ts";
import { getRun } from "./runs.ts";
import { createTask, requireTask } from "./tasks.ts";

/** A live claim: expiry an hour ahead, worker pid 12345, an open run. */
function liveClaim(k: Kernel, assignee = "alice") {
  const t = createTask(k, { title: "long job", assignee }).task;
  const runId = claimTask(k, t.id, { ttl: 3600 })?.current_run_id as number;
  setWorkerPid(k, t.id, runId, 12345);
  return { id: t.id, runId };
}

describe("reclaimTask", () => {
  it("releases a live claim at once, which the stale sweep would not, and returns the worker", () => {
    const { k, clock } = freshBoard();
    const { id, runId } = liveClaim(k);
    clock.advance(60);
    expect(releaseStaleClaims(k)).toEqual([]);
    const worker = reclaimTask(k, id, { reason: "operator abort" });
    expect(worker).toEqual({ task_id: id, run_id: runId, pid: 12345, lock: "testhost:4242" });
    expect(requireTask(k, id)).toMatchObject({
      status: "ready",
      claim_lock: null,
      claim_expires: null,
      worker_pid: null,
      current_run_id: null,
    });
    expect(getRun(k, runId)).toMatchObject({
      outcome: "reclaimed",
      error: "manual_reclaim: operator abort",
      ended_at: clock.now(),
    });
    const reclaimed = listEvents(k, id).filter((e) => e.kind === "reclaimed");
    expect(reclaimed).toHaveLength(1);
    expect(reclaimed[0]).toMatchObject({
      run_id: runId,
      payload: { manual: true, reason: "operator abort", prev_lock: "testhost:4242", prev_pid: 12345 },
    });
  });

  it("names the previous lock in the run's error when no reason is given", () => {
    const { k } = freshBoard();
    const { id, runId } = liveClaim(k);
    reclaimTask(k, id);
    expect(getRun(k, runId)?.error).toBe("manual_reclaim lock=testhost:4242");
    expect(listEvents(k, id).at(-1)?.payload).toMatchObject({ manual: true, reason: null });
  });

  it("does not count a manual reclaim as a failure", () => {
    const { k } = freshBoard();
    const { id } = liveClaim(k);
    expect(reclaimTask(k, id).task_id).toBe(id);
    expect(requireTask(k, id).spawn_failures).toBe(0);
  });

  it("refuses a task that is already ready, changing nothing", () => {
    const { k } = freshBoard();
    const t = createTask(k, { title: "idle", assignee: "alice" }).task;
    const err = refusal(() => reclaimTask(k, t.id, { reason: "why" }));
    expect(err.code).toBe("invalid_transition");
    expect(err.message).toContain("ready");
    expect(listEvents(k, t.id).map((e) => e.kind)).toEqual(["created"]);
  });

  it("refuses an unknown task with not_found", () => {
    const { k } = freshBoard();
    expect(refusal(() => reclaimTask(k, "t_ffffffff")).code).toBe("not_found");
  });

  it("refuses a late complete, heartbeat or block from the reclaimed run as superseded", () => {
    const { k } = freshBoard();
    const { id, runId } = liveClaim(k);
    reclaimTask(k, id, { reason: "abort" });
    const eventsBefore = listEvents(k, id).length;
    expect(refusal(() => completeTask(k, id, { result: "late", runId })).code).toBe("superseded");
    expect(refusal(() => heartbeatWorker(k, id, { runId })).code).toBe("superseded");
    expect(refusal(() => blockTask(k, id, { reason: "late", runId })).code).toBe("superseded");
    // Also after the task was claimed again by a new run.
    claimTask(k, id);
    expect(refusal(() => completeTask(k, id, { result: "late", runId })).code).toBe("superseded");
    expect(refusal(() => heartbeatWorker(k, id, { runId })).code).toBe("superseded");
    expect(refusal(() => blockTask(k, id, { reason: "late", runId })).code).toBe("superseded");
    expect(requireTask(k, id).status).toBe("running");
    expect(
      listEvents(k, id)
        .slice(eventsBefore)
        .map((e) => e.kind),
    ).toEqual(["claimed"]);
  });
});

describe("reassignTask", () => {
  it("refuses a running task without reclaimFirst and keeps the assignee", () => {
    const { k } = freshBoard();
    const { id, runId } = liveClaim(k);
    const err = refusal(() => reassignTask(k, id, "new-profile"));
    expect(err.code).toBe("task_running");
    expect(err.message).toMatch(/reclaim/);
    expect(requireTask(k, id)).toMatchObject({ assignee: "alice", status: "running", current_run_id: runId });
    expect(listEvents(k, id).some((e) => e.kind === "assigned")).toBe(false);
  });

  it("with reclaimFirst reclaims the running task, switches the profile and leaves it ready", () => {
    const { k } = freshBoard();
    const { id, runId } = liveClaim(k);
    const { task, reclaimed } = reassignTask(k, id, "New-Profile", { reclaimFirst: true });
    expect(task).toMatchObject({ assignee: "new-profile", status: "ready", claim_lock: null });
    expect(reclaimed).toMatchObject({ task_id: id, run_id: runId, pid: 12345 });
    expect(getRun(k, runId)?.error).toBe("manual_reclaim: reassign");
    const tail = listEvents(k, id).slice(-2);
    expect(tail.map((e) => e.kind)).toEqual(["reclaimed", "assigned"]);
    expect(tail[1]?.payload).toEqual({ assignee: "new-profile" });
  });

  it("with reclaimFirst on a task that is not running just reassigns it", () => {
    const { k } = freshBoard();
    const t = createTask(k, { title: "idle", assignee: "alice" }).task;
    const { task, reclaimed } = reassignTask(k, t.id, "bob", { reclaimFirst: true, reason: "balance" });
    expect(task.assignee).toBe("bob");
    expect(reclaimed).toBeNull();
    expect(listEvents(k, t.id).map((e) => e.kind)).toEqual(["created", "assigned"]);
  });

  it("unassigns the task when given null", () => {
    const { k } = freshBoard();
    const t = createTask(k, { title: "idle", assignee: "alice" }).task;
    expect(reassignTask(k, t.id, null).task.assignee).toBeNull();
    expect(listEvents(k, t.id).at(-1)).toMatchObject({ kind: "assigned", payload: { assignee: null } });
  });

  it("refuses an unknown task with not_found", () => {
    const { k } = freshBoard();
    expect(refusal(() => reassignTask(k, "t_ffffffff", "bob", { reclaimFirst: true })).code).toBe("not_found");
  });
});
