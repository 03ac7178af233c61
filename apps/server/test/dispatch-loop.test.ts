import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DispatchResult, type EventsMessage, emptyDispatchResult, TaskEvent } from "@switchyard/contract";
import {
  boardPaths,
  createBoard,
  createManualClock,
  createTask,
  type Home,
  type Kernel,
  openKernel,
  requireTask,
} from "@switchyard/core";
import {
  configPath,
  createDispatchService,
  type DispatchService,
  loadConfig,
  systemProcesses,
} from "@switchyard/runtime";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type DispatchLoop, startDispatchLoop } from "../src/dispatch-loop.ts";
import { createEventHub, type EventHub } from "../src/event-hub.ts";
import { startServer } from "../src/main.ts";
import { tempDir, tempHome, waitFor } from "./helpers.ts";

const here = dirname(fileURLToPath(import.meta.url));
const FAKE_AGENT = join(here, "..", "..", "..", "e2e", "fake-agent", "fake-agent.mjs");

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A service stand-in that records ticks; each tick waits until `release` is called if `hold` is set. */
function fakeService(
  boards: string[],
  options: { hold?: boolean; spawnableReady?: boolean; deadline?: () => number | null } = {},
) {
  const ticks: string[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const waiting: Array<() => void> = [];
  const service: DispatchService = {
    boards: async () => [...boards],
    async tick(board) {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      ticks.push(board);
      if (options.hold) await new Promise<void>((resolve) => waiting.push(resolve));
      inFlight--;
      return emptyDispatchResult();
    },
    isSpawnable: () => true,
    hasSpawnableReady: async () => options.spawnableReady ?? false,
    nextRetryAt: async () => null,
    nextDeadline: async () => options.deadline?.() ?? null,
    stopWorker: async () => null,
    host: "testhost",
    heartbeat: async () => {},
    leave: async () => {},
    liveWorkers: () => [],
    settle: async () => {},
    release: () => {},
  };
  return {
    service,
    ticks,
    mostInFlight: () => mostInFlight,
    releaseAll: () => {
      for (const r of waiting.splice(0)) r();
    },
  };
}

const noHub: Pick<EventHub, "subscribe"> = { subscribe: async () => () => {} };

function loop(options: Parameters<typeof startDispatchLoop>[0]): DispatchLoop {
  const l = startDispatchLoop(options);
  cleanups.push(() => l.stop());
  return l;
}

describe("the dispatch loop's schedule", () => {
  it("ticks every board each round and picks up a board created after it started", async () => {
    const boards = ["default"];
    const fake = fakeService(boards);
    loop({ service: fake.service, hub: noHub, intervalSeconds: 0.02 });
    await waitFor("a round over the default board", () => fake.ticks.includes("default"));
    boards.push("later");
    await waitFor("the new board to be ticked", () => fake.ticks.includes("later"));
  });

  it("never runs two ticks at once, and merges wakes of a board that is already queued", async () => {
    const fake = fakeService(["default", "ops"], { hold: true });
    const l = loop({ service: fake.service, hub: noHub, intervalSeconds: 600 });
    await waitFor("the first tick to start", () => fake.ticks.length === 1);
    for (let i = 0; i < 5; i++) l.wake("ops");
    for (let i = 0; i < 10; i++) {
      fake.releaseAll();
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitFor("the queue to drain", () => {
      fake.releaseAll();
      return fake.ticks.length === 3 ? true : undefined;
    });
    // The first round (default, ops) and one merged wake of ops.
    expect(fake.ticks).toEqual(["default", "ops", "ops"]);
    expect(fake.mostInFlight()).toBe(1);
  });

  it("logs a 'dispatcher stuck' warning after 6 rounds with spawnable work and nothing spawned, once", async () => {
    const fake = fakeService(["default"], { spawnableReady: true });
    const logs: string[] = [];
    const clock = createManualClock(1_700_000_000);
    loop({ service: fake.service, hub: noHub, intervalSeconds: 0.01, clock, log: (m) => logs.push(m) });
    await waitFor("the warning", () => logs.some((m) => m.includes("dispatcher stuck")));
    const rounds = fake.ticks.length;
    await waitFor("six more rounds", () => fake.ticks.length >= rounds + 6);
    expect(logs.filter((m) => m.includes("dispatcher stuck"))).toHaveLength(1);
  });

  it("stops: no tick starts after stop() has resolved", async () => {
    const fake = fakeService(["default"]);
    const l = startDispatchLoop({ service: fake.service, hub: noHub, intervalSeconds: 0.01 });
    await waitFor("some rounds", () => fake.ticks.length >= 2);
    await l.stop();
    const count = fake.ticks.length;
    l.wake("default");
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.ticks.length).toBe(count);
  });
});

/** A hub whose board events the test sends by hand. */
function manualHub() {
  const listeners = new Map<string, (message: EventsMessage) => void>();
  const hub: Pick<EventHub, "subscribe"> = {
    subscribe: async (board, listener) => {
      listeners.set(board, listener);
      return () => listeners.delete(board);
    },
  };
  return {
    hub,
    send(board: string, kind: string, payload: unknown) {
      const event = TaskEvent.parse({ id: 1, task_id: "t_00000001", run_id: 1, kind, payload, created_at: 0 });
      listeners.get(board)?.({ events: [event], cursor: 1 });
    },
  };
}

describe("the dispatch loop's timed ticks", () => {
  // Fake timers drive both setTimeout and the system clock (Date.now), so each moment is exact.
  const START_MS = 1_700_000_000_250;
  const second = (s: number) => 1_700_000_000 + s;
  /** Milliseconds from the start to `second(s)`, plus the margin a timed tick waits. */
  const untilSecond = (s: number) => second(s) * 1000 - START_MS + 25;

  async function fakeLoop(deadline: () => number | null, hub: Pick<EventHub, "subscribe"> = noHub) {
    vi.useFakeTimers({ now: START_MS });
    cleanups.push(() => vi.useRealTimers());
    const fake = fakeService(["default"], { deadline });
    const l = loop({ service: fake.service, hub, intervalSeconds: 60 });
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.ticks).toEqual(["default"]); // the first round
    return { fake, l };
  }

  it("ticks a board at its nearest max-runtime deadline with a 60 s interval, re-arms, and leaves no timer when stopped", async () => {
    let deadline: number | null = second(5);
    const { fake, l } = await fakeLoop(() => deadline);
    await vi.advanceTimersByTimeAsync(untilSecond(5) - 1);
    expect(fake.ticks).toHaveLength(1);
    deadline = second(20); // the tick at the deadline stops that worker; the next one is due later
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.ticks).toHaveLength(2);

    await vi.advanceTimersByTimeAsync(untilSecond(20) - untilSecond(5) - 1);
    expect(fake.ticks).toHaveLength(2);
    deadline = null;
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.ticks).toHaveLength(3);
    // Nothing is due any more: only the round's own timer is left.
    expect(vi.getTimerCount()).toBe(1);

    await l.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("moves its timer to an earlier deadline when another process spawns a worker on the board", async () => {
    let deadline: number | null = second(100);
    const manual = manualHub();
    const { fake } = await fakeLoop(() => deadline, manual.hub);
    deadline = second(3);
    manual.send("default", "spawned", { pid: 4321 });
    await vi.advanceTimersByTimeAsync(untilSecond(3) - 1);
    expect(fake.ticks).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.ticks).toHaveLength(2);
  });

  it("ticks again for a backoff that ended while its tick ran (the tick looked before it ended, the timer is armed after)", async () => {
    vi.useFakeTimers({ now: START_MS });
    cleanups.push(() => vi.useRealTimers());
    const retryAfter = second(1);
    const fake = fakeService(["default"]);
    const ticks: number[] = [];
    const service: DispatchService = {
      ...fake.service,
      async tick() {
        ticks.push(Date.now());
        // A slow tick: it looked at the board before the backoff ended, and ends after.
        if (ticks.length === 1) vi.setSystemTime(second(1) * 1000 + 400);
        return emptyDispatchResult();
      },
      // As the kernel answers: the backoff's end only when it is after the time asked about.
      nextRetryAt: async (_board, after) => (retryAfter > (after ?? Math.floor(Date.now() / 1000)) ? retryAfter : null),
    };
    loop({ service, hub: noHub, intervalSeconds: 600 });
    await vi.advanceTimersByTimeAsync(50);
    expect(ticks).toHaveLength(2);
  });

  it("ticks again at most once a second for a deadline that its tick did not clear", async () => {
    const { fake } = await fakeLoop(() => second(-10));
    // Overdue when armed: at once (a zero delay set inside a fake-timer step is run 1 ms later).
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.ticks).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(fake.ticks).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.ticks).toHaveLength(3);
  });
});

interface RealRig {
  home: Home;
  k: Kernel;
  service: DispatchService;
  hub: EventHub;
  trace: string;
  pids: Set<number>;
  /** Where worker exits are reported (the loop's wake, once it exists). */
  onExit(wake: (board: string) => void): void;
}

/** A home whose `sleeper` profile runs the fake agent in hang mode, a real service and a real hub. */
async function realRig(): Promise<RealRig> {
  const home = tempHome();
  const trace = join(tempDir(), "trace.jsonl");
  writeFileSync(
    configPath(home),
    JSON.stringify({
      dispatch: { stop_grace_seconds: 1, max_in_progress: 4 },
      profiles: { sleeper: { command: [process.execPath, FAKE_AGENT, "--trace", trace, "--mode", "hang"] } },
    }),
  );
  const k = await openKernel(boardPaths(home, "default"));
  const hub = createEventHub({ open: (slug) => openKernel(boardPaths(home, slug), { pollMs: 20 }) });
  const pids = new Set<number>();
  let wakeLoop: (board: string) => void = () => {};
  const service = createDispatchService({
    home,
    config: loadConfig(home),
    watchWorkers: true,
    onWorkerExit: (board) => wakeLoop(board),
  });
  const rig: RealRig = {
    home,
    k,
    service,
    hub,
    trace,
    pids,
    onExit: (wake) => {
      wakeLoop = wake;
    },
  };
  cleanups.push(async () => {
    for (const pid of pids) systemProcesses.kill(-pid, "SIGKILL");
    await waitFor("the workers to exit", () => service.liveWorkers().length === 0);
    await hub.close();
    await k.close();
  });
  return rig;
}

const workerOf = async (k: Kernel, id: string) => (await requireTask(k, id)).worker_pid ?? undefined;

describe("the dispatch loop with real workers", () => {
  it("spawns a task the moment it becomes ready, and again the moment its worker dies", async () => {
    const rig = await realRig();
    const l = loop({ service: rig.service, hub: rig.hub, intervalSeconds: 600 });
    rig.onExit((b) => l.wake(b));
    await l.idle();

    // Another process's write (here: another connection) reaches the loop through the hub.
    const other = await openKernel(boardPaths(rig.home, "default"));
    const task = (await createTask(other, { title: "go", assignee: "sleeper" })).task;
    await other.close();
    const first = await waitFor("the worker to start", () => workerOf(rig.k, task.id));
    rig.pids.add(first);

    systemProcesses.kill(first, "SIGKILL");
    const second = await waitFor("a new worker", async () => {
      const pid = await workerOf(rig.k, task.id);
      return pid !== first ? pid : undefined;
    });
    rig.pids.add(second);
    expect((await requireTask(rig.k, task.id)).spawn_failures).toBe(1);
  });

  it("leaves running workers running when it stops", async () => {
    const rig = await realRig();
    const task = (await createTask(rig.k, { title: "keep going", assignee: "sleeper" })).task;
    const l = startDispatchLoop({ service: rig.service, hub: rig.hub, intervalSeconds: 600 });
    const pid = await waitFor("the worker to start", () => workerOf(rig.k, task.id));
    rig.pids.add(pid);
    await l.stop();
    expect(systemProcesses.isAlive(pid)).toBe(true);
    expect((await requireTask(rig.k, task.id)).status).toBe("running");
    await waitFor(
      "the worker to reach its work",
      () => existsSync(rig.trace) && readFileSync(rig.trace, "utf8").includes('"step":"hanging"'),
    );
    expect(systemProcesses.isAlive(pid)).toBe(true);
  });
});

describe("the dispatcher in startServer", () => {
  async function homeWithSleeper(): Promise<{ home: Home; trace: string }> {
    const home = tempHome();
    const trace = join(tempDir(), "trace.jsonl");
    writeFileSync(
      configPath(home),
      JSON.stringify({
        dispatch: { stop_grace_seconds: 1, interval_seconds: 600 },
        profiles: { sleeper: { command: [process.execPath, FAKE_AGENT, "--trace", trace, "--mode", "hang"] } },
      }),
    );
    await createBoard(home, "default", {}, { now: Math.floor(Date.now() / 1000) });
    return { home, trace };
  }

  async function serve(home: Home, dispatch?: boolean) {
    const server = await startServer({ home, port: 0, webRoot: null, dispatch, log: () => {} });
    const k = await openKernel(boardPaths(home, "default"));
    const pids = new Set<number>();
    cleanups.push(async () => {
      await server.close();
      for (const pid of pids) systemProcesses.kill(-pid, "SIGKILL");
      await waitFor("the workers to exit", () => [...pids].every((p) => !systemProcesses.isAlive(p)));
      await k.close();
    });
    return { server, k, pids };
  }

  it("runs the dispatcher by default: a ready task gets a worker without being asked", async () => {
    const { home } = await homeWithSleeper();
    const { k, pids } = await serve(home);
    const task = (await createTask(k, { title: "go", assignee: "sleeper" })).task;
    pids.add(await waitFor("the worker to start", () => workerOf(k, task.id)));
  });

  it("starts tasks of a profile added to config.yaml while the server runs, without a restart", async () => {
    const { home, trace } = await homeWithSleeper();
    const { server, k, pids } = await serve(home);
    const task = (await createTask(k, { title: "later", assignee: "latecomer" })).task;
    const before = await fetch(`${server.url}/api/plugins/kanban/dispatch`, {
      method: "POST",
      headers: { origin: server.url },
    });
    expect(((await before.json()) as { skipped_nonspawnable: string[] }).skipped_nonspawnable).toEqual([task.id]);
    writeFileSync(
      configPath(home),
      JSON.stringify({
        dispatch: { stop_grace_seconds: 1, interval_seconds: 600 },
        profiles: {
          sleeper: { command: [process.execPath, FAKE_AGENT, "--trace", trace, "--mode", "hang"] },
          latecomer: { command: [process.execPath, FAKE_AGENT, "--trace", trace, "--mode", "hang"] },
        },
      }),
    );
    await fetch(`${server.url}/api/plugins/kanban/dispatch`, { method: "POST", headers: { origin: server.url } });
    pids.add(await waitFor("the latecomer's worker to start", () => workerOf(k, task.id)));
  });

  it("with --no-dispatch spawns only when POST /dispatch asks", async () => {
    const { home } = await homeWithSleeper();
    const { server, k, pids } = await serve(home, false);
    const task = (await createTask(k, { title: "go", assignee: "sleeper" })).task;
    const dry = await fetch(`${server.url}/api/plugins/kanban/dispatch?dry_run=true`, {
      method: "POST",
      headers: { origin: server.url },
    });
    expect(dry.status).toBe(200);
    expect(((await dry.json()) as DispatchResult).spawned.map((s) => s.task_id)).toEqual([task.id]);
    expect((await requireTask(k, task.id)).status).toBe("ready");

    const res = await fetch(`${server.url}/api/plugins/kanban/dispatch`, {
      method: "POST",
      headers: { origin: server.url },
    });
    expect(res.status).toBe(200);
    const result = (await res.json()) as DispatchResult;
    expect(result.spawned.map((s) => s.task_id)).toEqual([task.id]);
    const pid = await workerOf(k, task.id);
    expect(pid).toBeGreaterThan(0);
    pids.add(pid as number);
  });
});
