import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { blockTask, unblockTask } from "./blocking.ts";
import { claimTask, releaseStaleClaims } from "./claims.ts";
import { listComments } from "./comments.ts";
import { completeTask } from "./completion.ts";
import { listEvents } from "./events.ts";
import { recordWorkerExit } from "./failures.ts";
import type { Kernel } from "./kernel.ts";
import { linkTasks } from "./links.ts";
import { getRun, listRuns } from "./runs.ts";
import { createTask, requireTask } from "./tasks.ts";

async function task(k: Kernel, title = "do it") {
  return (await createTask(k, { title, assignee: "alice" })).task;
}

describe("blockTask", () => {
  it("blocks a running task, releases the claim and stores the reason as the run summary", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    const runId = (await claimTask(k, t.id))?.current_run_id as number;
    const blocked = await blockTask(k, t.id, { reason: "  need the API key  ", runId });
    expect(blocked.run_id).toBe(runId);
    expect(blocked.task).toMatchObject({
      status: "blocked",
      claim_lock: null,
      claim_expires: null,
      worker_pid: null,
      current_run_id: null,
    });
    expect(await getRun(k, runId)).toMatchObject({
      status: "blocked",
      outcome: "blocked",
      summary: "need the API key",
    });
    expect((await listEvents(k, t.id)).find((e) => e.kind === "blocked")).toMatchObject({
      run_id: runId,
      payload: { reason: "need the API key" },
    });
  });

  it("synthesises a zero-length run for an unclaimed task when a reason is given", async () => {
    const { k, clock } = await freshBoard();
    const t = await task(k);
    const blocked = await blockTask(k, t.id, { reason: "waiting on legal" });
    const runs = await listRuns(k, t.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      status: "blocked",
      outcome: "blocked",
      summary: "waiting on legal",
      started_at: clock.now(),
      ended_at: clock.now(),
    });
    expect(blocked.run_id).toBe(runs[0]?.id);
    expect((await listEvents(k, t.id)).find((e) => e.kind === "blocked")).toMatchObject({ run_id: runs[0]?.id });
  });

  it("posts the reason as a comment 'BLOCKED: <reason>' by its author, after the blocked event", async () => {
    const { k, clock } = await freshBoard();
    const t = await task(k);
    const runId = (await claimTask(k, t.id))?.current_run_id as number;
    await blockTask(k, t.id, { reason: "  need the API key  ", runId, author: " alice " });
    expect(await listComments(k, t.id)).toEqual([
      { id: 1, task_id: t.id, author: "alice", body: "BLOCKED: need the API key", created_at: clock.now() },
    ]);
    expect((await listEvents(k, t.id)).slice(-2)).toMatchObject([
      { kind: "blocked", run_id: runId },
      { kind: "commented", payload: { author: "alice", len: "BLOCKED: need the API key".length } },
    ]);
  });

  it("signs the comment 'user' when no author is given", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    await blockTask(k, t.id, { reason: "waiting on legal" });
    expect((await listComments(k, t.id)).map((c) => [c.author, c.body])).toEqual([
      ["user", "BLOCKED: waiting on legal"],
    ]);
  });

  it("posts no comment when no reason is given", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    await claimTask(k, t.id);
    await blockTask(k, t.id, { author: "alice" });
    const other = await task(k, "other");
    await blockTask(k, other.id, { reason: "   ", author: "alice" });
    expect(await listComments(k, t.id)).toEqual([]);
    expect(await listComments(k, other.id)).toEqual([]);
    expect((await listEvents(k, t.id)).some((e) => e.kind === "commented")).toBe(false);
    expect((await listEvents(k, other.id)).some((e) => e.kind === "commented")).toBe(false);
  });

  it("synthesises no run for an unclaimed task blocked without a reason", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    expect((await blockTask(k, t.id, { reason: "   " })).run_id).toBeNull();
    expect(await listRuns(k, t.id)).toEqual([]);
    expect((await listEvents(k, t.id)).at(-1)).toMatchObject({
      kind: "blocked",
      run_id: null,
      payload: { reason: null },
    });
  });

  it("refuses to block a done task and changes nothing", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    await completeTask(k, t.id, { result: "ok" });
    const before = (await listEvents(k, t.id)).length;
    const err = await refusal(() => blockTask(k, t.id, { reason: "too late" }));
    expect(err.code).toBe("invalid_transition");
    expect(err.message).toContain("done");
    expect((await requireTask(k, t.id)).status).toBe("done");
    expect(await listEvents(k, t.id)).toHaveLength(before);
    expect(await listComments(k, t.id)).toEqual([]);
  });

  it("refuses a block from a run that is no longer current as superseded", async () => {
    const { k, clock } = await freshBoard();
    const t = await task(k);
    const old = (await claimTask(k, t.id, { ttl: 60 }))?.current_run_id as number;
    clock.advance(61);
    await releaseStaleClaims(k);
    const err = await refusal(() => blockTask(k, t.id, { reason: "stuck", runId: old }));
    expect(err.code).toBe("superseded");
    expect((await requireTask(k, t.id)).status).toBe("ready");
    expect((await listEvents(k, t.id)).some((e) => e.kind === "blocked")).toBe(false);
    expect(await listComments(k, t.id)).toEqual([]);
  });

  it("refuses an unknown task with not_found", async () => {
    const { k } = await freshBoard();
    expect((await refusal(() => blockTask(k, "t_ffffffff"))).code).toBe("not_found");
  });
});

describe("unblockTask", () => {
  it("completes a block -> unblock cycle back to ready and claimable", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    await claimTask(k, t.id);
    await blockTask(k, t.id, { reason: "stuck" });
    const unblocked = await unblockTask(k, t.id);
    expect(unblocked.status).toBe("ready");
    expect((await listEvents(k, t.id)).at(-1)).toMatchObject({ kind: "unblocked", payload: null, run_id: null });
    expect((await claimTask(k, t.id))?.status).toBe("running");
  });

  it("is a fresh start: a backoff the task was waiting out when it was blocked is gone, and it can be claimed at once", async () => {
    const { k, clock } = await freshBoard();
    const t = await task(k);
    const runId = (await claimTask(k, t.id))?.current_run_id as number;
    await recordWorkerExit(k, t.id, runId, { pid: 5000, code: 75, signal: null });
    expect((await requireTask(k, t.id)).retry_after).toBeGreaterThan(clock.now());
    await blockTask(k, t.id, { reason: "the provider is down, wait for my word" });
    expect((await unblockTask(k, t.id)).retry_after).toBeNull();
    expect((await claimTask(k, t.id))?.status).toBe("running");
  });

  it("creates no spurious run on the normal path", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    await claimTask(k, t.id);
    await blockTask(k, t.id, { reason: "stuck" });
    const runsBefore = await listRuns(k, t.id);
    await unblockTask(k, t.id);
    expect(await listRuns(k, t.id)).toEqual(runsBefore);
  });

  it("closes a leaked open run as reclaimed (invariant recovery)", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    const runId = (await claimTask(k, t.id))?.current_run_id as number;
    // Leak: blocked by a direct write that left the run open and pointed at.
    await k.write((k) => k.db.run("UPDATE tasks SET status = 'blocked', claim_lock = NULL WHERE id = ?", [t.id]));
    const unblocked = await unblockTask(k, t.id);
    expect(unblocked.current_run_id).toBeNull();
    expect(await getRun(k, runId)).toMatchObject({ outcome: "reclaimed", error: "invariant recovery on unblock" });
    expect((await getRun(k, runId))?.ended_at).not.toBeNull();
  });

  it("resets the failure counter", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    await blockTask(k, t.id);
    await k.write((k) =>
      k.db.run("UPDATE tasks SET spawn_failures = 3, last_spawn_error = 'boom' WHERE id = ?", [t.id]),
    );
    expect((await unblockTask(k, t.id)).spawn_failures).toBe(0);
  });

  it("refuses while a parent is unfinished, naming the parents", async () => {
    const { k } = await freshBoard();
    const p1 = await task(k, "parent one");
    const p2 = await task(k, "parent two");
    const done = await task(k, "parent done");
    await completeTask(k, done.id);
    const child = await task(k, "child");
    await blockTask(k, child.id, { reason: "parked" });
    await linkTasks(k, p2.id, child.id);
    await linkTasks(k, p1.id, child.id);
    await linkTasks(k, done.id, child.id);
    const err = await refusal(() => unblockTask(k, child.id));
    expect(err.code).toBe("parents_unfinished");
    expect(err.facts.parents).toEqual([p1.id, p2.id]);
    expect(err.message).toContain(p1.id);
    expect(err.message).toContain(p2.id);
    expect((await requireTask(k, child.id)).status).toBe("blocked");
    expect((await listEvents(k, child.id)).some((e) => e.kind === "unblocked")).toBe(false);
  });

  it("refuses a task that is not blocked", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    const err = await refusal(() => unblockTask(k, t.id));
    expect(err.code).toBe("invalid_transition");
    expect((await requireTask(k, t.id)).status).toBe("ready");
  });
});
