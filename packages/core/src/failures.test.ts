import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { blockTask, unblockTask } from "./blocking.ts";
import { claimTask, heartbeatWorker, releaseStaleClaims, setWorkerPid } from "./claims.ts";
import { completeTask } from "./completion.ts";
import { listEvents } from "./events.ts";
import {
  DEFAULT_FAILURE_LIMIT,
  detectCrashedWorkers,
  type FailureKind,
  overdueWorkers,
  recordFailure,
  recordTimeout,
  recordWorkerExit,
} from "./failures.ts";
import type { Kernel } from "./kernel.ts";
import { patchTask } from "./patch.ts";
import { getRun, listRuns } from "./runs.ts";
import { createTask, listTasks, requireTask, setMaxRetries } from "./tasks.ts";

async function newTask(k: Kernel, extra: { max_runtime_seconds?: number } = {}) {
  return (await createTask(k, { title: "flaky job", assignee: "alice", ...extra })).task.id;
}

/** Claims the task and records a worker pid; returns the run. */
async function start(k: Kernel, id: string, pid = 5000, claimer?: string): Promise<number> {
  const runId = (await claimTask(k, id, claimer ? { claimer } : {}))?.current_run_id as number;
  await setWorkerPid(k, id, runId, pid);
  return runId;
}

async function fail(k: Kernel, id: string, runId: number, kind: FailureKind, error = `${kind} happened`) {
  return recordFailure(k, id, { kind, error, runId, pid: 5000 });
}

describe("recordFailure below the limit", () => {
  for (const kind of ["spawn_failed", "crashed", "timed_out", "protocol_violation"] as const) {
    it(`sends the task back to ready and closes the run as ${kind}, with the count on the ${kind} event`, async () => {
      const { k } = await freshBoard();
      const id = await newTask(k);
      const runId = await start(k, id);
      const outcome = await fail(k, id, runId, kind, `boom: ${kind}`);
      expect(outcome).toEqual({ task_id: id, failures: 1, result: "retry" });
      expect(await requireTask(k, id)).toMatchObject({
        status: "ready",
        claim_lock: null,
        worker_pid: null,
        current_run_id: null,
        spawn_failures: 1,
        last_spawn_error: `boom: ${kind}`,
      });
      expect(await getRun(k, runId)).toMatchObject({ status: kind, outcome: kind, error: `boom: ${kind}` });
      const event = (await listEvents(k, id)).at(-1);
      expect(event?.kind).toBe(kind);
      expect(event?.run_id).toBe(runId);
      expect(event?.payload).toMatchObject({ failures: 1, status: "ready" });
    });
  }

  it("truncates a long error to 500 characters", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    const runId = await start(k, id);
    await fail(k, id, runId, "spawn_failed", "e".repeat(2000));
    expect((await requireTask(k, id)).last_spawn_error).toHaveLength(500);
  });

  it("clears last_heartbeat_at on a timeout", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    const runId = await start(k, id);
    await heartbeatWorker(k, id);
    await fail(k, id, runId, "timed_out");
    expect((await requireTask(k, id)).last_heartbeat_at).toBeNull();
  });
});

describe("recordFailure at the limit", () => {
  it("defaults to a limit of 3", () => {
    expect(DEFAULT_FAILURE_LIMIT).toBe(3);
  });

  it("blocks the task on the third failure, closes the run gave_up and appends one gave_up event", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    expect((await fail(k, id, await start(k, id), "spawn_failed"))?.result).toBe("retry");
    expect((await fail(k, id, await start(k, id), "spawn_failed"))?.result).toBe("retry");
    const lastRun = await start(k, id);
    const outcome = await fail(k, id, lastRun, "spawn_failed", "no such binary");
    expect(outcome).toEqual({ task_id: id, failures: 3, result: "gave_up" });
    expect(await requireTask(k, id)).toMatchObject({
      status: "blocked",
      spawn_failures: 3,
      last_spawn_error: "no such binary",
      claim_lock: null,
      current_run_id: null,
    });
    expect(await getRun(k, lastRun)).toMatchObject({ status: "gave_up", outcome: "gave_up", error: "no such binary" });
    const events = await listEvents(k, id);
    expect(events.filter((e) => e.kind === "gave_up")).toEqual([
      expect.objectContaining({
        run_id: lastRun,
        payload: { failures: 3, error: "no such binary", cause: "spawn_failed" },
      }),
    ]);
    expect(events.filter((e) => e.kind === "spawn_failed")).toHaveLength(2);
  });

  it("counts spawn failures, crashes, timeouts and protocol violations on one counter", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    expect((await fail(k, id, await start(k, id), "spawn_failed"))?.failures).toBe(1);
    expect((await fail(k, id, await start(k, id), "crashed"))?.failures).toBe(2);
    expect(await fail(k, id, await start(k, id), "timed_out")).toMatchObject({ failures: 3, result: "gave_up" });
    expect((await listEvents(k, id)).at(-1)?.payload).toMatchObject({ cause: "timed_out" });

    const other = await newTask(k);
    await fail(k, other, await start(k, other), "protocol_violation");
    await fail(k, other, await start(k, other), "timed_out");
    expect((await fail(k, other, await start(k, other), "crashed"))?.result).toBe("gave_up");
  });

  it("honours a custom limit", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    for (let i = 1; i <= 4; i++) {
      expect((await recordFailure(k, id, { kind: "crashed", error: "x", runId: await start(k, id) }, 5))?.result).toBe(
        "retry",
      );
    }
    expect((await recordFailure(k, id, { kind: "crashed", error: "x", runId: await start(k, id) }, 5))?.result).toBe(
      "gave_up",
    );
  });
});

describe("the failure counter resets", () => {
  it("when the task completes", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    await fail(k, id, await start(k, id), "crashed");
    await fail(k, id, await start(k, id), "crashed");
    await start(k, id);
    expect((await completeTask(k, id, { result: "ok" })).task.spawn_failures).toBe(0);
  });

  it("when a person unblocks the task it gave up on, giving a fresh budget", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    for (let i = 0; i < 3; i++) await fail(k, id, await start(k, id), "crashed");
    expect((await requireTask(k, id)).status).toBe("blocked");
    expect((await unblockTask(k, id)).spawn_failures).toBe(0);
    expect((await fail(k, id, await start(k, id), "crashed"))?.result).toBe("retry");
  });

  it("not when a spawn succeeds", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    await fail(k, id, await start(k, id), "crashed");
    await start(k, id, 6000);
    expect((await requireTask(k, id)).spawn_failures).toBe(1);
  });
});

describe("recordFailure for a run that is no longer current", () => {
  it("is ignored and changes nothing", async () => {
    const { k, clock } = await freshBoard();
    const id = await newTask(k);
    const old = await start(k, id);
    await k.write((k) => k.db.run("UPDATE tasks SET claim_expires = ? WHERE id = ?", [clock.now() - 1, id]));
    await releaseStaleClaims(k);
    const current = await start(k, id);
    expect(await fail(k, id, old, "crashed")).toBeNull();
    expect(await requireTask(k, id)).toMatchObject({ status: "running", current_run_id: current, spawn_failures: 0 });
    expect((await getRun(k, old))?.outcome).toBe("reclaimed");
  });

  it("is ignored when the task is not running", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    const runId = await start(k, id);
    await blockTask(k, id, { reason: "paused" });
    expect(await fail(k, id, runId, "crashed")).toBeNull();
    expect(await requireTask(k, id)).toMatchObject({ status: "blocked", spawn_failures: 0 });
  });
});

describe("recordWorkerExit", () => {
  it("classifies a clean exit (code 0) without completing as a protocol violation", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    const runId = await start(k, id);
    expect((await recordWorkerExit(k, id, runId, { pid: 5000, code: 0, signal: null }))?.result).toBe("retry");
    expect((await getRun(k, runId))?.outcome).toBe("protocol_violation");
    expect((await listEvents(k, id)).at(-1)).toMatchObject({
      kind: "protocol_violation",
      payload: { pid: 5000, exit_code: 0, signal: null, failures: 1 },
    });
  });

  it("classifies a non-zero exit code as a crash", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    const runId = await start(k, id);
    await recordWorkerExit(k, id, runId, { pid: 5000, code: 2, signal: null });
    expect((await getRun(k, runId))?.outcome).toBe("crashed");
    expect((await listEvents(k, id)).at(-1)).toMatchObject({ kind: "crashed", payload: { pid: 5000, exit_code: 2 } });
  });

  it("classifies death by a signal as a crash", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    const runId = await start(k, id);
    await recordWorkerExit(k, id, runId, { pid: 5000, code: null, signal: "SIGSEGV" });
    expect(await getRun(k, runId)).toMatchObject({
      outcome: "crashed",
      error: "worker pid 5000 died (signal SIGSEGV)",
    });
  });

  it("ignores the exit of a worker whose task already completed", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    const runId = await start(k, id);
    await completeTask(k, id, { result: "ok", runId });
    expect(await recordWorkerExit(k, id, runId, { pid: 5000, code: 0, signal: null })).toBeNull();
    expect((await requireTask(k, id)).status).toBe("done");
    expect((await getRun(k, runId))?.outcome).toBe("completed");
  });
});

describe("detectCrashedWorkers", () => {
  it("fails the run of a local worker whose pid is dead as crashed", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    const runId = await start(k, id, 777);
    const outcomes = await detectCrashedWorkers(k, () => false);
    expect(outcomes).toEqual([{ task_id: id, failures: 1, result: "retry" }]);
    expect(await getRun(k, runId)).toMatchObject({ outcome: "crashed", error: "pid 777 not alive" });
    expect((await listEvents(k, id)).at(-1)).toMatchObject({
      kind: "crashed",
      payload: { pid: 777, claimer: "testhost:4242", failures: 1 },
    });
  });

  it("leaves a local worker whose pid is alive alone", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    await start(k, id, 777);
    const asked: number[] = [];
    expect(
      await detectCrashedWorkers(k, (pid) => {
        asked.push(pid);
        return true;
      }),
    ).toEqual([]);
    expect(asked).toEqual([777]);
    expect((await requireTask(k, id)).status).toBe("running");
  });

  it("only considers locks taken on this host", async () => {
    const { k } = await freshBoard();
    const remote = await newTask(k);
    await start(k, remote, 777, "otherhost:1");
    const prefixed = await newTask(k);
    await start(k, prefixed, 778, "testhost2:1");
    const asked: number[] = [];
    expect(
      await detectCrashedWorkers(k, (pid) => {
        asked.push(pid);
        return false;
      }),
    ).toEqual([]);
    expect(asked).toEqual([]);
    expect((await requireTask(k, remote)).status).toBe("running");
    expect((await requireTask(k, prefixed)).status).toBe("running");
  });

  it("ignores running tasks that have no worker pid yet", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    await claimTask(k, id);
    expect(await detectCrashedWorkers(k, () => false)).toEqual([]);
    expect((await requireTask(k, id)).status).toBe("running");
  });
});

describe("overdueWorkers", () => {
  it("measures max runtime from the current run's start, not the first claim", async () => {
    const { k, clock } = await freshBoard();
    const id = await newTask(k, { max_runtime_seconds: 600 });
    await start(k, id);
    clock.advance(500);
    await k.write((k) => k.db.run("UPDATE tasks SET claim_expires = ? WHERE id = ?", [clock.now() - 1, id]));
    await releaseStaleClaims(k);
    clock.advance(10);
    const runId = await start(k, id);
    clock.advance(300);
    // 810 s since the first claim, 300 s into this run.
    expect((await requireTask(k, id)).started_at).toBe(clock.now() - 810);
    expect(await overdueWorkers(k)).toEqual([]);
    clock.advance(300);
    expect(await overdueWorkers(k)).toEqual([
      { task_id: id, run_id: runId, pid: 5000, lock: "testhost:4242", elapsed_seconds: 600, limit_seconds: 600 },
    ]);
  });

  it("ignores tasks without a cap, without a pid, or claimed on another host", async () => {
    const { k, clock } = await freshBoard();
    await start(k, await newTask(k));
    await claimTask(k, await newTask(k, { max_runtime_seconds: 10 }));
    await start(k, await newTask(k, { max_runtime_seconds: 10 }), 5001, "otherhost:1");
    clock.advance(10_000);
    expect(await overdueWorkers(k)).toEqual([]);
  });

  it("records a timeout with the elapsed time and whether SIGKILL was needed", async () => {
    const { k, clock } = await freshBoard();
    const id = await newTask(k, { max_runtime_seconds: 60 });
    const runId = await start(k, id);
    clock.advance(90);
    const [w] = await overdueWorkers(k);
    expect(w).toBeDefined();
    if (!w) return;
    expect(await recordTimeout(k, w, true)).toEqual({ task_id: id, failures: 1, result: "retry" });
    expect(await getRun(k, runId)).toMatchObject({ outcome: "timed_out", error: "elapsed 90s > limit 60s" });
    expect((await listEvents(k, id)).at(-1)).toMatchObject({
      kind: "timed_out",
      payload: { pid: 5000, elapsed_seconds: 90, limit_seconds: 60, sigkill: true, failures: 1 },
    });
    expect(await listRuns(k, id)).toHaveLength(1);
  });
});

describe("a task's max_retries", () => {
  it("overrides the failure limit: max_retries 1 gives up after the first crash", async () => {
    const { k } = await freshBoard();
    const id = (await createTask(k, { title: "one shot", assignee: "alice", max_retries: 1 })).task.id;
    expect((await requireTask(k, id)).max_retries).toBe(1);
    const outcome = await recordWorkerExit(k, id, await start(k, id), { pid: 5000, code: 3, signal: null });
    expect(outcome).toEqual({ task_id: id, failures: 1, result: "gave_up" });
    expect(await requireTask(k, id)).toMatchObject({ status: "blocked", spawn_failures: 1 });
    expect((await listEvents(k, id)).at(-1)).toMatchObject({
      kind: "gave_up",
      payload: { failures: 1, cause: "crashed" },
    });
  });

  it("can allow more failures than dispatch.failure_limit", async () => {
    const { k } = await freshBoard();
    const id = (await createTask(k, { title: "patient", assignee: "alice", max_retries: 5 })).task.id;
    for (let n = 1; n <= 4; n++) {
      expect(await fail(k, id, await start(k, id), "crashed")).toMatchObject({ failures: n, result: "retry" });
    }
    expect(await fail(k, id, await start(k, id), "crashed")).toMatchObject({ failures: 5, result: "gave_up" });
  });

  it("is set and cleared on an existing task with max_retries_set, through the command and PATCH", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    expect((await setMaxRetries(k, id, 2)).max_retries).toBe(2);
    expect((await patchTask(k, id, { max_retries: null })).task.max_retries).toBeNull();
    expect((await patchTask(k, id, { max_retries: 7 })).task.max_retries).toBe(7);
    expect((await listEvents(k, id)).filter((e) => e.kind === "max_retries_set").map((e) => e.payload)).toEqual([
      { max_retries: 2 },
      { max_retries: null },
      { max_retries: 7 },
    ]);
    // Cleared, the board's limit applies again.
    await setMaxRetries(k, id, null);
    for (let n = 1; n < DEFAULT_FAILURE_LIMIT; n++) await fail(k, id, await start(k, id), "crashed");
    expect(await fail(k, id, await start(k, id), "crashed")).toMatchObject({ result: "gave_up" });
  });

  it("refuses 0, fractions and more than 100, storing nothing", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k);
    for (const bad of [0, -1, 1.5, 101]) {
      expect((await refusal(() => setMaxRetries(k, id, bad))).code).toBe("invalid_input");
      expect((await refusal(() => createTask(k, { title: "x", max_retries: bad }))).code).toBe("invalid_input");
    }
    expect((await refusal(() => setMaxRetries(k, id, 0))).message).toBe("max_retries must be 1 or more");
    expect((await requireTask(k, id)).max_retries).toBeNull();
    expect((await listTasks(k)).map((t) => t.id)).toEqual([id]);
  });
});
