import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { claimTask, releaseStaleClaims } from "./claims.ts";
import { completeTask, editCompletedResult } from "./completion.ts";
import { listEvents } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { archiveTask } from "./moves.ts";
import { getRun, listRuns } from "./runs.ts";
import { createTask, requireTask } from "./tasks.ts";

function task(k: Kernel, title = "do it") {
  return createTask(k, { title, assignee: "alice" }).task;
}

function claimed(k: Kernel, title = "do it") {
  const t = task(k, title);
  const c = claimTask(k, t.id);
  return { id: t.id, runId: c?.current_run_id as number };
}

describe("completeTask", () => {
  it("records result and completed_at and closes the run with summary and metadata", () => {
    const { k, clock } = freshBoard();
    const { id, runId } = claimed(k);
    clock.advance(120);
    const done = completeTask(k, id, {
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
    expect(getRun(k, runId)).toMatchObject({
      status: "done",
      outcome: "completed",
      ended_at: clock.now(),
      summary: "wrote the parser\nand its tests",
      metadata: { files: 3 },
    });
  });

  it("uses the result as the run summary when no summary is given", () => {
    const { k } = freshBoard();
    const { id, runId } = claimed(k);
    completeTask(k, id, { result: "shipped v2" });
    expect(getRun(k, runId)?.summary).toBe("shipped v2");
  });

  it("puts result_len and the first line of the summary in the completed payload", () => {
    const { k } = freshBoard();
    const { id, runId } = claimed(k);
    completeTask(k, id, { result: "12345", summary: "first line\nsecond line" });
    const event = listEvents(k, id).find((e) => e.kind === "completed");
    expect(event).toMatchObject({ run_id: runId, payload: { result_len: 5, summary: "first line" } });
    expect(event?.payload).not.toHaveProperty("verified_cards");
  });

  it("caps the completed payload's summary at 400 characters", () => {
    const { k } = freshBoard();
    const { id } = claimed(k);
    completeTask(k, id, { summary: "x".repeat(1000) });
    const event = listEvents(k, id).find((e) => e.kind === "completed");
    expect(event?.payload).toMatchObject({ summary: "x".repeat(400) });
  });

  it("puts a null summary and result_len 0 in the completed payload when there is no handoff", () => {
    const { k } = freshBoard();
    const { id } = claimed(k);
    completeTask(k, id);
    const event = listEvents(k, id).find((e) => e.kind === "completed");
    expect(event?.payload).toEqual({ result_len: 0, summary: null });
  });

  it("synthesises a zero-length run for a never-claimed task when a handoff is given", () => {
    const { k, clock } = freshBoard();
    const t = task(k);
    clock.advance(10);
    const done = completeTask(k, t.id, { summary: "done by hand", metadata: { by: "ops" } });
    const runs = listRuns(k, t.id);
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
    expect(listEvents(k, t.id).at(-1)).toMatchObject({ kind: "completed", run_id: done.run_id });
  });

  it("synthesises no run for a never-claimed task completed without a handoff", () => {
    const { k } = freshBoard();
    const t = task(k);
    const done = completeTask(k, t.id);
    expect(done.run_id).toBeNull();
    expect(done.task.status).toBe("done");
    expect(listRuns(k, t.id)).toEqual([]);
    expect(listEvents(k, t.id).at(-1)).toMatchObject({ kind: "completed", run_id: null });
  });

  it("completes a blocked task", () => {
    const { k } = freshBoard();
    const t = task(k);
    k.db.prepare("UPDATE tasks SET status = 'blocked' WHERE id = ?").run(t.id);
    expect(completeTask(k, t.id, { result: "fine after all" }).task.status).toBe("done");
  });

  it("refuses to complete a done, archived or todo task and changes nothing", () => {
    const { k } = freshBoard();
    const done = task(k, "done");
    completeTask(k, done.id, { result: "first" });
    const archived = task(k, "archived");
    archiveTask(k, archived.id);
    const todo = createTask(k, { title: "todo", parents: [task(k, "parent").id] }).task;
    for (const [id, status] of [
      [done.id, "done"],
      [archived.id, "archived"],
      [todo.id, "todo"],
    ] as const) {
      const before = listEvents(k, id).length;
      const err = refusal(() => completeTask(k, id, { result: "again" }));
      expect(err.code).toBe("invalid_transition");
      expect(err.message).toContain(status);
      expect(requireTask(k, id).status).toBe(status);
      expect(listEvents(k, id)).toHaveLength(before);
    }
    expect(requireTask(k, done.id).result).toBe("first");
  });

  it("refuses an unknown task with not_found", () => {
    const { k } = freshBoard();
    expect(refusal(() => completeTask(k, "t_ffffffff", { result: "x" })).code).toBe("not_found");
  });

  it("refuses a completion from a run that is no longer current as superseded", () => {
    const { k, clock } = freshBoard();
    const t = task(k);
    const first = claimTask(k, t.id, { ttl: 60 })?.current_run_id as number;
    clock.advance(61);
    releaseStaleClaims(k);
    const second = claimTask(k, t.id)?.current_run_id as number;
    const err = refusal(() => completeTask(k, t.id, { result: "late", runId: first }));
    expect(err.code).toBe("superseded");
    expect(requireTask(k, t.id)).toMatchObject({ status: "running", current_run_id: second, result: null });
    expect(getRun(k, second)?.ended_at).toBeNull();
    expect(listEvents(k, t.id).some((e) => e.kind === "completed")).toBe(false);
  });

  it("resets the failure counter", () => {
    const { k } = freshBoard();
    const { id } = claimed(k);
    k.db.prepare("UPDATE tasks SET spawn_failures = 2 WHERE id = ?").run(id);
    expect(completeTask(k, id, { result: "ok" }).task.spawn_failures).toBe(0);
  });

  it("promotes a child whose parents are now all done", () => {
    const { k } = freshBoard();
    const parent = task(k, "parent");
    const child = createTask(k, { title: "child", parents: [parent.id] }).task;
    expect(child.status).toBe("todo");
    completeTask(k, parent.id, { result: "ok" });
    expect(requireTask(k, child.id).status).toBe("ready");
  });
});

describe("editCompletedResult", () => {
  it("rewrites the result and the latest completed run's summary and metadata", () => {
    const { k } = freshBoard();
    const { id, runId } = claimed(k);
    completeTask(k, id, { result: "v1", summary: "first go", metadata: { a: 1 } });
    const edited = editCompletedResult(k, id, { result: "v2", summary: "second go", metadata: { b: 2 } });
    expect(edited.result).toBe("v2");
    expect(getRun(k, runId)).toMatchObject({ summary: "second go", metadata: { b: 2 } });
    expect(listRuns(k, id)).toHaveLength(1);
    expect(listEvents(k, id).at(-1)).toMatchObject({
      kind: "edited",
      run_id: runId,
      payload: { fields: ["result", "summary", "metadata"], result_len: 2, summary: "second go" },
    });
  });

  it("keeps the run's metadata and uses the result as summary when only a result is given", () => {
    const { k } = freshBoard();
    const { id, runId } = claimed(k);
    completeTask(k, id, { result: "v1", metadata: { a: 1 } });
    editCompletedResult(k, id, { result: "v2" });
    expect(getRun(k, runId)).toMatchObject({ summary: "v2", metadata: { a: 1 } });
    expect(listEvents(k, id).at(-1)?.payload).toMatchObject({ fields: ["result", "summary"] });
  });

  it("backfills a done task that has no completed run by synthesising one", () => {
    const { k } = freshBoard();
    const t = task(k);
    completeTask(k, t.id);
    expect(listRuns(k, t.id)).toEqual([]);
    editCompletedResult(k, t.id, { result: "found it", summary: "backfilled" });
    const runs = listRuns(k, t.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ outcome: "completed", summary: "backfilled", profile: "alice" });
    expect(listEvents(k, t.id).at(-1)).toMatchObject({ kind: "edited", run_id: runs[0]?.id });
  });

  it("edits the newest completed run when there are several", () => {
    const { k } = freshBoard();
    const t = task(k);
    completeTask(k, t.id, { result: "old", summary: "old" });
    k.db.prepare("UPDATE tasks SET status = 'ready' WHERE id = ?").run(t.id);
    const runId = claimTask(k, t.id)?.current_run_id as number;
    completeTask(k, t.id, { result: "new", summary: "new" });
    editCompletedResult(k, t.id, { result: "newer" });
    const summaries = listRuns(k, t.id).map((r) => [r.id, r.summary]);
    expect(summaries).toContainEqual([runId, "newer"]);
    expect(summaries.filter(([, s]) => s === "old")).toHaveLength(1);
  });

  it("refuses a task that is not done and changes nothing", () => {
    const { k } = freshBoard();
    const { id, runId } = claimed(k);
    const err = refusal(() => editCompletedResult(k, id, { result: "premature" }));
    expect(err.code).toBe("invalid_transition");
    expect(err.message).toContain("not done");
    expect(requireTask(k, id).result).toBeNull();
    expect(getRun(k, runId)?.summary).toBeNull();
    expect(listEvents(k, id).some((e) => e.kind === "edited")).toBe(false);
  });
});
