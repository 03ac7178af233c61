import { readFileSync } from "node:fs";
import { Config, type DispatchResult, TaskEvent } from "@switchyard/contract";
import {
  completeTask,
  createManualClock,
  createTask,
  isCoreError,
  type Kernel,
  listEvents,
  listRuns,
  openBoard,
  reclaimTask,
  requireTask,
} from "@switchyard/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  fakeAgent,
  fakeAgentsAlive,
  readTrace,
  type WorkerHome,
  waitFor,
  workerHome,
  zombieChildren,
} from "../test/workers.ts";
import { loadConfig } from "./config.ts";
import {
  createDispatchHealth,
  createDispatchService,
  type DispatchService,
  dispatchInServer,
  wakesDispatcher,
} from "./dispatch-service.ts";
import { workerLogPath } from "./logs.ts";
import { type ProcessControl, systemProcesses } from "./process.ts";

/** Every pid a test's workers had, so none outlives its test. */
const spawnedPids = new Set<number>();
const services: DispatchService[] = [];
const kernels: Array<Promise<Kernel>> = [];

afterEach(async () => {
  for (const pid of fakeAgentsAlive(spawnedPids)) systemProcesses.kill(-pid, "SIGKILL");
  await waitFor("the test's workers to be gone", () => fakeAgentsAlive(spawnedPids).length === 0);
  for (const s of services.splice(0)) await s.settle();
  for (const k of kernels.splice(0)) await (await k).close();
  spawnedPids.clear();
});

interface Rig {
  wh: WorkerHome;
  s: DispatchService;
  /** The board's kernel (one per test and board). */
  k(slug?: string): Promise<Kernel>;
  /** One tick; the pids it started are remembered for cleanup. */
  tick(slug?: string): Promise<DispatchResult>;
}

async function rig(
  config: (trace: string) => Record<string, unknown>,
  options: {
    watch?: boolean;
    clock?: ReturnType<typeof createManualClock>;
    boards?: string[];
    proc?: ProcessControl;
  } = {},
): Promise<Rig> {
  const wh = await workerHome(config, options.boards);
  const s = createDispatchService({
    home: wh.home,
    config: loadConfig(wh.home),
    watchWorkers: options.watch ?? true,
    clock: options.clock,
    proc: options.proc,
  });
  services.push(s);
  const open = new Map<string, Promise<Kernel>>();
  const k = (slug = "default") => {
    let kernel = open.get(slug);
    if (!kernel) {
      kernel = openBoard(wh.home, slug);
      open.set(slug, kernel);
      kernels.push(kernel);
    }
    return kernel;
  };
  return {
    wh,
    s,
    k,
    async tick(slug = "default") {
      const result = await s.tick(slug);
      for (const r of result.spawned) {
        // From the run, which keeps its pid: a worker may already have exited and left its task.
        const pid = (await listRuns(await k(slug), r.task_id)).at(-1)?.worker_pid;
        if (pid) spawnedPids.add(pid);
      }
      return result;
    },
  };
}

const kinds = async (k: Kernel, id: string) => (await listEvents(k, id)).map((e) => e.kind);

/** Whether every task of `ids[i]` on `boards[i]` has this status. */
async function allInStatus(r: Rig, boards: string[], ids: string[][], status: string): Promise<boolean> {
  for (const [i, board] of boards.entries()) {
    const k = await r.k(board);
    for (const id of ids[i] ?? []) if ((await requireTask(k, id)).status !== status) return false;
  }
  return true;
}

const dispatch = (extra: Record<string, unknown> = {}) => ({
  max_in_progress: 10,
  stop_grace_seconds: 1,
  failure_limit: 3,
  ...extra,
});

describe("a worker that exits without finishing", () => {
  it("is a protocol violation when it exits cleanly; at the limit the task is blocked with gave_up", async () => {
    const r = await rig((trace) => ({
      dispatch: dispatch(),
      profiles: { quitter: { command: fakeAgent(trace, "--mode", "exit") } },
    }));
    const k = await r.k();
    const task = (await createTask(k, { title: "leave early", assignee: "quitter" })).task;

    for (let attempt = 1; attempt <= 3; attempt++) {
      const result = await r.tick();
      expect(result.spawned.map((x) => x.task_id)).toEqual([task.id]);
      await waitFor(
        `attempt ${attempt} to be recorded`,
        async () => (await requireTask(k, task.id)).spawn_failures === attempt,
      );
    }
    expect((await requireTask(k, task.id)).status).toBe("blocked");
    const events = await listEvents(k, task.id);
    expect(events.filter((e) => e.kind === "protocol_violation")).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ kind: "gave_up", payload: { failures: 3, cause: "protocol_violation" } });
    expect((await listRuns(k, task.id)).map((x) => x.outcome)).toEqual([
      "protocol_violation",
      "protocol_violation",
      "gave_up",
    ]);
    expect(readFileSync(workerLogPath(k.paths, task.id), "utf8")).toContain("starting:");
    expect((await r.tick()).spawned).toEqual([]);
  });

  it("is a spawn failure when its command cannot start, and nothing is left running", async () => {
    const r = await rig(() => ({
      dispatch: dispatch(),
      profiles: { ghost: { command: ["switchyard-no-such-agent"] } },
    }));
    const k = await r.k();
    const task = (await createTask(k, { title: "never starts", assignee: "ghost" })).task;
    expect((await r.tick()).spawned).toEqual([]);
    const t = await requireTask(k, task.id);
    expect(t).toMatchObject({ status: "ready", spawn_failures: 1, worker_pid: null });
    expect(t.last_spawn_error).toContain("`switchyard-no-such-agent` was not found");
    expect(await kinds(k, task.id)).toEqual(["created", "claimed", "spawn_failed"]);
    expect(r.s.liveWorkers()).toEqual([]);
  });
});

describe("a worker killed with SIGKILL", () => {
  const sleeper = (trace: string) => ({
    dispatch: dispatch(),
    profiles: { sleeper: { command: fakeAgent(trace, "--mode", "hang") } },
  });

  it("is recorded as a crash the moment it dies when the dispatcher watches its workers", async () => {
    const r = await rig(sleeper, { watch: true });
    const k = await r.k();
    const task = (await createTask(k, { title: "doomed", assignee: "sleeper" })).task;
    await r.tick();
    const pid = (await requireTask(k, task.id)).worker_pid as number;
    await waitFor("the worker to start", () => readTrace(r.wh.trace).some((l) => l.step === "hanging"));
    systemProcesses.kill(pid, "SIGKILL");
    await waitFor("the crash to be recorded", async () => (await requireTask(k, task.id)).status === "ready");
    expect((await listEvents(k, task.id)).at(-1)).toMatchObject({
      kind: "crashed",
      payload: { pid, failures: 1, signal: "SIGKILL" },
    });
  });

  it("is detected within one tick by a dispatcher that let it go, and gives up at the limit", async () => {
    const r = await rig(sleeper, { watch: false });
    const k = await r.k();
    const task = (await createTask(k, { title: "doomed", assignee: "sleeper" })).task;

    await r.tick();
    for (let failures = 1; failures <= 3; failures++) {
      const pid = (await requireTask(k, task.id)).worker_pid as number;
      expect(pid).toBeGreaterThan(0);
      systemProcesses.kill(pid, "SIGKILL");
      await waitFor("the worker to die", () => !systemProcesses.isAlive(pid));
      const result = await r.tick();
      expect(result.crashed).toEqual([task.id]);
      expect((await requireTask(k, task.id)).spawn_failures).toBe(failures);
      if (failures < 3) expect(result.spawned.map((x) => x.task_id)).toEqual([task.id]);
      else expect(result.auto_blocked).toEqual([task.id]);
    }
    expect((await requireTask(k, task.id)).status).toBe("blocked");
    expect((await listEvents(k, task.id)).at(-1)).toMatchObject({
      kind: "gave_up",
      payload: { failures: 3, cause: "crashed" },
    });
  });
});

describe("a worker past its max runtime", () => {
  it("gets SIGTERM, and SIGKILL after the grace period when it ignores SIGTERM", async () => {
    const clock = createManualClock(Math.floor(Date.now() / 1000));
    const r = await rig(
      (trace) => ({
        // Long enough for a loaded machine to let the polite worker exit on SIGTERM alone.
        dispatch: dispatch({ stop_grace_seconds: 3 }),
        profiles: {
          polite: { command: fakeAgent(trace, "--mode", "hang", "--on-term", "exit") },
          stubborn: { command: fakeAgent(trace, "--mode", "hang", "--ignore-term") },
        },
      }),
      { clock },
    );
    const k = await r.k();
    const polite = (await createTask(k, { title: "polite", assignee: "polite", max_runtime_seconds: 60 })).task;
    const stubborn = (await createTask(k, { title: "stubborn", assignee: "stubborn", max_runtime_seconds: 60 })).task;
    expect((await r.tick()).spawned).toHaveLength(2);
    const firstPids: number[] = [];
    for (const id of [polite.id, stubborn.id]) firstPids.push((await requireTask(k, id)).worker_pid as number);
    await waitFor(
      "both workers to start",
      () => readTrace(r.wh.trace).filter((l) => l.step === "hanging").length === 2,
    );

    clock.advance(30);
    expect((await r.tick()).timed_out).toEqual([]);
    clock.advance(30);
    const result = await r.tick();
    expect(result.timed_out.sort()).toEqual([polite.id, stubborn.id].sort());

    const timedOut = async (id: string) => (await listEvents(k, id)).find((e) => e.kind === "timed_out");
    expect(await timedOut(polite.id)).toMatchObject({
      payload: { sigkill: false, elapsed_seconds: 60, limit_seconds: 60, failures: 1 },
    });
    expect(await timedOut(stubborn.id)).toMatchObject({ payload: { sigkill: true, failures: 1 } });
    const trace = readTrace(r.wh.trace);
    expect(
      trace
        .filter((l) => l.step === "sigterm")
        .map((l) => l.task)
        .sort(),
    ).toEqual([polite.id, stubborn.id].sort());
    expect(trace.find((l) => l.task === polite.id && l.step === "end")).toMatchObject({ how: "sigterm" });
    expect(fakeAgentsAlive(firstPids)).toEqual([]);
    // Below the failure limit the tasks go back to ready, and their old workers are gone: respawned.
    expect(result.spawned.map((x) => x.task_id).sort()).toEqual([polite.id, stubborn.id].sort());
  });
});

describe("a manual reclaim", () => {
  it("stops the running worker before the task is spawned again, and the old run cannot complete", async () => {
    // The stop's grace period runs only once the gate opens, so the held-back tick below
    // surely happens while the old worker (which ignores SIGTERM) is alive.
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const proc: ProcessControl = {
      ...systemProcesses,
      sleep: async (ms) => {
        await gate;
        await systemProcesses.sleep(ms);
      },
    };
    const r = await rig(
      (trace) => ({
        dispatch: dispatch(),
        profiles: { stubborn: { command: fakeAgent(trace, "--mode", "hang", "--ignore-term") } },
      }),
      { proc },
    );
    const k = await r.k();
    const task = (await createTask(k, { title: "reclaim me", assignee: "stubborn" })).task;
    await r.tick();
    const first = await requireTask(k, task.id);
    await waitFor("the worker to start", () => readTrace(r.wh.trace).some((l) => l.step === "hanging"));

    const ref = await reclaimTask(k, task.id, { reason: "operator" });
    expect(ref.pid).toBe(first.worker_pid);
    const stopping = r.s.stopWorker(ref);
    await waitFor("the worker to get SIGTERM", () => readTrace(r.wh.trace).some((l) => l.step === "sigterm"));
    const held = await r.tick();
    expect(held.spawned).toEqual([]);
    expect((await requireTask(k, task.id)).status).toBe("ready");
    expect(systemProcesses.isAlive(first.worker_pid as number)).toBe(true);

    open();
    expect(await stopping).toEqual({ stopped: true, sigkill: true });
    const again = await r.tick();
    expect(again.spawned.map((x) => x.task_id)).toEqual([task.id]);
    const second = await requireTask(k, task.id);
    expect(second.worker_pid).not.toBe(first.worker_pid);
    expect(second.current_run_id).not.toBe(first.current_run_id);
    // Not counted as a failure: a person chose to reclaim it.
    expect(second.spawn_failures).toBe(0);

    let refusal: unknown;
    try {
      await completeTask(k, task.id, { summary: "late", runId: first.current_run_id });
    } catch (err) {
      refusal = err;
    }
    expect(isCoreError(refusal, "superseded")).toBe(true);
    expect((await requireTask(k, task.id)).status).toBe("running");
  });
});

// These tests run many alike failing workers to count them; the profile pause (decision 013)
// would stop such a profile after three, so they turn it off.
describe("caps", () => {
  /** The most fake agents that were alive at the same moment, from their own start/end records. */
  function maxOverlap(trace: string): number {
    const marks = readTrace(trace)
      .filter((l) => l.step === "start" || l.step === "end")
      .map((l) => ({ t: l.t, d: l.step === "start" ? 1 : -1 }))
      .sort((a, b) => a.t - b.t || a.d - b.d);
    let now = 0;
    let most = 0;
    for (const m of marks) {
      now += m.d;
      most = Math.max(most, now);
    }
    return most;
  }

  /** Ticks every board until `done`; samples the live workers after each round. */
  async function drain(r: Rig, boards: string[], done: () => Promise<boolean>): Promise<number> {
    let most = 0;
    await waitFor(
      "every task to be worked",
      async () => {
        for (const b of boards) await r.tick(b);
        most = Math.max(most, r.s.liveWorkers().length);
        return done();
      },
      { intervalMs: 100, timeoutMs: 90_000 },
    );
    return most;
  }

  it("never runs more than dispatch.max_in_progress workers at once, counting every board", async () => {
    const boards = ["default", "second"];
    const r = await rig(
      (trace) => ({
        dispatch: dispatch({ max_in_progress: 2, failure_limit: 1, pause_after_failures: 0 }),
        profiles: { quick: { command: fakeAgent(trace, "--mode", "exit", "--delay", "0.3") } },
      }),
      { boards: ["second"] },
    );
    const tasks: string[][] = [];
    for (const b of boards) {
      const ids: string[] = [];
      for (let n = 0; n < 5; n++)
        ids.push((await createTask(await r.k(b), { title: `job ${n}`, assignee: "quick" })).task.id);
      tasks.push(ids);
    }
    const allBlocked = () => allInStatus(r, boards, tasks, "blocked");
    const first = await r.tick("default");
    expect(first.spawned).toHaveLength(2);
    expect(first.skipped_capacity).toHaveLength(3);
    expect((await r.tick("second")).skipped_capacity).toHaveLength(5);
    const most = await drain(r, boards, allBlocked);
    expect(readTrace(r.wh.trace).filter((l) => l.step === "start")).toHaveLength(10);
    expect(maxOverlap(r.wh.trace)).toBeLessThanOrEqual(2);
    expect(most).toBeLessThanOrEqual(2);
  });

  it("never runs more than a profile's max_in_progress workers of that profile at once", async () => {
    const r = await rig((trace) => ({
      dispatch: dispatch({ max_in_progress: 10, failure_limit: 1, pause_after_failures: 0 }),
      profiles: { quick: { command: fakeAgent(trace, "--mode", "exit", "--delay", "0.3"), max_in_progress: 2 } },
    }));
    const ids: string[] = [];
    for (let n = 0; n < 10; n++)
      ids.push((await createTask(await r.k(), { title: `job ${n}`, assignee: "quick" })).task.id);
    const first = await r.tick();
    expect(first.spawned).toHaveLength(2);
    expect(first.skipped_capacity).toHaveLength(8);
    const most = await drain(r, ["default"], () => allInStatus(r, ["default"], [ids], "blocked"));
    expect(readTrace(r.wh.trace).filter((l) => l.step === "start")).toHaveLength(10);
    expect(maxOverlap(r.wh.trace)).toBeLessThanOrEqual(2);
    expect(most).toBeLessThanOrEqual(2);
  });
});

describe("process hygiene", () => {
  it("leaves no zombie child and no live worker after 50 spawns, watched or let go", async () => {
    const config = (trace: string) => ({
      dispatch: dispatch({ max_in_progress: 10, failure_limit: 1, pause_after_failures: 0 }),
      profiles: {
        quitter: { command: fakeAgent(trace, "--mode", "exit") },
        crasher: { command: fakeAgent(trace, "--mode", "crash", "--code", "3") },
        suicidal: { command: fakeAgent(trace, "--mode", "crash", "--signal", "SIGKILL") },
      },
    });
    for (const watch of [true, false]) {
      const r = await rig(config, { watch });
      const profiles = ["quitter", "crasher", "suicidal"];
      const ids: string[] = [];
      for (let n = 0; n < 25; n++) {
        ids.push((await createTask(await r.k(), { title: `job ${n}`, assignee: profiles[n % 3] })).task.id);
      }
      await waitFor(
        "all 25 workers to have run and failed",
        async () => {
          await r.tick();
          return allInStatus(r, ["default"], [ids], "blocked");
        },
        { intervalMs: 100, timeoutMs: 90_000 },
      );
    }
    expect(spawnedPids.size).toBe(50);
    await waitFor(
      "every worker to be reaped",
      () => zombieChildren().length === 0 && fakeAgentsAlive(spawnedPids).length === 0,
    );
    expect(zombieChildren()).toEqual([]);
    expect(fakeAgentsAlive(spawnedPids)).toEqual([]);
  });
});

describe("health telemetry", () => {
  it("warns after 6 rounds with spawnable work and nothing spawned, then at most once per 300 s", () => {
    const health = createDispatchHealth();
    const stuck = { spawnableReady: true, spawned: 0, atCapacity: false };
    const warnings = [0, 1, 2, 3, 4, 5].map((i) => health.record(stuck, 1000 + i));
    expect(warnings.slice(0, 5)).toEqual([null, null, null, null, null]);
    expect(warnings[5]).toMatch(/dispatcher stuck/);
    expect(health.record(stuck, 1100)).toBeNull();
    expect(health.record(stuck, 1305)).toMatch(/dispatcher stuck/);
  });

  it("does not count rounds that spawned, had nothing to do or waited on a cap", () => {
    const health = createDispatchHealth();
    const stuck = { spawnableReady: true, spawned: 0, atCapacity: false };
    for (let i = 0; i < 5; i++) health.record(stuck, i);
    expect(health.record({ spawnableReady: true, spawned: 1, atCapacity: false }, 5)).toBeNull();
    expect(health.badTicks).toBe(0);
    for (let i = 0; i < 5; i++) health.record(stuck, 10 + i);
    expect(health.record({ spawnableReady: true, spawned: 0, atCapacity: true }, 15)).toBeNull();
    expect(health.record({ spawnableReady: false, spawned: 0, atCapacity: false }, 16)).toBeNull();
    expect(health.badTicks).toBe(0);
  });
});

describe("whether the server runs the dispatcher", () => {
  const config = (in_server: boolean) => Config.parse({ dispatch: { in_server } });

  it("is on by default and off with --no-dispatch, dispatch.in_server: false or SWITCHYARD_DISPATCH_IN_SERVER=0/false/no/off", () => {
    expect(dispatchInServer(config(true), {})).toBe(true);
    expect(dispatchInServer(config(true), {}, true)).toBe(false);
    expect(dispatchInServer(config(false), {})).toBe(false);
    for (const off of ["0", "false", "no", "off", " OFF "]) {
      expect(dispatchInServer(config(true), { SWITCHYARD_DISPATCH_IN_SERVER: off })).toBe(false);
    }
  });

  it("is not forced on by a truthy SWITCHYARD_DISPATCH_IN_SERVER when the config turns it off", () => {
    expect(dispatchInServer(config(true), { SWITCHYARD_DISPATCH_IN_SERVER: "1" })).toBe(true);
    expect(dispatchInServer(config(false), { SWITCHYARD_DISPATCH_IN_SERVER: "1" })).toBe(false);
  });
});

describe("events that wake the dispatcher", () => {
  const event = (kind: string, payload: unknown) =>
    TaskEvent.parse({ id: 1, task_id: "t_00000001", run_id: null, kind, payload, created_at: 0 });

  it("are the ones after which a task may be ready or a run has ended", () => {
    expect(
      wakesDispatcher(event("created", { assignee: "a", status: "ready", parents: [], tenant: null, skills: null })),
    ).toBe(true);
    expect(wakesDispatcher(event("status", { status: "ready" }))).toBe(true);
    // A direct move off running ends the run: its worker must be stopped, its place is free.
    expect(wakesDispatcher(event("status", { status: "todo" }))).toBe(true);
    for (const kind of ["promoted", "unblocked", "archived"]) expect(wakesDispatcher(event(kind, null))).toBe(true);
    expect(wakesDispatcher(event("reclaimed", { stale_lock: "h:1" }))).toBe(true);
    expect(wakesDispatcher(event("completed", { result_len: 0, summary: null }))).toBe(true);
    expect(wakesDispatcher(event("spawn_failed", { error: "x", failures: 1 }))).toBe(true);
  });

  it("exclude the ones that change nothing for it", () => {
    expect(
      wakesDispatcher(
        event("created", { assignee: "a", status: "todo", parents: ["t_1"], tenant: null, skills: null }),
      ),
    ).toBe(false);
    expect(wakesDispatcher(event("claimed", { lock: "h:1", expires: 1, run_id: 1 }))).toBe(false);
    expect(wakesDispatcher(event("heartbeat", null))).toBe(false);
    expect(wakesDispatcher(event("commented", { author: "a", len: 1 }))).toBe(false);
  });
});
