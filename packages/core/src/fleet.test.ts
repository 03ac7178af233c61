import type { FleetFailures, FleetFigures } from "@switchyard/contract";
import { FleetFigures as FleetFiguresSchema } from "@switchyard/contract";
import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { claimTask, setWorkerPid } from "./claims.ts";
import { completeTask } from "./completion.ts";
import { recordFailure, recordWorkerExit } from "./failures.ts";
import { FLEET_BUCKETS_MAX, fleetFigures, quantile, spread, withFleetConfig } from "./fleet.ts";
import { heartbeatHost } from "./hosts.ts";
import type { Kernel } from "./kernel.ts";
import { createTask } from "./tasks.ts";

/** The manual clock's start, and the window's. */
const B = 1_700_000_000;
const SINCE = B + 1000;
const NOW = B + 8000;
/** The hour buckets holding SINCE and NOW. */
const HOUR_OF_SINCE = 1_699_999_200;

async function task(k: Kernel, title: string, assignee: string | null, extra: { max_retries?: number } = {}) {
  return (await createTask(k, { title, assignee, ...extra })).task.id;
}

async function claim(k: Kernel, id: string): Promise<number> {
  const run = (await claimTask(k, id))?.current_run_id;
  if (typeof run !== "number") throw new Error(`could not claim ${id}`);
  await setWorkerPid(k, id, run, 5000);
  return run;
}

/** Counts and rates of every failure kind: `counts` over `runs` ended runs. */
function failures(runs: number, counts: Partial<Record<keyof FleetFailures, number>> = {}): FleetFailures {
  const kinds = [
    "spawn_failed",
    "crashed",
    "timed_out",
    "never_connected",
    "protocol_violation",
    "completion_refused",
  ] as const;
  return Object.fromEntries(
    kinds.map((kind) => [kind, { count: counts[kind] ?? 0, rate: runs === 0 ? null : (counts[kind] ?? 0) / runs }]),
  ) as FleetFailures;
}

/**
 * A board with known runs, all by the kernel's own commands on the manual clock (times from B):
 *
 * - Z (alice) ran 0–500 and completed: before the window.
 * - A (alice) ran 1000–1100, completed. B (alice) crashed 1100–1400, then ran on host h2
 *   4000–4600 and completed. E (alice) claimed at 2000, its completion refused by the card gate
 *   at 2100 (no run named on the event), still running.
 * - C (bob) exited 1500–1700 without its agent ever connecting, then timed out 6000–6900; ready.
 *   D (bob, max_retries 1) failed to spawn 1700–1710 and was given up.
 * - F (carol) created at 3000, G (unassigned) at 5000, both ready.
 * - P1, P2 (erin) crashed 5000–5050 and 5100–5300 the same way, which pauses erin; both ready.
 * - H (dave) ran 7900–7950 and was rate-limited until 8550.
 * - testhost renewed its lease at 7990 with a cap of 4.
 */
async function knownBoard() {
  const board = await freshBoard();
  const { k, clock } = board;
  const at = (t: number) => clock.set(B + t);
  at(0);
  const z = await task(k, "Z", "alice");
  const a = await task(k, "A", "alice");
  const b = await task(k, "B", "alice");
  const c = await task(k, "C", "bob");
  const d = await task(k, "D", "bob", { max_retries: 1 });
  const e = await task(k, "E", "alice");
  const h = await task(k, "H", "dave");
  const p1 = await task(k, "P1", "erin");
  const p2 = await task(k, "P2", "erin");

  await claim(k, z);
  at(500);
  await completeTask(k, z, { summary: "z" });

  at(1000);
  const runA = await claim(k, a);
  at(1100);
  await completeTask(k, a, { summary: "a" });
  const runB1 = await claim(k, b);
  at(1400);
  await recordFailure(k, b, { kind: "crashed", error: "died", runId: runB1 });

  at(1500);
  const runC1 = await claim(k, c);
  at(1700);
  await recordWorkerExit(k, c, runC1, { pid: 5000, code: 0, signal: null, agentExpected: true, logTail: [] });
  const runD = await claim(k, d);
  at(1710);
  await recordFailure(k, d, { kind: "spawn_failed", error: "no such binary", runId: runD });

  at(2000);
  const runE = await claim(k, e);
  at(2100);
  await refusal(() => completeTask(k, e, { summary: "e", created_cards: ["t_deadbeef"] }));

  at(3000);
  await task(k, "F", "carol");

  at(4000);
  const h2 = await board.reopen({ host: "h2", pid: 7 });
  const runB2 = (await claimTask(h2, b))?.current_run_id as number;
  at(4600);
  await completeTask(h2, b, { summary: "b" });

  at(5000);
  await task(k, "G", null);
  const runP1 = await claim(k, p1);
  at(5050);
  await recordFailure(k, p1, { kind: "crashed", error: "boom", runId: runP1, fingerprint: "exit 1: boom" }, 3, 2);
  at(5100);
  const runP2 = await claim(k, p2);
  at(5300);
  const paused = await recordFailure(
    k,
    p2,
    { kind: "crashed", error: "boom", runId: runP2, fingerprint: "exit 1: boom" },
    3,
    2,
  );
  expect(paused?.paused_profile).toBe("erin");

  at(6000);
  const runC2 = await claim(k, c);
  at(6900);
  await recordFailure(k, c, { kind: "timed_out", error: "too long", runId: runC2 });

  at(7900);
  const runH = await claim(k, h);
  at(7950);
  await recordWorkerExit(
    k,
    h,
    runH,
    { pid: 5000, code: 75, signal: null },
    { backoff: { baseSeconds: 600, maxSeconds: 600 } },
  );
  at(7990);
  await heartbeatHost(k, { role: "serve", profiles: [], maxInProgress: 4, leaseSeconds: 60, startedAt: B });
  at(8000);
  return { ...board, runs: { runA, runB1, runB2, runC1, runC2, runD, runE, runP1, runP2, runH } };
}

describe("fleetFigures on a board with known runs", () => {
  it("counts per profile what runs now, the runs that ended in the window, their durations and failures", async () => {
    const { k } = await knownBoard();
    const f = await fleetFigures(k, { since: SINCE });
    expect(FleetFiguresSchema.parse(f)).toEqual(f);
    expect(f.since).toBe(SINCE);
    expect(f.now).toBe(NOW);
    const empty = { count: 0, median: null, p90: null };
    expect(f.profiles).toEqual([
      {
        profile: "alice",
        paused: false,
        running: 1,
        cap: null,
        runs: 3,
        done: 2,
        duration_seconds: { count: 3, median: 300, p90: 540 },
        failures: failures(3, { crashed: 1, completion_refused: 1 }),
      },
      {
        profile: "bob",
        paused: false,
        running: 0,
        cap: null,
        runs: 3,
        done: 0,
        duration_seconds: { count: 3, median: 200, p90: 760 },
        failures: failures(3, { never_connected: 1, spawn_failed: 1, timed_out: 1 }),
      },
      {
        profile: "carol",
        paused: false,
        running: 0,
        cap: null,
        runs: 0,
        done: 0,
        duration_seconds: empty,
        failures: failures(0),
      },
      {
        profile: "dave",
        paused: false,
        running: 0,
        cap: null,
        runs: 1,
        done: 0,
        duration_seconds: { count: 1, median: 50, p90: 50 },
        failures: failures(1),
      },
      {
        profile: "erin",
        paused: true,
        running: 0,
        cap: null,
        runs: 2,
        done: 0,
        duration_seconds: { count: 2, median: 125, p90: 185 },
        failures: failures(2, { crashed: 2 }),
      },
    ]);
  });

  it("counts per host (the claim lock's host part), with its lease and its own cap", async () => {
    const { k } = await knownBoard();
    const f = await fleetFigures(k, { since: SINCE });
    expect(f.hosts).toEqual([
      {
        host: "h2",
        expired: null,
        running: 0,
        cap: null,
        runs: 1,
        done: 1,
        duration_seconds: { count: 1, median: 600, p90: 600 },
        failures: failures(1),
      },
      {
        host: "testhost",
        expired: false,
        running: 1,
        cap: 4,
        runs: 8,
        done: 1,
        // 10, 50, 50, 100, 200, 200, 300, 900
        duration_seconds: { count: 8, median: 150, p90: 480 },
        failures: failures(8, {
          crashed: 3,
          never_connected: 1,
          spawn_failed: 1,
          timed_out: 1,
          completion_refused: 1,
        }),
      },
    ]);
  });

  it("lists the runs that ran in the window, newest first, with a flag when the list is cut", async () => {
    const { k, runs } = await knownBoard();
    const f = await fleetFigures(k, { since: SINCE });
    expect(f.runs_truncated).toBe(false);
    expect(f.runs.map((r) => r.run_id)).toEqual([
      runs.runH,
      runs.runC2,
      runs.runP2,
      runs.runP1,
      runs.runB2,
      runs.runE,
      runs.runD,
      runs.runC1,
      runs.runB1,
      runs.runA,
    ]);
    const [h, , , , b2, e] = f.runs;
    expect(h).toMatchObject({
      title: "H",
      profile: "dave",
      host: "testhost",
      started_at: B + 7900,
      ended_at: B + 7950,
      outcome: "rate_limited",
    });
    expect(b2).toMatchObject({ title: "B", profile: "alice", host: "h2", started_at: B + 4000, ended_at: B + 4600 });
    expect(b2?.outcome).toBe("completed");
    expect(e).toMatchObject({ title: "E", started_at: B + 2000, ended_at: null, outcome: null });

    const cut = await fleetFigures(k, { since: SINCE, runLimit: 3 });
    expect(cut.runs_truncated).toBe(true);
    expect(cut.runs.map((r) => r.run_id)).toEqual([runs.runH, runs.runC2, runs.runP2]);
  });

  it("counts tasks done per hour and their cycle time from creation to completion", async () => {
    const { k } = await knownBoard();
    const f = await fleetFigures(k, { since: SINCE });
    expect(f.throughput).toEqual({
      bucket_seconds: 3600,
      buckets: [
        { start: HOUR_OF_SINCE, done: 1 },
        { start: HOUR_OF_SINCE + 3600, done: 1 },
        { start: HOUR_OF_SINCE + 7200, done: 0 },
      ],
      done: 2,
      // A: 0 -> 1100, B: 0 -> 4600
      cycle_time_seconds: { count: 2, median: 2850, p90: 4250 },
    });
  });

  it("lists ready tasks per assignee with the oldest's age and the reasons the kernel knows", async () => {
    const { k } = await knownBoard();
    const f = await fleetFigures(k, { since: SINCE });
    expect(f.queue).toEqual([
      { profile: "bob", ready: 1, rate_limited: 0, next_retry_at: null, oldest_age_seconds: 8000, reason: null },
      { profile: "carol", ready: 1, rate_limited: 0, next_retry_at: null, oldest_age_seconds: 5000, reason: null },
      {
        profile: "dave",
        ready: 1,
        rate_limited: 1,
        next_retry_at: B + 8550,
        oldest_age_seconds: 8000,
        reason: "rate_limited",
      },
      { profile: "erin", ready: 2, rate_limited: 0, next_retry_at: null, oldest_age_seconds: 8000, reason: "paused" },
      { profile: null, ready: 1, rate_limited: 0, next_retry_at: null, oldest_age_seconds: 3000, reason: "unassigned" },
    ]);
  });

  it("leaves out what ended before the window: a later since sees fewer runs and completions", async () => {
    const { k } = await knownBoard();
    const f = await fleetFigures(k, { since: B + 4600 });
    const alice = f.profiles.find((p) => p.profile === "alice");
    expect(alice).toMatchObject({ runs: 1, done: 1, duration_seconds: { count: 1, median: 600, p90: 600 } });
    expect(alice?.failures).toEqual(failures(1));
    expect(f.throughput.done).toBe(1);
    // E, still running, is on the timeline of any window.
    expect(f.runs.map((r) => r.title)).toEqual(["H", "C", "P2", "P1", "B", "E"]);
  });
});

describe("withFleetConfig", () => {
  it("lists every spawnable profile with its cap, and adds the reasons only the config knows", async () => {
    const { k } = await knownBoard();
    const f = await fleetFigures(k, { since: SINCE });
    const filled = withFleetConfig(f, {
      spawnable: ["alice", "bob", "erin", "zed"],
      profileCap: (p) => (p === "bob" ? 1 : undefined),
      maxInProgress: 10,
      running: { total: 3, byProfile: new Map([["bob", 1]]) },
    });
    expect(filled.profiles.map((p) => [p.profile, p.cap])).toEqual([
      ["alice", null],
      ["bob", 1],
      ["carol", null],
      ["dave", null],
      ["erin", null],
      ["zed", null],
    ]);
    expect(filled.profiles.at(-1)).toEqual({
      profile: "zed",
      paused: false,
      running: 0,
      cap: null,
      runs: 0,
      done: 0,
      duration_seconds: { count: 0, median: null, p90: null },
      failures: failures(0),
    });
    expect(filled.queue.map((q) => [q.profile, q.reason])).toEqual([
      ["bob", "at_capacity"],
      ["carol", "not_spawnable"],
      ["dave", "rate_limited"],
      ["erin", "paused"],
      [null, "unassigned"],
    ]);
  });

  it("counts the global cap against the board's own running tasks by default", async () => {
    const { k } = await knownBoard();
    const f = await fleetFigures(k, { since: SINCE });
    const open = withFleetConfig(f, { spawnable: ["bob"], profileCap: () => undefined, maxInProgress: 2 });
    expect(open.queue.find((q) => q.profile === "bob")?.reason).toBeNull();
    const full = withFleetConfig(f, { spawnable: ["bob"], profileCap: () => undefined, maxInProgress: 1 });
    expect(full.queue.find((q) => q.profile === "bob")?.reason).toBe("at_capacity");
  });
});

describe("fleetFigures on an empty board", () => {
  it("has no profiles, hosts, runs or queue, and empty buckets over the window", async () => {
    const { k } = await freshBoard();
    const f: FleetFigures = await fleetFigures(k, { since: B - 3600 });
    expect(f).toEqual({
      since: B - 3600,
      now: B,
      profiles: [],
      hosts: [],
      runs: [],
      runs_truncated: false,
      throughput: {
        bucket_seconds: 3600,
        buckets: [
          { start: HOUR_OF_SINCE - 3600, done: 0 },
          { start: HOUR_OF_SINCE, done: 0 },
        ],
        done: 0,
        cycle_time_seconds: { count: 0, median: null, p90: null },
      },
      queue: [],
    });
  });

  it("covers the last 24 hours when no since is given", async () => {
    const { k } = await freshBoard();
    const f = await fleetFigures(k);
    expect({ since: f.since, now: f.now }).toEqual({ since: B - 86_400, now: B });
    expect(f.throughput.buckets).toHaveLength(25);
  });

  it("widens the buckets of a long window so there are never more than the limit", async () => {
    const { k } = await freshBoard();
    const f = await fleetFigures(k, { since: 0 });
    expect(f.throughput.bucket_seconds % 3600).toBe(0);
    expect(f.throughput.bucket_seconds).toBeGreaterThan(3600);
    expect(f.throughput.buckets.length).toBeLessThanOrEqual(FLEET_BUCKETS_MAX);
    expect(f.throughput.buckets[0]?.start).toBe(0);
  });

  it("refuses a window that starts after now or before 0", async () => {
    const { k } = await freshBoard();
    expect((await refusal(() => fleetFigures(k, { since: B + 1 }))).code).toBe("invalid_input");
    expect((await refusal(() => fleetFigures(k, { since: -1 }))).code).toBe("invalid_input");
  });
});

describe("quantile and spread", () => {
  it("interpolate linearly between ranks, and have nothing to say of no values", () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([7], 0.9)).toBe(7);
    expect(spread([4, 1, 3, 2])).toEqual({ count: 4, median: 2.5, p90: 3.7 });
    expect(spread([])).toEqual({ count: 0, median: null, p90: null });
  });
});
