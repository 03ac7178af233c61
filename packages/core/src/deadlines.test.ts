import { describe, expect, it } from "vitest";
import { freshBoard } from "../test/fixtures.ts";
import { claimTask, setWorkerPid } from "./claims.ts";
import { nextDeadline, workerDeadlines } from "./deadlines.ts";
import { recordFailure } from "./failures.ts";
import type { Kernel } from "./kernel.ts";
import { createTask, type NewTask } from "./tasks.ts";

/** A task claimed (by this host unless `claimer` says otherwise) with a worker pid when `pid` is given. */
async function running(k: Kernel, extra: Partial<NewTask>, worker: { pid?: number; claimer?: string } = {}) {
  const task = (await createTask(k, { title: "work", assignee: "alice", ...extra })).task;
  const runId = (await claimTask(k, task.id, { claimer: worker.claimer }))?.current_run_id as number;
  if (worker.pid !== undefined) await setWorkerPid(k, task.id, runId, worker.pid);
  return { id: task.id, runId };
}

describe("worker deadlines", () => {
  it("are none on a board without a running worker that has a max runtime", async () => {
    const { k } = await freshBoard();
    await createTask(k, { title: "ready", assignee: "alice", max_runtime_seconds: 5 });
    await running(k, {}, { pid: 100 });
    expect(await workerDeadlines(k)).toEqual([]);
    expect(await nextDeadline(k)).toBeNull();
  });

  it("are each local worker's run start plus its max runtime, earliest first", async () => {
    const { k, clock } = await freshBoard();
    const start = clock.now();
    const long = await running(k, { max_runtime_seconds: 60 }, { pid: 100 });
    clock.advance(10);
    const short = await running(k, { max_runtime_seconds: 20 }, { pid: 101 });
    // Not timed by this host: no worker pid yet, or a worker of another host.
    await running(k, { max_runtime_seconds: 1 });
    await running(k, { max_runtime_seconds: 1 }, { pid: 102, claimer: "otherhost:7" });

    expect(await workerDeadlines(k)).toEqual([
      {
        task_id: short.id,
        run_id: short.runId,
        pid: 101,
        lock: expect.stringMatching(/:/),
        started_at: start + 10,
        limit_seconds: 20,
        deadline: start + 30,
      },
      {
        task_id: long.id,
        run_id: long.runId,
        pid: 100,
        lock: expect.stringMatching(/:/),
        started_at: start,
        limit_seconds: 60,
        deadline: start + 60,
      },
    ]);
    expect(await nextDeadline(k)).toBe(start + 30);
  });

  it("count from the current run's start: a retry's deadline is its own", async () => {
    const { k, clock } = await freshBoard();
    const first = await running(k, { max_runtime_seconds: 30 }, { pid: 100 });
    clock.advance(40);
    await recordFailure(k, first.id, { kind: "crashed", error: "pid 100 not alive", runId: first.runId });
    expect(await nextDeadline(k)).toBeNull();
    const runId = (await claimTask(k, first.id))?.current_run_id as number;
    await setWorkerPid(k, first.id, runId, 101);
    expect(await nextDeadline(k)).toBe(clock.now() + 30);
  });
});
