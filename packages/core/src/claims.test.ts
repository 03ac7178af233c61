import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { claimTask, heartbeatClaim, heartbeatWorker, releaseStaleClaims } from "./claims.ts";
import { listEvents } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { getRun, listRuns } from "./runs.ts";
import { createTask, requireTask } from "./tasks.ts";

async function readyTask(k: Kernel, title = "claim me") {
  return (await createTask(k, { title, assignee: "alice" })).task;
}

describe("claimTask", () => {
  it("lets the first claimer win and gives the second claimer null", async () => {
    const { k } = await freshBoard();
    const t = await readyTask(k);
    const first = await claimTask(k, t.id, { claimer: "testhost:1" });
    const second = await claimTask(k, t.id, { claimer: "testhost:2" });
    expect(first?.status).toBe("running");
    expect(first?.claim_lock).toBe("testhost:1");
    expect(second).toBeNull();
    expect((await requireTask(k, t.id)).claim_lock).toBe("testhost:1");
    expect(await listRuns(k, t.id)).toHaveLength(1);
  });

  it("refuses to claim a todo task and leaves it untouched", async () => {
    const { k } = await freshBoard();
    const parent = await readyTask(k, "parent");
    const child = (await createTask(k, { title: "child", parents: [parent.id] })).task;
    expect(child.status).toBe("todo");
    expect(await claimTask(k, child.id)).toBeNull();
    const after = await requireTask(k, child.id);
    expect(after.status).toBe("todo");
    expect(after.claim_lock).toBeNull();
    expect(await listRuns(k, child.id)).toEqual([]);
  });

  it("returns null for an unknown task", async () => {
    const { k } = await freshBoard();
    expect(await claimTask(k, "t_ffffffff")).toBeNull();
  });

  it("creates a running run, points current_run_id at it and records claimed{lock, expires, run_id}", async () => {
    const { k, clock } = await freshBoard();
    const t = await readyTask(k);
    const claimed = await claimTask(k, t.id, { ttl: 600 });
    const now = clock.now();
    expect(claimed?.claim_lock).toBe("testhost:4242");
    expect(claimed?.claim_expires).toBe(now + 600);
    expect(claimed?.started_at).toBe(now);
    const runs = await listRuns(k, t.id);
    expect(runs).toHaveLength(1);
    const run = runs[0];
    expect(claimed?.current_run_id).toBe(run?.id);
    expect(run).toMatchObject({
      status: "running",
      profile: "alice",
      claim_lock: "testhost:4242",
      claim_expires: now + 600,
      started_at: now,
      ended_at: null,
      outcome: null,
    });
    const claimedEvent = (await listEvents(k, t.id)).find((e) => e.kind === "claimed");
    expect(claimedEvent?.payload).toEqual({ lock: "testhost:4242", expires: now + 600, run_id: run?.id });
    expect(claimedEvent?.run_id).toBe(run?.id);
  });

  it("keeps started_at from the first claim when the task is claimed again", async () => {
    const { k, clock } = await freshBoard();
    const t = await readyTask(k);
    const firstAt = clock.now();
    await claimTask(k, t.id);
    await k.write((k) => k.db.run("UPDATE tasks SET claim_expires = ? WHERE id = ?", [firstAt - 1, t.id]));
    await releaseStaleClaims(k);
    clock.advance(100);
    const again = await claimTask(k, t.id);
    expect(again?.started_at).toBe(firstAt);
    expect((await listRuns(k, t.id)).map((r) => r.started_at)).toEqual([firstAt, firstAt + 100]);
  });

  it("closes a stray open run as reclaimed before opening the new one", async () => {
    const { k } = await freshBoard();
    const t = await readyTask(k);
    const first = await claimTask(k, t.id);
    const strayRun = first?.current_run_id as number;
    // Leak: the task is back to ready with its run still open and still pointed at.
    await k.write((k) =>
      k.db.run("UPDATE tasks SET status = 'ready', claim_lock = NULL, claim_expires = NULL WHERE id = ?", [t.id]),
    );
    const again = await claimTask(k, t.id);
    expect(again?.current_run_id).not.toBe(strayRun);
    expect(await getRun(k, strayRun)).toMatchObject({
      status: "reclaimed",
      outcome: "reclaimed",
      error: "invariant recovery on re-claim",
    });
    expect((await getRun(k, strayRun))?.ended_at).not.toBeNull();
    expect((await listRuns(k, t.id)).filter((r) => r.ended_at === null)).toHaveLength(1);
  });
});

describe("heartbeatClaim", () => {
  it("extends the expiry on task and run when the claimer matches", async () => {
    const { k, clock } = await freshBoard();
    const t = await readyTask(k);
    const claimed = await claimTask(k, t.id, { claimer: "testhost:1", ttl: 60 });
    clock.advance(30);
    expect(await heartbeatClaim(k, t.id, 3600, "testhost:1")).toBe(true);
    expect((await requireTask(k, t.id)).claim_expires).toBe(clock.now() + 3600);
    expect((await getRun(k, claimed?.current_run_id as number))?.claim_expires).toBe(clock.now() + 3600);
  });

  it("does not extend the claim for another claimer and reports it lost", async () => {
    const { k, clock } = await freshBoard();
    const t = await readyTask(k);
    const claimed = await claimTask(k, t.id, { claimer: "testhost:1", ttl: 60 });
    const expires = claimed?.claim_expires;
    clock.advance(30);
    expect(await heartbeatClaim(k, t.id, 3600, "otherhost:9")).toBe(false);
    expect((await requireTask(k, t.id)).claim_expires).toBe(expires);
    expect((await getRun(k, claimed?.current_run_id as number))?.claim_expires).toBe(expires);
  });

  it("reports false for a task that is not running", async () => {
    const { k } = await freshBoard();
    const t = await readyTask(k);
    expect(await heartbeatClaim(k, t.id, 3600, "testhost:4242")).toBe(false);
    expect((await requireTask(k, t.id)).claim_expires).toBeNull();
  });
});

describe("heartbeatWorker", () => {
  it("records the time and the note, and extends the claim to now + ttl on task and run", async () => {
    const { k, clock } = await freshBoard();
    const t = await readyTask(k);
    const claimed = await claimTask(k, t.id, { ttl: 900 });
    const runId = claimed?.current_run_id as number;
    clock.advance(800);
    const beat = await heartbeatWorker(k, t.id, { note: "  still compiling  ", runId });
    const now = clock.now();
    expect(beat.last_heartbeat_at).toBe(now);
    expect(beat.claim_expires).toBe(now + 900);
    expect(await getRun(k, runId)).toMatchObject({ last_heartbeat_at: now, claim_expires: now + 900 });
    const event = (await listEvents(k, t.id)).at(-1);
    expect(event).toMatchObject({ kind: "heartbeat", payload: { note: "still compiling" }, run_id: runId });
  });

  it("keeps a heartbeating worker's claim from going stale past the original TTL", async () => {
    const { k, clock } = await freshBoard();
    const t = await readyTask(k);
    await claimTask(k, t.id, { ttl: 900 });
    for (let i = 0; i < 4; i++) {
      clock.advance(600);
      await heartbeatWorker(k, t.id);
    }
    clock.advance(600);
    expect(await releaseStaleClaims(k)).toEqual([]);
    expect((await requireTask(k, t.id)).status).toBe("running");
  });

  it("never shortens a claim taken with a longer TTL", async () => {
    const { k, clock } = await freshBoard();
    const t = await readyTask(k);
    const claimed = await claimTask(k, t.id, { ttl: 7200 });
    clock.advance(60);
    expect((await heartbeatWorker(k, t.id, { ttl: 900 })).claim_expires).toBe(claimed?.claim_expires);
    clock.advance(7000);
    expect((await heartbeatWorker(k, t.id, { ttl: 900 })).claim_expires).toBe(clock.now() + 900);
  });

  it("records a heartbeat without a note as a null payload", async () => {
    const { k } = await freshBoard();
    const t = await readyTask(k);
    await claimTask(k, t.id);
    await heartbeatWorker(k, t.id, { note: "   " });
    expect((await listEvents(k, t.id)).at(-1)).toMatchObject({ kind: "heartbeat", payload: null });
  });

  it("refuses a task that is not running and changes nothing", async () => {
    const { k } = await freshBoard();
    const t = await readyTask(k);
    const err = await refusal(() => heartbeatWorker(k, t.id, { note: "hi" }));
    expect(err.code).toBe("invalid_transition");
    expect(err.message).toContain("not running");
    expect((await requireTask(k, t.id)).last_heartbeat_at).toBeNull();
    expect((await listEvents(k, t.id)).map((e) => e.kind)).toEqual(["created"]);
  });

  it("refuses an unknown task with not_found", async () => {
    const { k } = await freshBoard();
    expect((await refusal(() => heartbeatWorker(k, "t_ffffffff"))).code).toBe("not_found");
  });

  it("returns the task exactly as the claim and the heartbeat left it in the database", async () => {
    const { k, clock } = await freshBoard();
    const t = await readyTask(k);
    const claimed = await claimTask(k, t.id, { ttl: 600 });
    expect(claimed).toEqual(await requireTask(k, t.id));
    clock.advance(30);
    const beat = await heartbeatWorker(k, t.id, { runId: claimed?.current_run_id, ttl: 900 });
    const task = await requireTask(k, t.id);
    expect(beat).toEqual({
      id: task.id,
      status: "running",
      current_run_id: task.current_run_id,
      claim_expires: task.claim_expires,
      last_heartbeat_at: task.last_heartbeat_at,
    });
    expect(beat.claim_expires).toBe(clock.now() + 900);
  });

  it("refuses a run id that is not the current run as superseded, leaving the claim alone", async () => {
    const { k, clock } = await freshBoard();
    const t = await readyTask(k);
    const claimed = await claimTask(k, t.id, { ttl: 900 });
    const runId = claimed?.current_run_id as number;
    clock.advance(100);
    const err = await refusal(() => heartbeatWorker(k, t.id, { runId: runId + 1 }));
    expect(err.code).toBe("superseded");
    expect(err.message).toContain(String(runId + 1));
    const after = await requireTask(k, t.id);
    expect(after.claim_expires).toBe(claimed?.claim_expires);
    expect(after.last_heartbeat_at).toBeNull();
  });

  it("refuses a heartbeat from a run that was released, as superseded rather than not-running", async () => {
    const { k, clock } = await freshBoard();
    const t = await readyTask(k);
    const claimed = await claimTask(k, t.id, { ttl: 60 });
    clock.advance(61);
    await releaseStaleClaims(k);
    const err = await refusal(() => heartbeatWorker(k, t.id, { runId: claimed?.current_run_id }));
    expect(err.code).toBe("superseded");
  });
});

describe("releaseStaleClaims", () => {
  it("releases an expired claim to ready, closes the run reclaimed and records the stale lock", async () => {
    const { k, clock } = await freshBoard();
    const t = await readyTask(k);
    const claimed = await claimTask(k, t.id, { ttl: 60 });
    const runId = claimed?.current_run_id as number;
    clock.advance(61);
    const released = await releaseStaleClaims(k);
    expect(released).toEqual([
      { task_id: t.id, run_id: runId, pid: null, lock: "testhost:4242", started_at: 1_700_000_000 },
    ]);
    const after = await requireTask(k, t.id);
    expect(after).toMatchObject({
      status: "ready",
      claim_lock: null,
      claim_expires: null,
      worker_pid: null,
      current_run_id: null,
    });
    expect(await getRun(k, runId)).toMatchObject({
      status: "reclaimed",
      outcome: "reclaimed",
      error: "stale_lock=testhost:4242",
      ended_at: clock.now(),
    });
    const event = (await listEvents(k, t.id)).at(-1);
    expect(event).toMatchObject({ kind: "reclaimed", payload: { stale_lock: "testhost:4242" }, run_id: runId });
  });

  it("does not count a stale claim as a failure", async () => {
    const { k, clock } = await freshBoard();
    const t = await readyTask(k);
    for (let i = 0; i < 5; i++) {
      await claimTask(k, t.id, { ttl: 60 });
      clock.advance(61);
      expect(await releaseStaleClaims(k)).toHaveLength(1);
    }
    const after = await requireTask(k, t.id);
    expect(after.status).toBe("ready");
    expect(after.spawn_failures).toBe(0);
    expect(after.last_spawn_error).toBeNull();
  });

  it("leaves a live claim alone, including one expiring exactly now", async () => {
    const { k, clock } = await freshBoard();
    const t = await readyTask(k);
    const claimed = await claimTask(k, t.id, { ttl: 60 });
    clock.advance(60);
    expect(await releaseStaleClaims(k)).toEqual([]);
    expect(await requireTask(k, t.id)).toMatchObject({ status: "running", claim_lock: "testhost:4242" });
    expect((await getRun(k, claimed?.current_run_id as number))?.ended_at).toBeNull();
    expect((await listEvents(k, t.id)).some((e) => e.kind === "reclaimed")).toBe(false);
  });
});
