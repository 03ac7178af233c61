import { writeFileSync } from "node:fs";
import { BoardResponse, PausedProfilesResponse, TaskDetail, TaskResponse } from "@switchyard/contract";
import {
  boardPaths,
  claimTask,
  createTask,
  type Kernel,
  listEvents,
  listRuns,
  openKernel,
  recordWorkerExit,
  requireTask,
  setWorkerPid,
} from "@switchyard/core";
import { configPath, createDispatchService, loadConfig, systemProcesses } from "@switchyard/runtime";
import { afterEach, describe, expect, it } from "vitest";
import { startDispatchLoop } from "../src/dispatch-loop.ts";
import { createEventHub } from "../src/event-hub.ts";
import { harness, ok, refused, tempDir, tempHome, waitFor } from "./helpers.ts";

/** The failure policy over REST (decision 013): a task's max_retries, and pausing and resuming a profile. */

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Three tasks of `profile` whose workers die the same way: the profile is paused on the board. */
async function pauseProfile(k: Kernel, profile: string): Promise<string[]> {
  const ids: string[] = [];
  for (const title of ["one", "two", "three"]) {
    const id = (await createTask(k, { title, assignee: profile })).task.id;
    const runId = (await claimTask(k, id))?.current_run_id as number;
    await setWorkerPid(k, id, runId, 5000);
    await recordWorkerExit(k, id, runId, { pid: 5000, code: 1, signal: null, lastLine: "fatal: invalid API key" });
    ids.push(id);
  }
  return ids;
}

describe("max_retries over REST", () => {
  it("is accepted and stored by POST /tasks and PATCH /tasks/:id (null goes back to the board's limit), and shown in the task detail", async () => {
    const h = harness();
    const created = (await (
      await h.request("POST", "/tasks", { json: { title: "careful", max_retries: 2 } })
    ).json()) as {
      task: { id: string; max_retries: number | null };
    };
    expect(created.task.max_retries).toBe(2);
    const id = created.task.id;
    const patched = TaskResponse.parse(
      await (await h.request("PATCH", `/tasks/${id}`, { json: { max_retries: 5 } })).json(),
    );
    expect(patched.task.max_retries).toBe(5);
    const detail = TaskDetail.parse(await (await h.request("GET", `/tasks/${id}`)).json());
    expect(detail.task).toMatchObject({ max_retries: 5, retry_after: null });
    expect(detail.events.at(-1)).toMatchObject({ kind: "max_retries_set", payload: { max_retries: 5 } });
    const cleared = TaskResponse.parse(
      await (await h.request("PATCH", `/tasks/${id}`, { json: { max_retries: null } })).json(),
    );
    expect(cleared.task.max_retries).toBeNull();
  });

  it("refuses 0, fractions, strings and more than 100 with 400, and stores nothing", async () => {
    const h = harness();
    const k = await h.k;
    const id = (await createTask(k, { title: "x", max_retries: 3 })).task.id;
    for (const bad of [0, -2, 2.5, "3", 101]) {
      const body = await refused(
        h.request("PATCH", `/tasks/${id}`, { json: { max_retries: bad } }),
        400,
        "invalid_input",
      );
      expect(body.detail).toMatch(/max_retries/);
      await refused(h.request("POST", "/tasks", { json: { title: "y", max_retries: bad } }), 400, "invalid_input");
    }
    expect((await requireTask(k, id)).max_retries).toBe(3);
    expect((await listEvents(k, id)).map((e) => e.kind)).toEqual(["created"]);
  });
});

describe("paused profiles over REST", () => {
  it("are listed by GET /board and GET /profiles/paused, and POST /profiles/:name/resume resumes one once", async () => {
    const h = harness();
    const k = await h.k;
    const ids = await pauseProfile(k, "alice");
    const fingerprint = "exit 1: fatal: invalid api key";

    const board = BoardResponse.parse(await (await h.request("GET", "/board")).json());
    expect(board.paused_profiles).toEqual([
      { profile: "alice", fingerprint, failures: 3, task_id: ids[2], paused_at: h.clock.now() },
    ]);
    const listed = PausedProfilesResponse.parse(await ok(h.api.profiles.paused.$get({ query: {} })));
    expect(listed.paused.map((p) => p.profile)).toEqual(["alice"]);

    const resumed = await ok(h.api.profiles[":name"].resume.$post({ param: { name: "alice" }, query: {} }));
    expect(resumed).toEqual({ ok: true, profile: "alice", fingerprint });
    expect((await listEvents(k, ids[2] as string)).at(-1)).toMatchObject({
      kind: "profile_resumed",
      payload: { profile: "alice", fingerprint, by: "dashboard" },
    });
    const after = BoardResponse.parse(await (await h.request("GET", "/board")).json());
    expect(after.paused_profiles).toEqual([]);

    const again = await refused(h.request("POST", "/profiles/alice/resume"), 404, "not_found");
    expect(again.detail).toBe("profile 'alice' is not paused on this board");
    await refused(h.request("POST", "/profiles/alice/resume?board=nope"), 404, "board_not_found");
  });
});

describe("the dispatch loop and a rate-limited worker", () => {
  it("ticks the board when the backoff ends, with no event and a 600 s interval, and the task runs again", async () => {
    const home = tempHome();
    const flag = `${tempDir()}/limited-once`;
    writeFileSync(
      configPath(home),
      JSON.stringify({
        dispatch: { stop_grace_seconds: 1, rate_limit_backoff_seconds: 1, interval_seconds: 600 },
        profiles: {
          limited: {
            command: ["/bin/sh", "-c", `if [ -e "${flag}" ]; then exec sleep 60; fi; : > "${flag}"; exit 75`],
          },
        },
      }),
    );
    const k = await openKernel(boardPaths(home, "default"));
    const hub = createEventHub({ open: (slug) => openKernel(boardPaths(home, slug), { pollMs: 20 }) });
    let wakeLoop: (board: string) => void = () => {};
    const service = createDispatchService({
      home,
      config: loadConfig(home),
      watchWorkers: true,
      onWorkerExit: (board) => wakeLoop(board),
    });
    const loop = startDispatchLoop({ service, hub, intervalSeconds: 600 });
    wakeLoop = (board) => loop.wake(board);
    cleanups.push(async () => {
      await loop.stop();
      for (const pid of service.liveWorkers()) systemProcesses.kill(-pid, "SIGKILL");
      await waitFor("the workers to exit", () => service.liveWorkers().length === 0);
      await service.settle();
      await hub.close();
      await k.close();
    });

    const id = (await createTask(k, { title: "call the model", assignee: "limited" })).task.id;
    await waitFor("the rate limit", async () => (await requireTask(k, id)).retry_after !== null);
    const second = await waitFor("the worker after the backoff", async () => {
      const runs = await listRuns(k, id);
      return runs.length === 2 && runs[1]?.worker_pid ? runs : undefined;
    });
    expect(second.map((r) => r.outcome)).toEqual(["rate_limited", null]);
    expect(second[1]?.started_at).toBeGreaterThanOrEqual(second[0]?.ended_at as number);
    expect(await requireTask(k, id)).toMatchObject({ status: "running", spawn_failures: 0 });
  });
});
