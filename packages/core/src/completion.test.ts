import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { claimTask, releaseStaleClaims } from "./claims.ts";
import { completeTask, editCompletedResult } from "./completion.ts";
import { listEvents } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { archiveTask } from "./moves.ts";
import { getRun, listRuns } from "./runs.ts";
import { createTask, requireTask } from "./tasks.ts";

async function task(k: Kernel, title = "do it") {
  return (await createTask(k, { title, assignee: "alice" })).task;
}

async function claimed(k: Kernel, title = "do it") {
  const t = await task(k, title);
  const c = await claimTask(k, t.id);
  return { id: t.id, runId: c?.current_run_id as number };
}

describe("completeTask", () => {
  it("records result and completed_at and closes the run with summary and metadata", async () => {
    const { k, clock } = await freshBoard();
    const { id, runId } = await claimed(k);
    clock.advance(120);
    const done = await completeTask(k, id, {
      result: "ok",
      summary: "wrote the parser\nand its tests",
      metadata: { files: 3 },
      runId,
    });
    expect(done.run_id).toBe(runId);
    expect(done.task).toMatchObject({
      status: "done",
      result: "ok",
      completed_at: clock.now(),
      claim_lock: null,
      claim_expires: null,
      current_run_id: null,
    });
    expect(await getRun(k, runId)).toMatchObject({
      status: "done",
      outcome: "completed",
      ended_at: clock.now(),
      summary: "wrote the parser\nand its tests",
      metadata: { files: 3 },
    });
  });

  it("uses the result as the run summary when no summary is given", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await claimed(k);
    await completeTask(k, id, { result: "shipped v2" });
    expect((await getRun(k, runId))?.summary).toBe("shipped v2");
  });

  it("puts result_len and the first line of the summary in the completed payload", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await claimed(k);
    await completeTask(k, id, { result: "12345", summary: "first line\nsecond line" });
    const event = (await listEvents(k, id)).find((e) => e.kind === "completed");
    expect(event).toMatchObject({ run_id: runId, payload: { result_len: 5, summary: "first line" } });
    expect(event?.payload).not.toHaveProperty("verified_cards");
  });

  it("caps the completed payload's summary at 400 characters", async () => {
    const { k } = await freshBoard();
    const { id } = await claimed(k);
    await completeTask(k, id, { summary: "x".repeat(1000) });
    const event = (await listEvents(k, id)).find((e) => e.kind === "completed");
    expect(event?.payload).toMatchObject({ summary: "x".repeat(400) });
  });

  it("puts a null summary and result_len 0 in the completed payload when there is no handoff", async () => {
    const { k } = await freshBoard();
    const { id } = await claimed(k);
    await completeTask(k, id);
    const event = (await listEvents(k, id)).find((e) => e.kind === "completed");
    expect(event?.payload).toEqual({ result_len: 0, summary: null });
  });

  it("synthesises a zero-length run for a never-claimed task when a handoff is given", async () => {
    const { k, clock } = await freshBoard();
    const t = await task(k);
    clock.advance(10);
    const done = await completeTask(k, t.id, { summary: "done by hand", metadata: { by: "ops" } });
    const runs = await listRuns(k, t.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      id: done.run_id,
      profile: "alice",
      status: "completed",
      outcome: "completed",
      started_at: clock.now(),
      ended_at: clock.now(),
      summary: "done by hand",
      metadata: { by: "ops" },
    });
    expect((await listEvents(k, t.id)).at(-1)).toMatchObject({ kind: "completed", run_id: done.run_id });
  });

  it("synthesises no run for a never-claimed task completed without a handoff", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    const done = await completeTask(k, t.id);
    expect(done.run_id).toBeNull();
    expect(done.task.status).toBe("done");
    expect(await listRuns(k, t.id)).toEqual([]);
    expect((await listEvents(k, t.id)).at(-1)).toMatchObject({ kind: "completed", run_id: null });
  });

  it("completes a blocked task", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    await k.write((k) => k.db.run("UPDATE tasks SET status = 'blocked' WHERE id = ?", [t.id]));
    expect((await completeTask(k, t.id, { result: "fine after all" })).task.status).toBe("done");
  });

  it("refuses to complete a done, archived or todo task and changes nothing", async () => {
    const { k } = await freshBoard();
    const done = await task(k, "done");
    await completeTask(k, done.id, { result: "first" });
    const archived = await task(k, "archived");
    await archiveTask(k, archived.id);
    const todo = (await createTask(k, { title: "todo", parents: [(await task(k, "parent")).id] })).task;
    for (const [id, status] of [
      [done.id, "done"],
      [archived.id, "archived"],
      [todo.id, "todo"],
    ] as const) {
      const before = (await listEvents(k, id)).length;
      const err = await refusal(() => completeTask(k, id, { result: "again" }));
      expect(err.code).toBe("invalid_transition");
      expect(err.message).toContain(status);
      expect((await requireTask(k, id)).status).toBe(status);
      expect(await listEvents(k, id)).toHaveLength(before);
    }
    expect((await requireTask(k, done.id)).result).toBe("first");
  });

  it("refuses an unknown task with not_found", async () => {
    const { k } = await freshBoard();
    expect((await refusal(() => completeTask(k, "t_ffffffff", { result: "x" }))).code).toBe("not_found");
  });

  it("refuses a completion from a run that is no longer current as superseded", async () => {
    const { k, clock } = await freshBoard();
    const t = await task(k);
    const first = (await claimTask(k, t.id, { ttl: 60 }))?.current_run_id as number;
    clock.advance(61);
    await releaseStaleClaims(k);
    const second = (await claimTask(k, t.id))?.current_run_id as number;
    const err = await refusal(() => completeTask(k, t.id, { result: "late", runId: first }));
    expect(err.code).toBe("superseded");
    expect(await requireTask(k, t.id)).toMatchObject({ status: "running", current_run_id: second, result: null });
    expect((await getRun(k, second))?.ended_at).toBeNull();
    expect((await listEvents(k, t.id)).some((e) => e.kind === "completed")).toBe(false);
  });

  it("resets the failure counter", async () => {
    const { k } = await freshBoard();
    const { id } = await claimed(k);
    await k.write((k) => k.db.run("UPDATE tasks SET spawn_failures = 2 WHERE id = ?", [id]));
    expect((await completeTask(k, id, { result: "ok" })).task.spawn_failures).toBe(0);
  });

  it("promotes a child whose parents are now all done", async () => {
    const { k } = await freshBoard();
    const parent = await task(k, "parent");
    const child = (await createTask(k, { title: "child", parents: [parent.id] })).task;
    expect(child.status).toBe("todo");
    await completeTask(k, parent.id, { result: "ok" });
    expect((await requireTask(k, child.id)).status).toBe("ready");
  });
});

describe("editCompletedResult", () => {
  it("rewrites the result and the latest completed run's summary and metadata", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await claimed(k);
    await completeTask(k, id, { result: "v1", summary: "first go", metadata: { a: 1 } });
    const edited = await editCompletedResult(k, id, { result: "v2", summary: "second go", metadata: { b: 2 } });
    expect(edited.result).toBe("v2");
    expect(await getRun(k, runId)).toMatchObject({ summary: "second go", metadata: { b: 2 } });
    expect(await listRuns(k, id)).toHaveLength(1);
    expect((await listEvents(k, id)).at(-1)).toMatchObject({
      kind: "edited",
      run_id: runId,
      payload: { fields: ["result", "summary", "metadata"], result_len: 2, summary: "second go" },
    });
  });

  it("keeps the run's metadata and uses the result as summary when only a result is given", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await claimed(k);
    await completeTask(k, id, { result: "v1", metadata: { a: 1 } });
    await editCompletedResult(k, id, { result: "v2" });
    expect(await getRun(k, runId)).toMatchObject({ summary: "v2", metadata: { a: 1 } });
    expect((await listEvents(k, id)).at(-1)?.payload).toMatchObject({ fields: ["result", "summary"] });
  });

  it("backfills a done task that has no completed run by synthesising one", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    await completeTask(k, t.id);
    expect(await listRuns(k, t.id)).toEqual([]);
    await editCompletedResult(k, t.id, { result: "found it", summary: "backfilled" });
    const runs = await listRuns(k, t.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ outcome: "completed", summary: "backfilled", profile: "alice" });
    expect((await listEvents(k, t.id)).at(-1)).toMatchObject({ kind: "edited", run_id: runs[0]?.id });
  });

  it("edits the newest completed run when there are several", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    await completeTask(k, t.id, { result: "old", summary: "old" });
    await k.write((k) => k.db.run("UPDATE tasks SET status = 'ready' WHERE id = ?", [t.id]));
    const runId = (await claimTask(k, t.id))?.current_run_id as number;
    await completeTask(k, t.id, { result: "new", summary: "new" });
    await editCompletedResult(k, t.id, { result: "newer" });
    const summaries = (await listRuns(k, t.id)).map((r) => [r.id, r.summary]);
    expect(summaries).toContainEqual([runId, "newer"]);
    expect(summaries.filter(([, s]) => s === "old")).toHaveLength(1);
  });

  it("refuses a task that is not done and changes nothing", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await claimed(k);
    const err = await refusal(() => editCompletedResult(k, id, { result: "premature" }));
    expect(err.code).toBe("invalid_transition");
    expect(err.message).toContain("not done");
    expect((await requireTask(k, id)).result).toBeNull();
    expect((await getRun(k, runId))?.summary).toBeNull();
    expect((await listEvents(k, id)).some((e) => e.kind === "edited")).toBe(false);
  });
});
