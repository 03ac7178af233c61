import { describe, expect, it } from "vitest";
import { freshBoard } from "../test/fixtures.ts";
import { blockTask } from "./blocking.ts";
import { claimTask } from "./claims.ts";
import { completeTask } from "./completion.ts";
import { archiveTask } from "./moves.ts";
import { boardStats, knownAssignees, taskAge } from "./stats.ts";
import { createTask, requireTask } from "./tasks.ts";

describe("boardStats", () => {
  it("counts by status (archived excluded) and by assignee, and gives the oldest ready task's age", async () => {
    const { k, clock } = await freshBoard();
    const oldest = (await createTask(k, { title: "oldest ready", assignee: "alice" })).task;
    clock.advance(100);
    await createTask(k, { title: "newer ready" });
    const run = (await createTask(k, { title: "running", assignee: "alice" })).task;
    await claimTask(k, run.id);
    const blocked = (await createTask(k, { title: "blocked", assignee: "bob" })).task;
    await blockTask(k, blocked.id);
    const gone = (await createTask(k, { title: "archived", assignee: "bob" })).task;
    await archiveTask(k, gone.id);
    clock.advance(50);
    const stats = await boardStats(k);
    expect(stats).toEqual({
      by_status: { ready: 2, running: 1, blocked: 1 },
      by_assignee: { alice: { ready: 1, running: 1 }, bob: { blocked: 1 } },
      oldest_ready_age_seconds: clock.now() - oldest.created_at,
      now: clock.now(),
    });
    expect(stats.oldest_ready_age_seconds).toBe(150);
  });

  it("gives a null oldest ready age when nothing is ready", async () => {
    const { k } = await freshBoard();
    const t = (await createTask(k, { title: "busy" })).task;
    await claimTask(k, t.id);
    expect(await boardStats(k)).toMatchObject({ by_status: { running: 1 }, oldest_ready_age_seconds: null });
  });

  it("clamps the oldest ready age at 0 when the clock is behind the task", async () => {
    const { k, clock } = await freshBoard();
    await createTask(k, { title: "from the future" });
    clock.advance(-30);
    expect((await boardStats(k)).oldest_ready_age_seconds).toBe(0);
  });
});

describe("taskAge", () => {
  it("gives the ages since creation and start, and the time to complete", async () => {
    const { k, clock } = await freshBoard();
    const t = (await createTask(k, { title: "t" })).task;
    clock.advance(10);
    await claimTask(k, t.id);
    clock.advance(20);
    await k.write((k) =>
      k.db.run("UPDATE tasks SET status = 'done', completed_at = ? WHERE id = ?", [clock.now(), t.id]),
    );
    clock.advance(5);
    expect(taskAge(await requireTask(k, t.id), clock.now())).toEqual({
      created_age_seconds: 35,
      started_age_seconds: 25,
      time_to_complete_seconds: 20,
    });
  });

  it("counts the time to complete of a task completed without a claim from its creation", async () => {
    const { k, clock } = await freshBoard();
    const t = (await createTask(k, { title: "done by hand" })).task;
    clock.advance(40);
    const done = (await completeTask(k, t.id, { result: "did it myself" })).task;
    expect(done).toMatchObject({ status: "done", started_at: null, completed_at: t.created_at + 40 });
    clock.advance(5);
    expect(taskAge(done, clock.now())).toEqual({
      created_age_seconds: 45,
      started_age_seconds: null,
      time_to_complete_seconds: 40,
    });
  });

  it("clamps the time to complete from creation at 0 when the completion is stamped before it", async () => {
    const { k, clock } = await freshBoard();
    const t = (await createTask(k, { title: "skewed" })).task;
    await completeTask(k, t.id);
    await k.write((k) => k.db.run("UPDATE tasks SET completed_at = ? WHERE id = ?", [t.created_at - 30, t.id]));
    expect(taskAge(await requireTask(k, t.id), clock.now()).time_to_complete_seconds).toBe(0);
  });

  it("gives null for what has not happened yet", async () => {
    const { k, clock } = await freshBoard();
    const t = (await createTask(k, { title: "t" })).task;
    expect(taskAge(t, clock.now())).toEqual({
      created_age_seconds: 0,
      started_age_seconds: null,
      time_to_complete_seconds: null,
    });
  });

  it("clamps every age at 0 on negative clock skew", async () => {
    const { k, clock } = await freshBoard();
    const t = (await createTask(k, { title: "t" })).task;
    await claimTask(k, t.id);
    await k.write((k) => k.db.run("UPDATE tasks SET completed_at = ? WHERE id = ?", [clock.now() - 100, t.id]));
    expect(taskAge(await requireTask(k, t.id), clock.now() - 60)).toEqual({
      created_age_seconds: 0,
      started_age_seconds: 0,
      time_to_complete_seconds: 0,
    });
  });
});

describe("knownAssignees", () => {
  it("merges the known profiles with the assignees of non-archived tasks, sorted, with counts", async () => {
    const { k } = await freshBoard();
    await createTask(k, { title: "a", assignee: "bob" });
    const run = (await createTask(k, { title: "b", assignee: "alice" })).task;
    await claimTask(k, run.id);
    const ghost = (await createTask(k, { title: "c", assignee: "ghost" })).task;
    await archiveTask(k, ghost.id);
    expect(await knownAssignees(k, ["zed", "alice"])).toEqual([
      { name: "alice", on_disk: true, counts: { running: 1 } },
      { name: "bob", on_disk: false, counts: { ready: 1 } },
      { name: "zed", on_disk: true, counts: {} },
    ]);
  });

  it("is empty on an empty board with no profiles", async () => {
    const { k } = await freshBoard();
    expect(await knownAssignees(k, [])).toEqual([]);
  });
});
