import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fakeProcesses } from "../test/fake-processes.ts";
import { freshBoard } from "../test/fixtures.ts";
import { claimTask, setWorkerPid } from "./claims.ts";
import { completeTask } from "./completion.ts";
import { type DispatchOptions, dispatchOnce, hasSpawnableReady, type SpawnRequest } from "./dispatcher.ts";
import { listEvents } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { setStatusDirect } from "./moves.ts";
import { reclaimTask } from "./recovery.ts";
import { getRun, listRuns } from "./runs.ts";
import { createTask, type NewTask, requireTask } from "./tasks.ts";

/** A board, fake processes and a spawn function that starts fake workers with pids 1000, 1001, … */
async function rig() {
  const board = await freshBoard();
  const fake = fakeProcesses();
  const spawns: SpawnRequest[] = [];
  const tracked: Array<Promise<unknown>> = [];
  let nextPid = 1000;
  let failWith: string | null = null;
  const spawn = (req: SpawnRequest): number => {
    if (failWith !== null) throw new Error(failWith);
    spawns.push(req);
    const pid = nextPid++;
    fake.add(pid, { startedAt: board.clock.now() });
    return pid;
  };
  const options = (extra: Partial<DispatchOptions> = {}): DispatchOptions => ({
    spawn,
    isSpawnable: (profile) => profile !== "human",
    proc: fake.control,
    stop: (pid) => fake.stop(pid),
    track: (work) => tracked.push(work),
    ...extra,
  });
  return {
    ...board,
    fake,
    spawns,
    tick: (extra: Partial<DispatchOptions> = {}) => dispatchOnce(board.k, options(extra)),
    failSpawns: (message: string | null) => {
      failWith = message;
    },
    /** Waits for the background stops the tick started. */
    settle: () => Promise.all(tracked.splice(0)),
  };
}

async function task(k: Kernel, title: string, extra: Partial<NewTask> = {}) {
  return (await createTask(k, { title, assignee: "alice", ...extra })).task;
}

describe("dispatchOnce: what gets spawned", () => {
  it("claims and spawns a ready task, recording the pid on task and run and a spawned{pid} event", async () => {
    const r = await rig();
    const t = await task(r.k, "build");
    const result = await r.tick();
    const workspace = join(r.k.paths.workspacesRoot, t.id);
    expect(result.spawned).toEqual([{ task_id: t.id, assignee: "alice", workspace }]);
    expect(existsSync(workspace)).toBe(true);
    const after = await requireTask(r.k, t.id);
    expect(after).toMatchObject({ status: "running", worker_pid: 1000, workspace_path: workspace });
    const runId = after.current_run_id as number;
    expect((await getRun(r.k, runId))?.worker_pid).toBe(1000);
    expect(r.spawns).toHaveLength(1);
    expect(r.spawns[0]).toMatchObject({ runId, workspace, task: { id: t.id, workspace_path: workspace } });
    expect((await listEvents(r.k, t.id)).at(-1)).toMatchObject({
      kind: "spawned",
      run_id: runId,
      payload: { pid: 1000 },
    });
  });

  it("does not claim anything in a dry run", async () => {
    const r = await rig();
    const t = await task(r.k, "build");
    const result = await r.tick({ dryRun: true });
    expect(result.spawned).toEqual([{ task_id: t.id, assignee: "alice", workspace: "" }]);
    expect(await requireTask(r.k, t.id)).toMatchObject({ status: "ready", claim_lock: null });
    expect(await listRuns(r.k, t.id)).toEqual([]);
    expect(r.spawns).toEqual([]);
  });

  it("puts unassigned tasks in skipped_unassigned only", async () => {
    const r = await rig();
    const t = (await createTask(r.k, { title: "nobody's" })).task;
    const result = await r.tick();
    expect(result.skipped_unassigned).toEqual([t.id]);
    expect(result.skipped_nonspawnable).toEqual([]);
    expect(result.skipped_capacity).toEqual([]);
    expect(result.spawned).toEqual([]);
    expect((await requireTask(r.k, t.id)).status).toBe("ready");
  });

  it("puts tasks of non-spawnable assignees in skipped_nonspawnable", async () => {
    const r = await rig();
    const t = await task(r.k, "for a person", { assignee: "human" });
    const result = await r.tick();
    expect(result.skipped_nonspawnable).toEqual([t.id]);
    expect(result.skipped_unassigned).toEqual([]);
    expect((await requireTask(r.k, t.id)).status).toBe("ready");
  });

  it("spawns by priority, then age", async () => {
    const r = await rig();
    const low = await task(r.k, "low");
    r.clock.advance(1);
    const high = await task(r.k, "high", { priority: 5 });
    r.clock.advance(1);
    const lower = await task(r.k, "later low");
    const result = await r.tick();
    expect(result.spawned.map((s) => s.task_id)).toEqual([high.id, low.id, lower.id]);
  });

  it("spawns tasks of the same priority and second in the order they were created, whatever their ids", async () => {
    let n = 0xffff;
    const board = await freshBoard({ ids: { taskId: () => `t_0000${(n--).toString(16)}` } });
    const fake = fakeProcesses();
    let pid = 1000;
    const made: string[] = [];
    for (const title of ["first", "second", "third"]) made.push((await task(board.k, title)).id);
    const result = await dispatchOnce(board.k, {
      spawn: () => {
        fake.add(pid, { startedAt: board.clock.now() });
        return pid++;
      },
      isSpawnable: () => true,
      proc: fake.control,
      stop: (p) => fake.stop(p),
    });
    expect(result.spawned.map((s) => s.task_id)).toEqual(made);
    expect([...made].sort()).toEqual([...made].reverse());
  });

  it("promotes a child whose parent is done and spawns it, leaving it running", async () => {
    const r = await rig();
    const parent = await task(r.k, "parent", { assignee: "human" });
    const child = await task(r.k, "child", { parents: [parent.id] });
    expect(child.status).toBe("todo");
    const before = await r.tick();
    expect(before.spawned).toEqual([]);
    await r.k.write((k) => k.db.run("UPDATE tasks SET status = 'done' WHERE id = ?", [parent.id]));
    const result = await r.tick();
    expect(result.promoted).toBe(1);
    expect(result.spawned.map((s) => s.task_id)).toEqual([child.id]);
    expect((await requireTask(r.k, child.id)).status).toBe("running");
  });
});

describe("dispatchOnce: a task parked in todo (SPEC §3.13)", () => {
  it("never promotes or spawns an assigned task a person moved from triage to todo, tick after tick", async () => {
    const r = await rig();
    const idea = await task(r.k, "idea", { triage: true });
    await setStatusDirect(r.k, idea.id, "todo");
    for (let i = 0; i < 3; i++) {
      const result = await r.tick();
      expect([result.promoted, result.spawned]).toEqual([0, []]);
      r.clock.advance(60);
    }
    expect(await requireTask(r.k, idea.id)).toMatchObject({ status: "todo", parked: true });
    expect(r.spawns).toEqual([]);
    // Moved on by a person, it runs.
    await setStatusDirect(r.k, idea.id, "ready");
    expect((await r.tick()).spawned.map((s) => s.task_id)).toEqual([idea.id]);
  });
});

describe("hasSpawnableReady", () => {
  it("is false on an empty queue", async () => {
    const { k } = await freshBoard();
    expect(await hasSpawnableReady(k, () => true)).toBe(false);
  });

  it("is false with only non-spawnable lanes or unassigned tasks waiting", async () => {
    const { k } = await freshBoard();
    await task(k, "for a person", { assignee: "human" });
    await createTask(k, { title: "nobody's" });
    expect(await hasSpawnableReady(k, (p) => p !== "human")).toBe(false);
  });

  it("is true once one real profile has ready work", async () => {
    const { k } = await freshBoard();
    await task(k, "for a person", { assignee: "human" });
    await task(k, "for alice");
    expect(await hasSpawnableReady(k, (p) => p !== "human")).toBe(true);
  });

  it("is false when the only spawnable work is already claimed", async () => {
    const { k } = await freshBoard();
    const t = await task(k, "for alice");
    await claimTask(k, t.id);
    expect(await hasSpawnableReady(k, () => true)).toBe(false);
  });
});

describe("dispatchOnce: spawn failures", () => {
  it("releases the claim back to ready and counts a spawn failure", async () => {
    const r = await rig();
    const t = await task(r.k, "build");
    r.failSpawns("agent binary not found on PATH");
    const result = await r.tick();
    expect(result.spawned).toEqual([]);
    expect(result.spawn_failed).toEqual([t.id]);
    expect(result.auto_blocked).toEqual([]);
    expect(await requireTask(r.k, t.id)).toMatchObject({
      status: "ready",
      claim_lock: null,
      current_run_id: null,
      spawn_failures: 1,
      last_spawn_error: "agent binary not found on PATH",
    });
    expect((await listRuns(r.k, t.id)).map((run) => run.outcome)).toEqual(["spawn_failed"]);
    expect((await listEvents(r.k, t.id)).at(-1)).toMatchObject({ kind: "spawn_failed", payload: { failures: 1 } });
  });

  it("blocks the task with gave_up on the third failure and lists it in auto_blocked", async () => {
    const r = await rig();
    const t = await task(r.k, "build");
    r.failSpawns("no PATH");
    expect((await r.tick({ failureLimit: 3 })).auto_blocked).toEqual([]);
    expect(await requireTask(r.k, t.id)).toMatchObject({ status: "ready", spawn_failures: 1 });
    expect((await r.tick({ failureLimit: 3 })).auto_blocked).toEqual([]);
    expect(await requireTask(r.k, t.id)).toMatchObject({ status: "ready", spawn_failures: 2 });
    const third = await r.tick({ failureLimit: 3 });
    expect(third.auto_blocked).toEqual([t.id]);
    expect(third.spawn_failed).toEqual([t.id]);
    expect(await requireTask(r.k, t.id)).toMatchObject({ status: "blocked", spawn_failures: 3 });
    expect((await listEvents(r.k, t.id)).filter((e) => e.kind === "gave_up")).toHaveLength(1);
    expect((await r.tick({ failureLimit: 3 })).spawned).toEqual([]);
  });

  it("rejects a spawn function that returns a promise the same way", async () => {
    const r = await rig();
    const t = await task(r.k, "build");
    await r.tick({
      spawn: async () => {
        throw new Error("async refusal");
      },
    });
    expect(await requireTask(r.k, t.id)).toMatchObject({ status: "ready", last_spawn_error: "async refusal" });
  });

  it("counts a workspace failure, with 'workspace' in the error, and blocks on the third", async () => {
    const r = await rig();
    const t = await task(r.k, "in a dir", { workspace_kind: "dir", workspace_path: "/tmp/switchyard-never-used" });
    await r.k.write((k) => k.db.run("UPDATE tasks SET workspace_path = NULL WHERE id = ?", [t.id]));
    await r.tick();
    const after = await requireTask(r.k, t.id);
    expect(after).toMatchObject({ status: "ready", spawn_failures: 1 });
    expect(after.last_spawn_error).toContain("workspace");
    await r.tick();
    const third = await r.tick();
    expect(third.auto_blocked).toEqual([t.id]);
    expect((await requireTask(r.k, t.id)).status).toBe("blocked");
    expect(r.spawns).toEqual([]);
  });
});

describe("dispatchOnce: stale claims", () => {
  it("reclaims a stale claim before spawning, and spawns the task again", async () => {
    const r = await rig();
    const t = await task(r.k, "build");
    await claimTask(r.k, t.id, { ttl: 60, claimer: "testhost:99" });
    r.clock.advance(61);
    const result = await r.tick();
    expect(result.reclaimed).toBe(1);
    expect(result.spawned.map((s) => s.task_id)).toEqual([t.id]);
    expect((await listRuns(r.k, t.id)).map((run) => run.outcome)).toEqual(["reclaimed", null]);
  });

  it("reclaims a stale claim in a dry run too", async () => {
    const r = await rig();
    const t = await task(r.k, "build");
    await claimTask(r.k, t.id, { ttl: 60 });
    r.clock.advance(61);
    const result = await r.tick({ dryRun: true });
    expect(result.reclaimed).toBe(1);
    expect((await requireTask(r.k, t.id)).status).toBe("ready");
  });

  it("stops the stale claim's local worker", async () => {
    const r = await rig();
    const t = await task(r.k, "build");
    await r.tick({ ttl: 60 });
    const pid = (await requireTask(r.k, t.id)).worker_pid as number;
    r.clock.advance(61);
    const result = await r.tick({ ttl: 60 });
    await r.settle();
    expect(result.reclaimed).toBe(1);
    expect(r.fake.signals[0]).toEqual({ pid: -pid, signal: "SIGTERM" });
    expect(r.fake.procs.get(pid)?.alive).toBe(false);
  });
});

describe("dispatchOnce: caps", () => {
  it("starts exactly maxInProgress tasks and lists the rest in skipped_capacity", async () => {
    const r = await rig();
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await task(r.k, `t${i}`)).id);
    const result = await r.tick({ capacity: { maxInProgress: 2 } });
    expect(result.spawned.map((s) => s.task_id)).toEqual(ids.slice(0, 2));
    expect(result.skipped_capacity).toEqual(ids.slice(2));
    const second = await r.tick({ capacity: { maxInProgress: 2 } });
    expect(second.spawned).toEqual([]);
    expect(second.skipped_capacity).toHaveLength(8);
  });

  it("counts running tasks and workers on other boards against the global cap", async () => {
    const r = await rig();
    const a = await task(r.k, "a");
    const b = await task(r.k, "b");
    const c = await task(r.k, "c");
    await claimTask(r.k, a.id);
    const result = await r.tick({
      capacity: { maxInProgress: 3, runningElsewhere: { total: 1, byProfile: new Map([["alice", 1]]) } },
    });
    expect(result.spawned.map((s) => s.task_id)).toEqual([b.id]);
    expect(result.skipped_capacity).toEqual([c.id]);
  });

  it("applies per-profile caps", async () => {
    const r = await rig();
    const running = await task(r.k, "already running");
    await claimTask(r.k, running.id);
    const a1 = await task(r.k, "a1");
    const b1 = await task(r.k, "b1", { assignee: "bob" });
    const a2 = await task(r.k, "a2");
    const b2 = await task(r.k, "b2", { assignee: "bob" });
    const b3 = await task(r.k, "b3", { assignee: "bob" });
    const caps: Record<string, number> = { alice: 2, bob: 2 };
    const result = await r.tick({ capacity: { maxInProgress: 10, profileCap: (p) => caps[p] } });
    expect(result.spawned.map((s) => s.task_id)).toEqual([a1.id, b1.id, b2.id]);
    expect(result.skipped_capacity).toEqual([a2.id, b3.id]);
  });

  it("predicts the same caps in a dry run", async () => {
    const r = await rig();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await task(r.k, `t${i}`)).id);
    const result = await r.tick({ dryRun: true, capacity: { maxInProgress: 2 } });
    expect(result.spawned.map((s) => s.task_id)).toEqual(ids.slice(0, 2));
    expect(result.skipped_capacity).toEqual(ids.slice(2));
  });

  it("gives the place of a task whose spawn failed to the next task", async () => {
    const r = await rig();
    const broken = await task(r.k, "broken", { workspace_kind: "dir", workspace_path: "/tmp/switchyard-never-used" });
    await r.k.write((k) => k.db.run("UPDATE tasks SET workspace_path = NULL WHERE id = ?", [broken.id]));
    const next = await task(r.k, "fine");
    const result = await r.tick({ capacity: { maxInProgress: 1 } });
    expect((await requireTask(r.k, broken.id)).spawn_failures).toBe(1);
    expect(result.spawned.map((s) => s.task_id)).toEqual([next.id]);
    expect(result.skipped_capacity).toEqual([]);
  });

  it("spawns at most maxSpawn tasks in one tick", async () => {
    const r = await rig();
    for (let i = 0; i < 5; i++) await task(r.k, `t${i}`);
    const result = await r.tick({ maxSpawn: 2 });
    expect(result.spawned).toHaveLength(2);
    expect(r.spawns).toHaveLength(2);
  });
});

describe("dispatchOnce: max runtime", () => {
  it("stops an overdue worker and records the run as timed_out", async () => {
    const r = await rig();
    const t = await task(r.k, "slow", { max_runtime_seconds: 60 });
    await r.tick();
    const first = await requireTask(r.k, t.id);
    r.fake.procs.set(1000, { alive: true, startedAt: r.clock.now(), ignoresTerm: true });
    r.clock.advance(61);
    const result = await r.tick({ maxSpawn: 0 });
    expect(result.timed_out).toEqual([t.id]);
    expect(r.fake.signals).toEqual([
      { pid: -1000, signal: "SIGTERM" },
      { pid: -1000, signal: "SIGKILL" },
    ]);
    expect(await getRun(r.k, first.current_run_id as number)).toMatchObject({ outcome: "timed_out" });
    expect((await listEvents(r.k, t.id)).find((e) => e.kind === "timed_out")?.payload).toMatchObject({
      pid: 1000,
      elapsed_seconds: 61,
      limit_seconds: 60,
      sigkill: true,
      failures: 1,
    });
    expect(await requireTask(r.k, t.id)).toMatchObject({ status: "ready", spawn_failures: 1 });
  });

  it("only lists overdue workers in a dry run, without stopping them", async () => {
    const r = await rig();
    const t = await task(r.k, "slow", { max_runtime_seconds: 60 });
    await r.tick();
    r.clock.advance(61);
    const result = await r.tick({ dryRun: true });
    expect(result.timed_out).toEqual([t.id]);
    expect(r.fake.signals).toEqual([]);
    expect((await requireTask(r.k, t.id)).status).toBe("running");
  });
});

describe("dispatchOnce: crashed workers", () => {
  it("detects a dead local worker as crashed and respawns the task", async () => {
    const r = await rig();
    const t = await task(r.k, "fragile");
    await r.tick();
    const pid = (await requireTask(r.k, t.id)).worker_pid as number;
    r.fake.procs.set(pid, { alive: false, startedAt: null, ignoresTerm: false });
    const result = await r.tick();
    expect(result.crashed).toEqual([t.id]);
    expect(result.spawned.map((s) => s.task_id)).toEqual([t.id]);
    expect((await listRuns(r.k, t.id)).map((run) => run.outcome)).toEqual(["crashed", null]);
    expect((await requireTask(r.k, t.id)).spawn_failures).toBe(1);
  });
});

describe("dispatchOnce: workers of ended runs", () => {
  it("holds back a task whose previous worker is still alive, and sends that worker SIGTERM", async () => {
    const r = await rig();
    const t = await task(r.k, "build");
    await r.tick();
    r.fake.procs.set(1000, { alive: true, startedAt: r.clock.now(), ignoresTerm: true });
    r.clock.advance(30);
    await reclaimTask(r.k, t.id, { reason: "operator abort" });
    const release = r.fake.pauseSleeps();
    const held = await r.tick();
    expect(held.spawned).toEqual([]);
    expect((await requireTask(r.k, t.id)).status).toBe("ready");
    expect(r.spawns).toHaveLength(1);
    expect(r.fake.signals).toEqual([{ pid: -1000, signal: "SIGTERM" }]);
    release();
    await r.settle();
    expect(r.fake.signals.at(-1)).toEqual({ pid: -1000, signal: "SIGKILL" });
    const after = await r.tick();
    expect(after.spawned.map((s) => s.task_id)).toEqual([t.id]);
  });

  it("does not signal a pid that now belongs to a newer process, nor hold the task back", async () => {
    const r = await rig();
    const t = await task(r.k, "build");
    await r.tick();
    await reclaimTask(r.k, t.id);
    const endedAt = r.clock.now();
    r.clock.advance(60);
    r.fake.procs.set(1000, { alive: true, startedAt: endedAt + 30, ignoresTerm: false });
    const result = await r.tick();
    expect(r.fake.signals).toEqual([]);
    expect(r.fake.procs.get(1000)?.alive).toBe(true);
    expect(result.spawned.map((s) => s.task_id)).toEqual([t.id]);
  });

  it("treats a running task whose pid now belongs to a newer process as crashed, without signalling it", async () => {
    const r = await rig();
    const t = await task(r.k, "build");
    await r.tick();
    const runStart = r.clock.now();
    r.clock.advance(600); // within the claim's TTL
    r.fake.procs.set(1000, { alive: true, startedAt: runStart + 300, ignoresTerm: false });
    const result = await r.tick({ maxSpawn: 0 });
    expect(result.crashed).toEqual([t.id]);
    expect(r.fake.signals).toEqual([]);
    expect(await requireTask(r.k, t.id)).toMatchObject({ status: "ready", worker_pid: null, spawn_failures: 1 });
  });

  it("releases a stale claim without signalling a pid that a newer process reused", async () => {
    const r = await rig();
    const t = await task(r.k, "build");
    await r.tick({ ttl: 60 });
    const runStart = r.clock.now();
    r.clock.advance(3600);
    r.fake.procs.set(1000, { alive: true, startedAt: runStart + 1800, ignoresTerm: false });
    const result = await r.tick({ maxSpawn: 0 });
    await r.settle();
    expect(result.reclaimed).toBe(1);
    expect(r.fake.signals).toEqual([]);
    expect((await requireTask(r.k, t.id)).status).toBe("ready");
  });

  it("counts what an exited worker left running in its process group against the caps, stops the group, and holds its task back until the group is gone", async () => {
    const r = await rig();
    const caps = { capacity: { maxInProgress: 1 } };
    const t = await task(r.k, "forks and exits");
    const next = await task(r.k, "next");
    await r.tick(caps);
    // The worker exits; a child it started (and which ignores SIGTERM) runs on in its group.
    r.fake.procs.set(1000, { alive: false, startedAt: r.clock.now(), ignoresTerm: true, leftovers: true });
    const crashed = await r.tick(caps);
    expect(crashed.crashed).toEqual([t.id]);
    expect(crashed.spawned).toEqual([]);
    expect(crashed.skipped_capacity).toEqual([t.id, next.id]);

    const release = r.fake.pauseSleeps();
    const held = await r.tick({ capacity: { maxInProgress: 2 } });
    // The group takes one place; the other goes to the next task, not to the held-back one.
    expect(held.spawned.map((s) => s.task_id)).toEqual([next.id]);
    expect(r.fake.signals).toEqual([{ pid: -1000, signal: "SIGTERM" }]);
    release();
    await r.settle();
    expect(r.fake.signals.at(-1)).toEqual({ pid: -1000, signal: "SIGKILL" });
    expect(r.fake.control.groupAlive(1000)).toBe(false);
    const after = await r.tick({ capacity: { maxInProgress: 2 } });
    expect(after.spawned.map((s) => s.task_id)).toEqual([t.id]);
  });

  it("gives a worker that completed its own task time to exit before stopping it", async () => {
    const r = await rig();
    const t = await task(r.k, "build");
    await r.tick();
    r.fake.procs.set(1000, { alive: true, startedAt: r.clock.now(), ignoresTerm: false });
    await completeTask(r.k, t.id, { result: "ok", runId: (await requireTask(r.k, t.id)).current_run_id });
    r.clock.advance(10);
    await r.tick();
    expect(r.fake.signals).toEqual([]);
    r.clock.advance(25);
    await r.tick();
    await r.settle();
    expect(r.fake.signals).toEqual([{ pid: -1000, signal: "SIGTERM" }]);
  });

  it("stops a worker whose run ended while it was starting", async () => {
    const r = await rig();
    const t = await task(r.k, "build");
    const result = await r.tick({
      spawn: async (req) => {
        await reclaimTask(r.k, req.task.id, { reason: "changed my mind" });
        r.fake.add(4321, { startedAt: r.clock.now() });
        return 4321;
      },
    });
    await r.settle();
    expect(result.spawned).toEqual([]);
    expect(r.fake.signals[0]).toEqual({ pid: -4321, signal: "SIGTERM" });
    expect(await requireTask(r.k, t.id)).toMatchObject({ status: "ready", worker_pid: null });
  });

  it("never signals workers of other hosts", async () => {
    const r = await rig();
    const t = await task(r.k, "remote");
    const runId = (await claimTask(r.k, t.id, { claimer: "otherhost:1", ttl: 60 }))?.current_run_id as number;
    await setWorkerPid(r.k, t.id, runId, 1000);
    r.fake.add(1000, { startedAt: r.clock.now() });
    r.clock.advance(61);
    const result = await r.tick({ maxSpawn: 0 });
    await r.settle();
    expect(result.reclaimed).toBe(1);
    expect(r.fake.signals).toEqual([]);
  });
});
