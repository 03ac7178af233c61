import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freshBoard, tempDir } from "../test/fixtures.ts";
import { blockTask } from "./blocking.ts";
import { claimTask } from "./claims.ts";
import { archiveTask } from "./moves.ts";
import { boardStats, hermesProfilesOnDisk, knownAssignees, taskAge } from "./stats.ts";
import { createTask, requireTask } from "./tasks.ts";

describe("boardStats", () => {
  it("counts by status (archived excluded) and by assignee, and gives the oldest ready task's age", () => {
    const { k, clock } = freshBoard();
    const oldest = createTask(k, { title: "oldest ready", assignee: "alice" }).task;
    clock.advance(100);
    createTask(k, { title: "newer ready" });
    const run = createTask(k, { title: "running", assignee: "alice" }).task;
    claimTask(k, run.id);
    const blocked = createTask(k, { title: "blocked", assignee: "bob" }).task;
    blockTask(k, blocked.id);
    const gone = createTask(k, { title: "archived", assignee: "bob" }).task;
    archiveTask(k, gone.id);
    clock.advance(50);
    const stats = boardStats(k);
    expect(stats).toEqual({
      by_status: { ready: 2, running: 1, blocked: 1 },
      by_assignee: { alice: { ready: 1, running: 1 }, bob: { blocked: 1 } },
      oldest_ready_age_seconds: clock.now() - oldest.created_at,
      now: clock.now(),
    });
    expect(stats.oldest_ready_age_seconds).toBe(150);
  });

  it("gives a null oldest ready age when nothing is ready", () => {
    const { k } = freshBoard();
    const t = createTask(k, { title: "busy" }).task;
    claimTask(k, t.id);
    expect(boardStats(k)).toMatchObject({ by_status: { running: 1 }, oldest_ready_age_seconds: null });
  });

  it("clamps the oldest ready age at 0 when the clock is behind the task", () => {
    const { k, clock } = freshBoard();
    createTask(k, { title: "from the future" });
    clock.advance(-30);
    expect(boardStats(k).oldest_ready_age_seconds).toBe(0);
  });
});

describe("taskAge", () => {
  it("gives the ages since creation and start, and the time to complete", () => {
    const { k, clock } = freshBoard();
    const t = createTask(k, { title: "t" }).task;
    clock.advance(10);
    claimTask(k, t.id);
    clock.advance(20);
    k.db.prepare("UPDATE tasks SET status = 'done', completed_at = ? WHERE id = ?").run(clock.now(), t.id);
    clock.advance(5);
    expect(taskAge(requireTask(k, t.id), clock.now())).toEqual({
      created_age_seconds: 35,
      started_age_seconds: 25,
      time_to_complete_seconds: 20,
    });
  });

  it("gives null for what has not happened yet", () => {
    const { k, clock } = freshBoard();
    const t = createTask(k, { title: "t" }).task;
    expect(taskAge(t, clock.now())).toEqual({
      created_age_seconds: 0,
      started_age_seconds: null,
      time_to_complete_seconds: null,
    });
  });

  it("clamps every age at 0 on negative clock skew", () => {
    const { k, clock } = freshBoard();
    const t = createTask(k, { title: "t" }).task;
    claimTask(k, t.id);
    k.db.prepare("UPDATE tasks SET completed_at = ? WHERE id = ?").run(clock.now() - 100, t.id);
    expect(taskAge(requireTask(k, t.id), clock.now() - 60)).toEqual({
      created_age_seconds: 0,
      started_age_seconds: 0,
      time_to_complete_seconds: 0,
    });
  });
});

describe("knownAssignees", () => {
  it("merges the known profiles with the assignees of non-archived tasks, sorted, with counts", () => {
    const { k } = freshBoard();
    createTask(k, { title: "a", assignee: "bob" });
    const run = createTask(k, { title: "b", assignee: "alice" }).task;
    claimTask(k, run.id);
    const ghost = createTask(k, { title: "c", assignee: "ghost" }).task;
    archiveTask(k, ghost.id);
    expect(knownAssignees(k, ["zed", "alice"])).toEqual([
      { name: "alice", on_disk: true, counts: { running: 1 } },
      { name: "bob", on_disk: false, counts: { ready: 1 } },
      { name: "zed", on_disk: true, counts: {} },
    ]);
  });

  it("is empty on an empty board with no profiles", () => {
    const { k } = freshBoard();
    expect(knownAssignees(k, [])).toEqual([]);
  });
});

describe("hermesProfilesOnDisk", () => {
  it("lists default and the profiles/<name>/ directories that hold a config.yaml, lowercased and sorted", () => {
    const root = tempDir();
    for (const [name, withConfig] of [
      ["Worker", true],
      ["coder", true],
      ["empty", false],
    ] as const) {
      mkdirSync(join(root, "profiles", name), { recursive: true });
      if (withConfig) writeFileSync(join(root, "profiles", name, "config.yaml"), "model: x\n");
    }
    writeFileSync(join(root, "profiles", "stray.yaml"), "");
    expect(hermesProfilesOnDisk(root)).toEqual(["coder", "default", "worker"]);
  });

  it("counts the root of a Hermes home as the default profile even with no named profile yet", () => {
    const root = tempDir();
    mkdirSync(join(root, "profiles"));
    expect(hermesProfilesOnDisk(root)).toEqual(["default"]);
  });

  it("is empty without a profiles directory (a Switchyard home)", () => {
    expect(hermesProfilesOnDisk(tempDir())).toEqual([]);
  });
});
