import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { claimTask } from "./claims.ts";
import { listEvents } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { archiveTask, moveTask, setStatusDirect } from "./moves.ts";
import { getRun, listRuns } from "./runs.ts";
import { createTask, listTasks, requireTask } from "./tasks.ts";

async function task(k: Kernel, title = "do it") {
  return (await createTask(k, { title, assignee: "alice" })).task;
}

describe("archiveTask", () => {
  it("closes the run of a running task and records it on the archived event", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    const runId = (await claimTask(k, t.id))?.current_run_id as number;
    const archived = await archiveTask(k, t.id);
    expect(archived).toMatchObject({ status: "archived", claim_lock: null, current_run_id: null });
    expect(await getRun(k, runId)).toMatchObject({
      outcome: "reclaimed",
      error: "task archived with run still active",
    });
    expect((await getRun(k, runId))?.ended_at).not.toBeNull();
    expect((await listEvents(k, t.id)).at(-1)).toMatchObject({ kind: "archived", run_id: runId, payload: null });
  });

  it("creates no spurious run when archiving a ready task", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    await archiveTask(k, t.id);
    expect(await listRuns(k, t.id)).toEqual([]);
    expect((await listEvents(k, t.id)).at(-1)).toMatchObject({ kind: "archived", run_id: null });
  });

  it("hides the task from the default list", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    await archiveTask(k, t.id);
    expect((await listTasks(k)).map((x) => x.id)).not.toContain(t.id);
    expect((await listTasks(k, { includeArchived: true })).map((x) => x.id)).toContain(t.id);
  });

  it("refuses an already archived task", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    await archiveTask(k, t.id);
    expect((await refusal(() => archiveTask(k, t.id))).code).toBe("invalid_transition");
  });
});

describe("setStatusDirect", () => {
  it("closes the run when moving a task off running", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    const runId = (await claimTask(k, t.id))?.current_run_id as number;
    const moved = await setStatusDirect(k, t.id, "todo");
    expect(moved).toMatchObject({ status: "todo", claim_lock: null, current_run_id: null });
    expect(await getRun(k, runId)).toMatchObject({
      outcome: "reclaimed",
      error: "status changed to todo (dashboard/direct)",
    });
    expect((await listEvents(k, t.id)).at(-1)).toMatchObject({
      kind: "status",
      run_id: runId,
      payload: { status: "todo" },
    });
  });

  it("closes a leaked open run of a task that is not running, so no run is left open unpointed", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    const runId = (await claimTask(k, t.id))?.current_run_id as number;
    await k.write((k) => k.db.run("UPDATE tasks SET status = 'blocked', claim_lock = NULL WHERE id = ?", [t.id]));
    await setStatusDirect(k, t.id, "triage");
    expect((await requireTask(k, t.id)).current_run_id).toBeNull();
    expect((await getRun(k, runId))?.ended_at).not.toBeNull();
    expect((await listRuns(k, t.id)).filter((r) => r.ended_at === null)).toEqual([]);
  });

  it("creates no run when moving todo to ready", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    await setStatusDirect(k, t.id, "todo");
    await setStatusDirect(k, t.id, "ready");
    expect((await requireTask(k, t.id)).status).toBe("ready");
    expect(await listRuns(k, t.id)).toEqual([]);
    expect((await listEvents(k, t.id)).at(-1)).toMatchObject({
      kind: "status",
      run_id: null,
      payload: { status: "ready" },
    });
  });

  it("refuses ready while a parent is unfinished", async () => {
    const { k } = await freshBoard();
    const parent = await task(k, "parent");
    const child = (await createTask(k, { title: "child", parents: [parent.id] })).task;
    const err = await refusal(() => setStatusDirect(k, child.id, "ready"));
    expect(err.code).toBe("parents_unfinished");
    expect(err.facts.parents).toEqual([parent.id]);
    expect((await requireTask(k, child.id)).status).toBe("todo");
  });
});

describe("moveTask", () => {
  it("parks a task a person moves to todo with nothing to wait on, as every surface's move does", async () => {
    const { k } = await freshBoard();
    const t = (await createTask(k, { title: "idea", assignee: "alice", triage: true })).task;
    expect(await moveTask(k, t.id, { status: "todo" })).toMatchObject({ status: "todo", parked: true });
    expect((await listTasks(k)).find((x) => x.id === t.id)).toMatchObject({ status: "todo", parked: true });
  });

  it("refuses running as invalid input", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    expect((await refusal(() => moveTask(k, t.id, { status: "running" }))).code).toBe("invalid_input");
    expect((await requireTask(k, t.id)).status).toBe("ready");
  });

  it("routes done, blocked, ready and archived to their commands", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    expect((await moveTask(k, t.id, { status: "blocked", block_reason: "wait" })).status).toBe("blocked");
    expect((await moveTask(k, t.id, { status: "ready" })).status).toBe("ready");
    expect((await listEvents(k, t.id)).at(-1)?.kind).toBe("unblocked");
    expect((await moveTask(k, t.id, { status: "done", result: "ok" })).result).toBe("ok");
    expect((await moveTask(k, t.id, { status: "archived" })).status).toBe("archived");
  });

  it("refuses a move no transition allows, triage -> done, and changes nothing", async () => {
    const { k } = await freshBoard();
    const t = (await createTask(k, { title: "untriaged", triage: true })).task;
    const events = await listEvents(k, t.id);
    const err = await refusal(() => moveTask(k, t.id, { status: "done", result: "skipped ahead" }));
    expect(err.code).toBe("invalid_transition");
    expect(err.message).toBe(`cannot move ${t.id} from triage to done`);
    expect(await requireTask(k, t.id)).toEqual(t);
    expect(await listEvents(k, t.id)).toEqual(events);
    expect(await listRuns(k, t.id)).toEqual([]);
  });

  it("says so when the task is already where it is asked to go", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    await archiveTask(k, t.id);
    const err = await refusal(() => moveTask(k, t.id, { status: "archived" }));
    expect(err.code).toBe("invalid_transition");
    expect(err.message).toBe(`cannot move ${t.id} from archived to archived (it is already there)`);
  });

  it("unblocks a blocked task moved to ready, which starts its failure counter afresh", async () => {
    const { k } = await freshBoard();
    const t = await task(k);
    await moveTask(k, t.id, { status: "blocked", block_reason: "wait" });
    await k.write((k) =>
      k.db.run("UPDATE tasks SET spawn_failures = 2, last_spawn_error = 'boom' WHERE id = ?", [t.id]),
    );
    const moved = await moveTask(k, t.id, { status: "ready" });
    expect(moved).toMatchObject({ status: "ready", spawn_failures: 0 });
    expect((await listEvents(k, t.id)).at(-1)).toMatchObject({ kind: "unblocked", payload: null });
  });
});
