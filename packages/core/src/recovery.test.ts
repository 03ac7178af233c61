import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { blockTask } from "./blocking.ts";
import { claimTask, heartbeatWorker, releaseStaleClaims, setWorkerPid } from "./claims.ts";
import { completeTask } from "./completion.ts";
import { listEvents } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { linkTasks } from "./links.ts";
import { reassignTask, reclaimTask } from "./recovery.ts";
import { getRun } from "./runs.ts";
import { createTask, requireTask } from "./tasks.ts";

/** A live claim: expiry an hour ahead, worker pid 12345, an open run. */
async function liveClaim(k: Kernel, assignee = "alice") {
  const t = (await createTask(k, { title: "long job", assignee })).task;
  const runId = (await claimTask(k, t.id, { ttl: 3600 }))?.current_run_id as number;
  await setWorkerPid(k, t.id, runId, 12345);
  return { id: t.id, runId };
}

describe("reclaimTask", () => {
  it("releases a live claim at once, which the stale sweep would not, and returns the worker", async () => {
    const { k, clock } = await freshBoard();
    const { id, runId } = await liveClaim(k);
    clock.advance(60);
    expect(await releaseStaleClaims(k)).toEqual([]);
    const worker = await reclaimTask(k, id, { reason: "operator abort" });
    expect(worker).toEqual({ task_id: id, run_id: runId, pid: 12345, lock: "testhost:4242" });
    expect(await requireTask(k, id)).toMatchObject({
      status: "ready",
      claim_lock: null,
      claim_expires: null,
      worker_pid: null,
      current_run_id: null,
    });
    expect(await getRun(k, runId)).toMatchObject({
      outcome: "reclaimed",
      error: "manual_reclaim: operator abort",
      ended_at: clock.now(),
    });
    const reclaimed = (await listEvents(k, id)).filter((e) => e.kind === "reclaimed");
    expect(reclaimed).toHaveLength(1);
    expect(reclaimed[0]).toMatchObject({
      run_id: runId,
      payload: { manual: true, reason: "operator abort", prev_lock: "testhost:4242", prev_pid: 12345, status: "ready" },
    });
  });

  it("puts a running task with an unfinished parent in todo, and says so on the reclaimed event", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await liveClaim(k);
    const parent = (await createTask(k, { title: "found later" })).task;
    await linkTasks(k, parent.id, id);
    expect((await requireTask(k, id)).status).toBe("running");
    await reclaimTask(k, id, { reason: "needs the parent first" });
    expect(await requireTask(k, id)).toMatchObject({ status: "todo", claim_lock: null, current_run_id: null });
    expect((await listEvents(k, id)).at(-1)).toEqual({
      id: expect.any(Number),
      task_id: id,
      run_id: runId,
      kind: "reclaimed",
      payload: {
        manual: true,
        reason: "needs the parent first",
        prev_lock: "testhost:4242",
        prev_pid: 12345,
        status: "todo",
      },
      created_at: expect.any(Number),
    });
  });

  it("names the previous lock in the run's error when no reason is given", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await liveClaim(k);
    await reclaimTask(k, id);
    expect((await getRun(k, runId))?.error).toBe("manual_reclaim lock=testhost:4242");
    expect((await listEvents(k, id)).at(-1)?.payload).toMatchObject({ manual: true, reason: null });
  });

  it("does not count a manual reclaim as a failure", async () => {
    const { k } = await freshBoard();
    const { id } = await liveClaim(k);
    expect((await reclaimTask(k, id)).task_id).toBe(id);
    expect((await requireTask(k, id)).spawn_failures).toBe(0);
  });

  it("refuses a task that is already ready, changing nothing", async () => {
    const { k } = await freshBoard();
    const t = (await createTask(k, { title: "idle", assignee: "alice" })).task;
    const err = await refusal(() => reclaimTask(k, t.id, { reason: "why" }));
    expect(err.code).toBe("invalid_transition");
    expect(err.message).toContain("ready");
    expect((await listEvents(k, t.id)).map((e) => e.kind)).toEqual(["created"]);
  });

  it("refuses an unknown task with not_found", async () => {
    const { k } = await freshBoard();
    expect((await refusal(() => reclaimTask(k, "t_ffffffff"))).code).toBe("not_found");
  });

  it("refuses a late complete, heartbeat or block from the reclaimed run as superseded", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await liveClaim(k);
    await reclaimTask(k, id, { reason: "abort" });
    const eventsBefore = (await listEvents(k, id)).length;
    expect((await refusal(() => completeTask(k, id, { result: "late", runId }))).code).toBe("superseded");
    expect((await refusal(() => heartbeatWorker(k, id, { runId }))).code).toBe("superseded");
    expect((await refusal(() => blockTask(k, id, { reason: "late", runId }))).code).toBe("superseded");
    // Also after the task was claimed again by a new run.
    await claimTask(k, id);
    expect((await refusal(() => completeTask(k, id, { result: "late", runId }))).code).toBe("superseded");
    expect((await refusal(() => heartbeatWorker(k, id, { runId }))).code).toBe("superseded");
    expect((await refusal(() => blockTask(k, id, { reason: "late", runId }))).code).toBe("superseded");
    expect((await requireTask(k, id)).status).toBe("running");
    expect((await listEvents(k, id)).slice(eventsBefore).map((e) => e.kind)).toEqual(["claimed"]);
  });
});

describe("reassignTask", () => {
  it("refuses a running task without reclaimFirst and keeps the assignee", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await liveClaim(k);
    const err = await refusal(() => reassignTask(k, id, "new-profile"));
    expect(err.code).toBe("task_running");
    expect(err.message).toMatch(/reclaim/);
    expect(await requireTask(k, id)).toMatchObject({ assignee: "alice", status: "running", current_run_id: runId });
    expect((await listEvents(k, id)).some((e) => e.kind === "assigned")).toBe(false);
  });

  it("with reclaimFirst reclaims the running task, switches the profile and leaves it ready", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await liveClaim(k);
    const { task, reclaimed } = await reassignTask(k, id, "New-Profile", { reclaimFirst: true });
    expect(task).toMatchObject({ assignee: "new-profile", status: "ready", claim_lock: null });
    expect(reclaimed).toMatchObject({ task_id: id, run_id: runId, pid: 12345 });
    expect((await getRun(k, runId))?.error).toBe("manual_reclaim: reassign");
    const tail = (await listEvents(k, id)).slice(-2);
    expect(tail.map((e) => e.kind)).toEqual(["reclaimed", "assigned"]);
    expect(tail[1]?.payload).toEqual({ assignee: "new-profile" });
  });

  it("with reclaimFirst on a task that is not running just reassigns it", async () => {
    const { k } = await freshBoard();
    const t = (await createTask(k, { title: "idle", assignee: "alice" })).task;
    const { task, reclaimed } = await reassignTask(k, t.id, "bob", { reclaimFirst: true, reason: "balance" });
    expect(task.assignee).toBe("bob");
    expect(reclaimed).toBeNull();
    expect((await listEvents(k, t.id)).map((e) => e.kind)).toEqual(["created", "assigned"]);
  });

  it("unassigns the task when given null", async () => {
    const { k } = await freshBoard();
    const t = (await createTask(k, { title: "idle", assignee: "alice" })).task;
    expect((await reassignTask(k, t.id, null)).task.assignee).toBeNull();
    expect((await listEvents(k, t.id)).at(-1)).toMatchObject({ kind: "assigned", payload: { assignee: null } });
  });

  it("refuses an unknown task with not_found", async () => {
    const { k } = await freshBoard();
    expect((await refusal(() => reassignTask(k, "t_ffffffff", "bob", { reclaimFirst: true }))).code).toBe("not_found");
  });
});
