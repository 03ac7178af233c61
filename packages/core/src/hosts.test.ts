import { describe, expect, it } from "vitest";
import { fakeProcesses } from "../test/fake-processes.ts";
import { freshBoard } from "../test/fixtures.ts";
import { type ClaimCaps, claimTask, releaseStaleClaims, setWorkerPid } from "./claims.ts";
import type { StopResult } from "./dispatcher.ts";
import { dispatchOnce } from "./dispatcher.ts";
import { listEvents } from "./events.ts";
import { recordWorkerExit } from "./failures.ts";
import { type HostBeat, heartbeatHost, leaveHost, listHosts, recordWorkerStopped } from "./hosts.ts";
import type { Kernel } from "./kernel.ts";
import { reclaimTask } from "./recovery.ts";
import { getRun } from "./runs.ts";
import { createTask, requireTask } from "./tasks.ts";

const beat = (over: Partial<HostBeat> = {}): HostBeat => ({
  role: "runner",
  profiles: ["coder"],
  maxInProgress: null,
  leaseSeconds: 30,
  startedAt: 1_700_000_000,
  ...over,
});

async function ready(k: Kernel, title: string, assignee = "coder") {
  return (await createTask(k, { title, assignee })).task;
}

describe("hosts: heartbeat rows and leases (SPEC §13)", () => {
  it("records each host's profiles, cap and lease, renews it, and counts the tasks its claims hold", async () => {
    const { k, clock, reopen } = await freshBoard({ host: "alpha", pid: 11 });
    const beta = await reopen({ host: "beta", pid: 22 });
    await heartbeatHost(k, beat({ profiles: ["writer", "coder"], maxInProgress: 2 }));
    await heartbeatHost(beta, beat({ role: "serve", profiles: [] }));
    const t = await ready(k, "one");
    await claimTask(k, t.id);

    clock.advance(10);
    await heartbeatHost(k, beat({ profiles: ["writer", "coder"], maxInProgress: 2 }));
    const hosts = await listHosts(k);
    expect(hosts).toEqual([
      {
        id: "alpha",
        role: "runner",
        pid: 11,
        profiles: ["coder", "writer"],
        max_in_progress: 2,
        started_at: 1_700_000_000,
        seen_at: 1_700_000_010,
        expires_at: 1_700_000_040,
        running: 1,
        expired: false,
      },
      {
        id: "beta",
        role: "serve",
        pid: 22,
        profiles: [],
        max_in_progress: null,
        started_at: 1_700_000_000,
        seen_at: 1_700_000_000,
        expires_at: 1_700_000_030,
        running: 0,
        expired: false,
      },
    ]);
    clock.advance(21);
    expect((await listHosts(k)).map((h) => [h.id, h.expired])).toEqual([
      ["alpha", false],
      ["beta", true],
    ]);
  });

  it("a host that leaves removes only its own process's row", async () => {
    const { k, reopen } = await freshBoard({ host: "alpha", pid: 11 });
    const newer = await reopen({ host: "alpha", pid: 12 });
    await heartbeatHost(k, beat());
    await heartbeatHost(newer, beat()); // the same host id, restarted: its row replaces the old one
    await leaveHost(k);
    expect((await listHosts(k)).map((h) => h.pid)).toEqual([12]);
    await leaveHost(newer);
    expect(await listHosts(k)).toEqual([]);
  });
});

describe("releaseStaleClaims: a host whose lease has passed", () => {
  it("releases every claim of the lost host at once, naming it, and leaves other hosts' claims alone", async () => {
    const { k, clock, reopen } = await freshBoard({ host: "alpha", pid: 11 });
    const beta = await reopen({ host: "beta", pid: 22 });
    const gamma = await reopen({ host: "gamma", pid: 33 });
    await heartbeatHost(k, beat({ leaseSeconds: 30 }));
    await heartbeatHost(beta, beat({ leaseSeconds: 300 }));
    const a = await ready(k, "on alpha");
    const b = await ready(k, "on beta");
    const c = await ready(k, "claimed by hand on gamma, which runs no dispatcher");
    await claimTask(k, a.id, { ttl: 900 });
    await claimTask(beta, b.id, { ttl: 900 });
    await claimTask(gamma, c.id, { ttl: 900 });

    clock.advance(29);
    expect(await releaseStaleClaims(beta)).toEqual([]);
    clock.advance(2); // alpha's lease has passed; every claim's own TTL has not
    const released = await releaseStaleClaims(beta);
    expect(released.map((w) => [w.task_id, w.lock])).toEqual([[a.id, "alpha:11"]]);
    expect((await requireTask(k, a.id)).status).toBe("ready");
    const runId = (await listEvents(k, a.id)).find((e) => e.kind === "claimed")?.run_id as number;
    expect((await getRun(k, runId))?.error).toBe("host_lease_expired host=alpha");
    expect((await listEvents(k, a.id)).at(-1)).toMatchObject({
      kind: "reclaimed",
      payload: { stale_lock: "alpha:11", host_lost: "alpha", status: "ready" },
    });
    expect((await requireTask(k, b.id)).status).toBe("running");
    expect((await requireTask(k, c.id)).status).toBe("running");
    // Another host takes the task.
    expect((await claimTask(beta, a.id))?.claim_lock).toBe("beta:22");
  });

  it("a host that renews its lease keeps its claims", async () => {
    const { k, clock } = await freshBoard({ host: "alpha", pid: 11 });
    await heartbeatHost(k, beat({ leaseSeconds: 30 }));
    const a = await ready(k, "kept");
    await claimTask(k, a.id, { ttl: 900 });
    for (let i = 0; i < 5; i++) {
      clock.advance(20);
      await heartbeatHost(k, beat({ leaseSeconds: 30 }));
      expect(await releaseStaleClaims(k)).toEqual([]);
    }
    expect((await requireTask(k, a.id)).claim_lock).toBe("alpha:11");
  });
});

describe("claimTask: caps counted inside the claim's transaction", () => {
  it("refuses a claim over the board's cap, whichever host holds the running tasks", async () => {
    const { k, reopen } = await freshBoard({ host: "alpha", pid: 11 });
    const beta = await reopen({ host: "beta", pid: 22 });
    const t1 = await ready(k, "one");
    const t2 = await ready(k, "two");
    expect(await claimTask(k, t1.id, { caps: { total: { max: 1 } } })).not.toBeNull();
    const refusedFor = { cap: null as keyof ClaimCaps | null };
    expect(await claimTask(beta, t2.id, { caps: { total: { max: 1 } }, refusedFor })).toBeNull();
    expect(refusedFor.cap).toBe("total");
    expect((await requireTask(k, t2.id)).status).toBe("ready");
    // `extra` counts workers the rows do not show.
    expect(await claimTask(beta, t2.id, { caps: { total: { max: 3, extra: 2 } }, refusedFor })).toBeNull();
    expect(await claimTask(beta, t2.id, { caps: { total: { max: 3, extra: 1 } }, refusedFor })).not.toBeNull();
    expect(refusedFor.cap).toBeNull();
  });

  it("counts a profile's cap across hosts and a host's cap over its own claims only", async () => {
    const { k, reopen } = await freshBoard({ host: "alpha", pid: 11 });
    const beta = await reopen({ host: "beta", pid: 22 });
    const w1 = await ready(k, "w1", "writer");
    const w2 = await ready(k, "w2", "writer");
    const c1 = await ready(k, "c1");
    const c2 = await ready(k, "c2");
    const c3 = await ready(k, "c3");
    expect(await claimTask(k, w1.id, { caps: { profile: { max: 1 } } })).not.toBeNull();
    const refusedFor = { cap: null as keyof ClaimCaps | null };
    expect(await claimTask(beta, w2.id, { caps: { profile: { max: 1 } }, refusedFor })).toBeNull();
    expect(refusedFor.cap).toBe("profile");
    expect(await claimTask(beta, c1.id, { caps: { profile: { max: 1 } } })).not.toBeNull();

    // alpha holds w1: its host cap of 1 is full; beta holds c1, and its cap of 2 has room.
    expect(await claimTask(k, c2.id, { caps: { host: { max: 1 } }, refusedFor })).toBeNull();
    expect(refusedFor.cap).toBe("host");
    expect(await claimTask(beta, c2.id, { caps: { host: { max: 2 } } })).not.toBeNull();
    expect(await claimTask(beta, c3.id, { caps: { host: { max: 2 } }, refusedFor })).toBeNull();
    expect(refusedFor.cap).toBe("host");
  });
});

describe("a worker stopped on its own host after another host ended its run", () => {
  it("dispatchOnce on the worker's host stops it and acknowledges with worker_stopped", async () => {
    const { k, reopen } = await freshBoard({ host: "runner-1", pid: 11 });
    const server = await reopen({ host: "server", pid: 99 });
    const fake = fakeProcesses();
    const t = await ready(k, "long job");
    const claimed = await claimTask(k, t.id);
    const runId = claimed?.current_run_id as number;
    fake.add(5000, { startedAt: k.clock.now() });
    await setWorkerPid(k, t.id, runId, 5000);

    // The dashboard's reclaim goes through a server on another host: it cannot signal pid 5000.
    await reclaimTask(server, t.id, { reason: "operator", wip: null });

    const stopped: StopResult[] = [];
    let acked: (ack: Promise<boolean>) => void = () => {};
    const ack = new Promise<Promise<boolean>>((resolve) => {
      acked = resolve;
    });
    await dispatchOnce(k, {
      spawn: () => {
        throw new Error("nothing to spawn");
      },
      isSpawnable: () => false,
      proc: fake.control,
      stop: (pid) => fake.stop(pid),
      onStopped: (w, r) => {
        stopped.push(r);
        acked(recordWorkerStopped(k, w, r));
      },
    });
    expect(await await ack).toBe(true);
    expect(fake.signals[0]).toEqual({ pid: -5000, signal: "SIGTERM" });
    expect(stopped).toEqual([{ stopped: true, sigkill: false }]);
    expect(fake.procs.get(5000)?.alive).toBe(false);
    expect((await listEvents(k, t.id)).at(-1)).toMatchObject({
      kind: "worker_stopped",
      run_id: runId,
      payload: { host: "runner-1", pid: 5000, run_id: runId, sigkill: false, stopped: true },
    });
  });

  it("is not appended for a run whose end already records the worker: its own exit or a timeout", async () => {
    const { k } = await freshBoard({ host: "runner-1", pid: 11 });
    const t = await ready(k, "exits without finishing");
    const claimed = await claimTask(k, t.id);
    const runId = claimed?.current_run_id as number;
    await setWorkerPid(k, t.id, runId, 5000);
    await recordWorkerExit(
      k,
      t.id,
      runId,
      { pid: 5000, code: 0, signal: null, agentExpected: false, logTail: [] },
      { limit: 3 },
    );
    expect((await getRun(k, runId))?.outcome).toBe("protocol_violation");
    const before = await listEvents(k, t.id);

    // What the worker left in its group is stopped as part of that exit, with no event of its own.
    expect(
      await recordWorkerStopped(k, { task_id: t.id, run_id: runId, pid: 5000 }, { stopped: true, sigkill: false }),
    ).toBe(false);
    expect(await listEvents(k, t.id)).toEqual(before);

    // A run ended by someone else is acknowledged.
    await claimTask(k, t.id);
    const second = (await requireTask(k, t.id)).current_run_id as number;
    await reclaimTask(k, t.id, { reason: "operator", wip: null });
    expect(
      await recordWorkerStopped(k, { task_id: t.id, run_id: second, pid: 5001 }, { stopped: true, sigkill: true }),
    ).toBe(true);
    expect((await listEvents(k, t.id)).at(-1)).toMatchObject({ kind: "worker_stopped", run_id: second });
  });
});
