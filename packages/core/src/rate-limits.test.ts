import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { claimOrRefuse, claimTask, setWorkerPid } from "./claims.ts";
import { dispatchOnce } from "./dispatcher.ts";
import { listEvents } from "./events.ts";
import { recordWorkerExit } from "./failures.ts";
import type { Kernel } from "./kernel.ts";
import { backoffSeconds, nextRetryAt } from "./rate-limits.ts";
import { listRuns } from "./runs.ts";
import { createTask, requireTask } from "./tasks.ts";

async function newTask(k: Kernel, title = "call the model") {
  return (await createTask(k, { title, assignee: "alice" })).task.id;
}

/** Claims the task and records a worker pid; returns the run. */
async function start(k: Kernel, id: string, pid = 5000): Promise<number> {
  const claimed = await claimTask(k, id);
  if (!claimed?.current_run_id) throw new Error(`could not claim ${id}`);
  await setWorkerPid(k, id, claimed.current_run_id, pid);
  return claimed.current_run_id;
}

const exit75 = (pid = 5000) => ({ pid, code: 75, signal: null, lastLine: "429 Too Many Requests" });

/** A dispatch tick with a fake spawn that records what it started. */
async function tick(k: Kernel, started: string[]) {
  return dispatchOnce(k, {
    spawn: (req) => {
      started.push(req.task.id);
      return 6000 + started.length;
    },
    isSpawnable: () => true,
    // The exited workers are gone, so nothing holds their task back.
    proc: { isAlive: () => false, groupAlive: () => false, startedAt: () => null },
    stop: async () => ({ stopped: true, sigkill: false }),
  });
}

describe("the rate-limit backoff", () => {
  it("starts at 30 s and doubles with each rate limit in a row, up to 10 minutes", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffSeconds(n))).toEqual([30, 60, 120, 240, 480, 600, 600, 600]);
  });

  it("takes its base and cap from the config, and never waits less than the base", () => {
    expect([1, 2, 3, 4].map((n) => backoffSeconds(n, { baseSeconds: 5, maxSeconds: 30 }))).toEqual([5, 10, 20, 30]);
    expect(backoffSeconds(3, { baseSeconds: 900, maxSeconds: 600 })).toBe(900);
  });
});

describe("a worker that exits 75 (rate-limited)", () => {
  it("three times in a row leaves the failure counter at 0, and the task ready again after each backoff", async () => {
    const { k, clock } = await freshBoard();
    const id = await newTask(k);
    const started: string[] = [];
    const delays: number[] = [];
    for (let n = 1; n <= 3; n++) {
      const spawned = await tick(k, started);
      expect(spawned.spawned.map((s) => s.task_id)).toEqual([id]);
      const runId = (await requireTask(k, id)).current_run_id as number;
      const outcome = await recordWorkerExit(k, id, runId, exit75());
      expect(outcome).toMatchObject({ task_id: id, failures: 0, result: "rate_limited" });
      const task = await requireTask(k, id);
      expect(task).toMatchObject({ status: "ready", spawn_failures: 0, claim_lock: null, current_run_id: null });
      const delay = (task.retry_after as number) - clock.now();
      delays.push(delay);

      // Not before its time: the dispatcher leaves it, a claim is refused, and the server knows when to look again.
      expect((await tick(k, started)).spawned).toEqual([]);
      expect(await claimTask(k, id)).toBeNull();
      expect(await nextRetryAt(k)).toBe(task.retry_after);
      clock.advance(delay - 1);
      expect((await tick(k, started)).spawned).toEqual([]);
      clock.advance(1);
      expect(await nextRetryAt(k)).toBeNull();
    }
    expect(delays).toEqual([30, 60, 120]);
    expect(started).toEqual([id, id, id]);
    expect(await requireTask(k, id)).toMatchObject({ status: "ready", spawn_failures: 0 });
    expect((await listRuns(k, id)).map((r) => [r.status, r.outcome])).toEqual([
      ["rate_limited", "rate_limited"],
      ["rate_limited", "rate_limited"],
      ["rate_limited", "rate_limited"],
    ]);
    const limited = (await listEvents(k, id)).filter((e) => e.kind === "rate_limited");
    expect(limited.map((e) => e.payload)).toEqual([
      expect.objectContaining({ exit_code: 75, status: "ready", delay_seconds: 30, rate_limits: 1 }),
      expect.objectContaining({ delay_seconds: 60, rate_limits: 2 }),
      expect.objectContaining({ delay_seconds: 120, rate_limits: 3 }),
    ]);
    // Once the backoff is over the task is claimable, and the claim clears the not-before time.
    expect(await claimTask(k, id)).toMatchObject({ status: "running", retry_after: null });
  });

  it("starts the backoff over after a run that was not rate-limited", async () => {
    const { k, clock } = await freshBoard();
    const id = await newTask(k);
    await recordWorkerExit(k, id, await start(k, id), exit75());
    clock.advance(30);
    await recordWorkerExit(k, id, await start(k, id), { pid: 5000, code: 1, signal: null, lastLine: "boom" });
    await recordWorkerExit(k, id, await start(k, id), exit75());
    const task = await requireTask(k, id);
    expect(task.retry_after).toBe(clock.now() + 30);
    expect(task.spawn_failures).toBe(1);
  });

  it("tells a person who tries to claim it how long to wait", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    await recordWorkerExit(k, id, await start(k, id), exit75());
    const err = await refusal(() => claimOrRefuse(k, id));
    expect(err.code).toBe("claim_conflict");
    expect(err.message).toMatch(
      new RegExp(`cannot claim ${id}: its worker was rate-limited; it can be claimed again in 30s`),
    );
  });

  it("is ignored when the task has moved on from that run", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    const runId = await start(k, id);
    await recordWorkerExit(k, id, runId, { pid: 5000, code: 1, signal: null });
    expect(await recordWorkerExit(k, id, runId, exit75())).toBeNull();
    expect((await requireTask(k, id)).retry_after).toBeNull();
  });

  it("is told apart from a death by a signal, which is a failure", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    const outcome = await recordWorkerExit(k, id, await start(k, id), { pid: 5000, code: null, signal: "SIGTERM" });
    expect(outcome).toMatchObject({ result: "retry", failures: 1 });
  });

  it("reports the earliest backoff of the board to wake the dispatcher at", async () => {
    const { k, clock } = await freshBoard();
    const a = await newTask(k, "a");
    const b = await newTask(k, "b");
    await recordWorkerExit(k, a, await start(k, a), exit75());
    clock.advance(10);
    await recordWorkerExit(k, b, await start(k, b), exit75());
    expect(await nextRetryAt(k)).toBe(clock.now() + 20);
    clock.advance(20);
    expect(await nextRetryAt(k)).toBe(clock.now() + 10);
    // Asked with the time a tick looked at the board: a backoff that has ended since is still named.
    const looked = clock.now();
    clock.advance(15);
    expect(await nextRetryAt(k)).toBeNull();
    expect(await nextRetryAt(k, looked)).toBe(looked + 10);
  });
});
