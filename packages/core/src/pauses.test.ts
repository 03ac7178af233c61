import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { claimTask, setWorkerPid } from "./claims.ts";
import { dispatchOnce } from "./dispatcher.ts";
import { listEvents } from "./events.ts";
import { recordWorkerExit } from "./failures.ts";
import type { Kernel } from "./kernel.ts";
import {
  exitFingerprint,
  normalizeLogLine,
  PAUSE_WINDOW_SECONDS,
  pausedProfiles,
  resumeProfile,
  spawnFingerprint,
} from "./pauses.ts";
import { createTask, requireTask } from "./tasks.ts";

async function newTask(k: Kernel, title: string, assignee = "alice") {
  return (await createTask(k, { title, assignee })).task.id;
}

/** Claims the task, records a worker pid and lets the worker exit with `code` and `lastLine`. */
async function crash(k: Kernel, id: string, lastLine: string, code = 1, pauseAfter?: number) {
  const claimed = await claimTask(k, id);
  const runId = claimed?.current_run_id as number;
  await setWorkerPid(k, id, runId, 5000);
  return recordWorkerExit(k, id, runId, { pid: 5000, code, signal: null, lastLine }, { pauseAfter });
}

/** A tick whose spawn records the task and returns a pid, or throws `spawnError`. */
async function tick(k: Kernel, started: string[], spawnError?: string) {
  return dispatchOnce(k, {
    spawn: (req) => {
      if (spawnError) throw new Error(spawnError);
      started.push(req.task.id);
      return 7000 + started.length;
    },
    isSpawnable: () => true,
    proc: { isAlive: () => false, groupAlive: () => false, startedAt: () => null },
    stop: async () => ({ stopped: true, sigkill: false }),
  });
}

const KEY_ERROR = (n: number) =>
  `2026-05-0${n}T12:0${n}:33.512Z ERROR [pid ${4000 + n}] invalid API key sk-${n}f3a9c2e81 (see /home/u/.agent/run-${n}/log.txt)`;

describe("an error fingerprint", () => {
  it("drops timestamps, numbers, hex ids, paths and URLs, and lowercases and trims the line", () => {
    expect(normalizeLogLine(KEY_ERROR(1))).toBe(normalizeLogLine(KEY_ERROR(2)));
    expect(normalizeLogLine(KEY_ERROR(1))).toBe("error [pid #] invalid api key sk-# (see <path>)");
    expect(normalizeLogLine("  Task t_1a2b3c4d failed at https://api.example.com/v1/x?id=9  ")).toBe(
      "task t_# failed at <url>",
    );
    expect(normalizeLogLine("uuid 550e8400-e29b-41d4-a716-446655440000 and 0xDEADBEEF")).toBe("uuid # and #");
    expect(normalizeLogLine("429 rate_limit_error (request_id: req_011CQ8xYzAbCdEf)")).toBe(
      "# rate_limit_error (request_id: #)",
    );
    // Words made of hex letters are words, not ids.
    expect(normalizeLogLine("Decade of facade")).toBe("decade of facade");
  });

  it("is the exit code (or signal) plus the normalised last line; different errors differ", () => {
    expect(exitFingerprint({ code: 1, signal: null, lastLine: KEY_ERROR(3) })).toBe(
      "exit 1: error [pid #] invalid api key sk-# (see <path>)",
    );
    expect(exitFingerprint({ code: null, signal: "SIGKILL", lastLine: "" })).toBe("signal sigkill: (no output)");
    expect(exitFingerprint({ code: 2, signal: null, lastLine: KEY_ERROR(3) })).not.toBe(
      exitFingerprint({ code: 1, signal: null, lastLine: KEY_ERROR(3) }),
    );
    expect(exitFingerprint({ code: 1, signal: null, lastLine: "quota exceeded" })).not.toBe(
      exitFingerprint({ code: 1, signal: null, lastLine: "disk full" }),
    );
    expect(spawnFingerprint("`claude-x` was not found on PATH (/usr/bin:/bin)")).toBe(
      "spawn: `claude-x` was not found on path (<path>)",
    );
  });
});

describe("a profile whose runs keep failing the same way", () => {
  it("is paused after 3 identical failures of different tasks: profile_paused names it and the fingerprint, and its tasks wait", async () => {
    const { k } = await freshBoard();
    const ids = [await newTask(k, "one"), await newTask(k, "two"), await newTask(k, "three")];
    for (const [i, id] of ids.entries()) {
      const outcome = await crash(k, id, KEY_ERROR(i + 1));
      if (i < 2) expect(outcome).not.toHaveProperty("paused_profile");
      else expect(outcome).toMatchObject({ paused_profile: "alice", result: "retry" });
    }
    const fingerprint = "exit 1: error [pid #] invalid api key sk-# (see <path>)";
    expect(await pausedProfiles(k)).toEqual([
      { profile: "alice", fingerprint, failures: 3, task_id: ids[2], paused_at: expect.any(Number) },
    ]);
    expect((await listEvents(k, ids[2] as string)).at(-1)).toMatchObject({
      kind: "profile_paused",
      payload: { profile: "alice", fingerprint, failures: 3, window_seconds: PAUSE_WINDOW_SECONDS, tasks: ids },
    });
    // The tasks keep their own budgets: one failure each, back in ready.
    for (const id of ids) expect(await requireTask(k, id)).toMatchObject({ status: "ready", spawn_failures: 1 });

    const fourth = await newTask(k, "four");
    const other = await newTask(k, "someone else's", "bob");
    const started: string[] = [];
    const result = await tick(k, started);
    expect(started).toEqual([other]);
    expect(result.skipped_paused).toEqual([...ids, fourth]);
  });

  it("spawns again once resumed, and only failures after the resume count towards the next pause", async () => {
    const { k, clock } = await freshBoard();
    const ids = [await newTask(k, "one"), await newTask(k, "two"), await newTask(k, "three")];
    for (const id of ids) await crash(k, id, "fatal: bad credentials");
    clock.advance(5);
    const pause = await resumeProfile(k, "Alice", "ops");
    expect(pause).toMatchObject({ profile: "alice", fingerprint: "exit 1: fatal: bad credentials" });
    expect(await pausedProfiles(k)).toEqual([]);
    expect((await listEvents(k, ids[2] as string)).at(-1)).toMatchObject({
      kind: "profile_resumed",
      payload: { profile: "alice", fingerprint: "exit 1: fatal: bad credentials", by: "ops" },
    });

    clock.advance(1);
    const started: string[] = [];
    const result = await tick(k, started);
    expect(started).toEqual(ids);
    expect(result.skipped_paused).toEqual([]);
    // One more identical failure does not pause it again: the three before the resume are forgiven.
    await recordWorkerExit(k, ids[0] as string, (await requireTask(k, ids[0] as string)).current_run_id as number, {
      pid: 7001,
      code: 1,
      signal: null,
      lastLine: "fatal: bad credentials",
    });
    expect(await pausedProfiles(k)).toEqual([]);
  });

  it("follows dispatch.pause_after_failures: 2 pauses on the second alike failure, 0 never pauses", async () => {
    const { k } = await freshBoard();
    const early = [await newTask(k, "one"), await newTask(k, "two")];
    expect(await crash(k, early[0] as string, KEY_ERROR(1), 1, 2)).not.toHaveProperty("paused_profile");
    expect(await crash(k, early[1] as string, KEY_ERROR(2), 1, 2)).toMatchObject({ paused_profile: "alice" });

    const { k: other } = await freshBoard();
    const ids = [
      await newTask(other, "a"),
      await newTask(other, "b"),
      await newTask(other, "c"),
      await newTask(other, "d"),
    ];
    for (const [i, id] of ids.entries()) {
      expect(await crash(other, id, KEY_ERROR(i + 1), 1, 0)).not.toHaveProperty("paused_profile");
    }
    expect(await pausedProfiles(other)).toEqual([]);
  });

  it("is not paused by one task failing three times alike (its own failure limit handles it)", async () => {
    const { k } = await freshBoard();
    const id = await newTask(k, "cursed");
    for (let i = 0; i < 3; i++) await crash(k, id, "segfault in parser");
    expect(await requireTask(k, id)).toMatchObject({ status: "blocked", spawn_failures: 3 });
    expect(await pausedProfiles(k)).toEqual([]);
  });

  it("is not paused by different errors, nor by identical ones spread over more than 10 minutes", async () => {
    const { k, clock } = await freshBoard();
    await crash(k, await newTask(k, "a"), "quota exceeded");
    await crash(k, await newTask(k, "b"), "disk full");
    await crash(k, await newTask(k, "c"), "quota exceeded");
    expect(await pausedProfiles(k)).toEqual([]);
    clock.advance(PAUSE_WINDOW_SECONDS + 1);
    await crash(k, await newTask(k, "d"), "quota exceeded");
    expect(await pausedProfiles(k)).toEqual([]);
  });

  it("is paused by identical spawn failures within one tick, and the rest of its tasks are not tried", async () => {
    const { k } = await freshBoard();
    const ids = [];
    for (const title of ["a", "b", "c", "d", "e"]) ids.push(await newTask(k, title));
    const result = await tick(k, [], "`agent-x` was not found on PATH (/usr/local/bin:/usr/bin)");
    expect(result.spawn_failed).toEqual(ids.slice(0, 3));
    expect(result.skipped_paused).toEqual(ids.slice(3));
    expect((await pausedProfiles(k)).map((p) => [p.profile, p.fingerprint])).toEqual([
      ["alice", "spawn: `agent-x` was not found on path (<path>)"],
    ]);
  });

  it("cannot be resumed when it is not paused", async () => {
    const { k } = await freshBoard();
    const err = await refusal(() => resumeProfile(k, "alice"));
    expect(err.code).toBe("not_found");
    expect(err.message).toBe("profile 'alice' is not paused on this board");
    expect((await refusal(() => resumeProfile(k, "  "))).code).toBe("invalid_input");
  });
});
