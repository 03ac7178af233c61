import { TaskEvent } from "@switchyard/contract";
import {
  createManualClock,
  createTask,
  type Kernel,
  listEvents,
  listRuns,
  openBoard,
  pausedProfiles,
  requireTask,
  resumeProfile,
} from "@switchyard/core";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor, workerHome } from "../test/workers.ts";
import { loadConfig } from "./config.ts";
import { createDispatchService, type DispatchService, wakesDispatcher } from "./dispatch-service.ts";

/**
 * The failure policy (SPEC §3.15, decision 013) with real worker processes on temp homes: the
 * dispatcher watches each worker, and its exit code and last log line decide what happens.
 */

const services: DispatchService[] = [];
const kernels: Kernel[] = [];

afterEach(async () => {
  for (const s of services.splice(0)) await s.settle();
  for (const k of kernels.splice(0)) await k.close();
});

const sh = (script: string) => ["/bin/sh", "-c", script];

async function rig(profiles: Record<string, { command: string[] }>, dispatch: Record<string, unknown> = {}) {
  const clock = createManualClock(Math.floor(Date.now() / 1000));
  const wh = await workerHome(() => ({
    dispatch: { max_in_progress: 10, stop_grace_seconds: 1, failure_limit: 3, ...dispatch },
    profiles,
  }));
  const s = createDispatchService({ home: wh.home, config: loadConfig(wh.home), watchWorkers: true, clock });
  services.push(s);
  const k = await openBoard(wh.home, "default", { clock });
  kernels.push(k);
  return { s, k, clock };
}

const eventsOf = async (k: Kernel, id: string, kind: string) =>
  (await listEvents(k, id)).filter((e) => e.kind === kind);

describe("a worker that exits 75 (rate-limited)", () => {
  it("three times leaves the failure counter at 0, and the task is spawned again only once each backoff is over", async () => {
    const { s, k, clock } = await rig({
      limited: { command: sh("echo 'HTTP 429: rate limited, try again later'; exit 75") },
    });
    const id = (await createTask(k, { title: "call the model", assignee: "limited" })).task.id;
    const delays: number[] = [];
    for (let n = 1; n <= 3; n++) {
      expect((await s.tick("default")).spawned.map((x) => x.task_id)).toEqual([id]);
      await waitFor(`rate limit ${n} to be recorded`, async () => (await eventsOf(k, id, "rate_limited")).length === n);
      const task = await requireTask(k, id);
      expect(task).toMatchObject({ status: "ready", spawn_failures: 0, worker_pid: null });
      const delay = (task.retry_after as number) - clock.now();
      delays.push(delay);
      expect(await s.nextRetryAt("default")).toBe(task.retry_after);
      // Still backing off: nothing is started, and the dispatcher does not count it as stuck work.
      expect((await s.tick("default")).spawned).toEqual([]);
      expect(await s.hasSpawnableReady("default")).toBe(false);
      clock.advance(delay);
    }
    expect(delays).toEqual([30, 60, 120]);
    expect(await requireTask(k, id)).toMatchObject({ status: "ready", spawn_failures: 0, last_spawn_error: null });
    expect(await s.hasSpawnableReady("default")).toBe(true);
    expect((await listRuns(k, id)).map((r) => r.outcome)).toEqual(["rate_limited", "rate_limited", "rate_limited"]);
    expect((await s.tick("default")).spawned.map((x) => x.task_id)).toEqual([id]);
    await waitFor("the fourth rate limit", async () => (await eventsOf(k, id, "rate_limited")).length === 4);
    expect((await requireTask(k, id)).spawn_failures).toBe(0);
  });

  it("waits dispatch.rate_limit_backoff_seconds first when the config sets it", async () => {
    const { s, k, clock } = await rig(
      { limited: { command: sh("exit 75") } },
      { rate_limit_backoff_seconds: 5, rate_limit_backoff_max_seconds: 8 },
    );
    const id = (await createTask(k, { title: "x", assignee: "limited" })).task.id;
    const delays: number[] = [];
    for (let n = 1; n <= 3; n++) {
      await s.tick("default");
      await waitFor(`rate limit ${n}`, async () => (await eventsOf(k, id, "rate_limited")).length === n);
      const delay = ((await requireTask(k, id)).retry_after as number) - clock.now();
      delays.push(delay);
      clock.advance(delay);
    }
    expect(delays).toEqual([5, 8, 8]);
  });
});

describe("a profile whose workers keep crashing the same way", () => {
  it("is paused after three identical crashes: a fourth task is not spawned until the profile is resumed", async () => {
    const { s, k, clock } = await rig({
      broken: {
        command: sh(
          'echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) error: invalid API key for $SWITCHYARD_TASK (pid $$)"; exit 1',
        ),
      },
    });
    const ids: string[] = [];
    for (const title of ["one", "two", "three"]) ids.push((await createTask(k, { title, assignee: "broken" })).task.id);
    expect((await s.tick("default")).spawned).toHaveLength(3);
    await waitFor("the three crashes", async () => {
      for (const id of ids) if ((await requireTask(k, id)).status !== "ready") return false;
      return true;
    });
    const fingerprint = "exit 1: error: invalid api key for t_# (pid #)";
    expect(await pausedProfiles(k)).toEqual([expect.objectContaining({ profile: "broken", fingerprint, failures: 3 })]);
    const paused = (await Promise.all(ids.map((id) => eventsOf(k, id, "profile_paused")))).flat();
    expect(paused).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ profile: "broken", fingerprint, failures: 3 }) }),
    ]);
    for (const id of ids) expect((await requireTask(k, id)).spawn_failures).toBe(1);

    const fourth = (await createTask(k, { title: "four", assignee: "broken" })).task.id;
    const held = await s.tick("default");
    expect(held.spawned).toEqual([]);
    expect(held.skipped_paused).toEqual([...ids, fourth]);
    expect((await listRuns(k, fourth)).length).toBe(0);

    clock.advance(1);
    await resumeProfile(k, "broken", "ops");
    const resumed = await s.tick("default");
    expect(resumed.spawned.map((x) => x.task_id)).toContain(fourth);
    await waitFor(
      "the fourth task's worker to crash too",
      async () => (await requireTask(k, fourth)).status === "ready",
    );
    expect((await listRuns(k, fourth)).map((r) => r.outcome)).toEqual(["crashed"]);
  });
});

describe("a task's max_retries", () => {
  it("overrides dispatch.failure_limit: max_retries 1 gives up after the first crash", async () => {
    const { s, k } = await rig({ crasher: { command: sh("echo 'segmentation fault'; exit 139") } });
    const id = (await createTask(k, { title: "fragile", assignee: "crasher", max_retries: 1 })).task.id;
    await s.tick("default");
    await waitFor("the task to be given up", async () => (await requireTask(k, id)).status === "blocked");
    expect(await requireTask(k, id)).toMatchObject({ spawn_failures: 1 });
    expect((await listEvents(k, id)).at(-1)).toMatchObject({
      kind: "gave_up",
      payload: { failures: 1, cause: "crashed" },
    });
    expect((await s.tick("default")).spawned).toEqual([]);
  });
});

describe("the failure policy's events", () => {
  const event = (kind: string, payload: unknown) =>
    TaskEvent.parse({ id: 1, task_id: "t_00000001", run_id: 1, kind, payload, created_at: 0 });

  it("wake the dispatcher when a place is freed (rate_limited) or a profile may spawn again (profile_resumed)", () => {
    const limited = { pid: 1, exit_code: 75, status: "ready", retry_after: 30, delay_seconds: 30, rate_limits: 1 };
    expect(wakesDispatcher(event("rate_limited", limited))).toBe(true);
    expect(wakesDispatcher(event("profile_resumed", { profile: "a", fingerprint: "exit 1: x", by: "ops" }))).toBe(true);
    const paused = { profile: "a", fingerprint: "exit 1: x", failures: 3, window_seconds: 600, tasks: [] };
    expect(wakesDispatcher(event("profile_paused", paused))).toBe(false);
    expect(wakesDispatcher(event("max_retries_set", { max_retries: 2 }))).toBe(false);
  });
});
