import { FleetFigures } from "@switchyard/contract";
import { claimTask, completeTask, createTask } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { harness, ok, refused } from "./helpers.ts";

const CONFIG = `
profiles:
  alice:
    command: ["true"]
    max_in_progress: 1
  bob:
    command: ["true"]
dispatch:
  max_in_progress: 3
`;

const T = 1_700_000_000;

/** alice ran one task 0–100 (done) and runs another since 100, with a third ready from 100; carol has one ready from 100. */
async function seeded() {
  const h = harness({ config: CONFIG });
  const k = await h.k;
  const done = (await createTask(k, { title: "done one", assignee: "alice" })).task.id;
  const running = (await createTask(k, { title: "running one", assignee: "alice" })).task.id;
  await claimTask(k, done);
  h.clock.advance(100);
  await completeTask(k, done, { summary: "ok" });
  await claimTask(k, running);
  await createTask(k, { title: "waiting", assignee: "alice" });
  await createTask(k, { title: "pulled by hand", assignee: "carol" });
  h.clock.advance(50);
  return { h, done, running };
}

describe("GET /fleet", () => {
  it("answers the board's fleet figures over the window, with caps and reasons from the config", async () => {
    const { h, done, running } = await seeded();
    const res = await h.request("GET", `/fleet?since=${T}`);
    expect(res.status).toBe(200);
    const f = FleetFigures.parse(await res.json());
    expect({ since: f.since, now: f.now }).toEqual({ since: T, now: T + 150 });
    expect(f.profiles.map((p) => [p.profile, p.running, p.cap, p.runs, p.done, p.duration_seconds.median])).toEqual([
      ["alice", 1, 1, 1, 1, 100],
      ["bob", 0, null, 0, 0, null],
      ["carol", 0, null, 0, 0, null],
    ]);
    expect(f.hosts.map((x) => [x.host, x.running, x.runs])).toEqual([["testhost", 1, 1]]);
    expect(f.runs.map((r) => [r.task_id, r.started_at, r.ended_at, r.outcome])).toEqual([
      [running, T + 100, null, null],
      [done, T, T + 100, "completed"],
    ]);
    expect(f.throughput).toMatchObject({ done: 1, cycle_time_seconds: { count: 1, median: 100, p90: 100 } });
    expect(f.queue).toEqual([
      {
        profile: "alice",
        ready: 1,
        rate_limited: 0,
        next_retry_at: null,
        oldest_age_seconds: 50,
        reason: "at_capacity",
      },
      {
        profile: "carol",
        ready: 1,
        rate_limited: 0,
        next_retry_at: null,
        oldest_age_seconds: 50,
        reason: "not_spawnable",
      },
    ]);
  });

  it("covers the last 24 hours without since, through the typed client too", async () => {
    const { h } = await seeded();
    const f = FleetFigures.parse(await ok(h.api.fleet.$get({ query: {} })));
    expect({ since: f.since, now: f.now }).toEqual({ since: T + 150 - 86_400, now: T + 150 });
    expect(f.throughput.done).toBe(1);
  });

  it("refuses a since that is not whole Unix seconds up to now with 400 {detail, code}", async () => {
    const { h } = await seeded();
    for (const since of ["soon", "-5", "1.5", ""]) {
      await refused(h.request("GET", `/fleet?since=${since}`), 400, "invalid_input");
    }
    const future = await refused(h.request("GET", `/fleet?since=${T + 151}`), 400, "invalid_input");
    expect(future.detail).toContain("since");
  });

  it("answers 404 for a board that does not exist", async () => {
    const h = harness();
    await refused(h.request("GET", "/fleet?board=nope"), 404, "board_not_found");
  });
});
