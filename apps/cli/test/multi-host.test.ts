import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTask, type Kernel, listEvents } from "@switchyard/core";
import { systemProcesses } from "@switchyard/runtime";
import { describe, expect, inject, it } from "vitest";
import { createTestDatabase } from "../../../packages/core/test/postgres-server.ts";
import { type LiveProcess, startCli, type TestHome, tempHome } from "./cli.ts";

/**
 * Issue 17's multi-host acceptance: one server and three runner processes with distinct host
 * ids on one PostgreSQL database work 2,000 tasks of two profiles. Every host has its own home
 * (its own config.yaml, as on its own machine); their workers finish through the server's HTTP
 * API, as a worker on another machine would. Midway, one host dies (kill -9 of its runner and
 * every process it started): its claims are taken over when its lease ends. At the end a
 * reclaim through the server stops a worker running on another host, which acknowledges.
 */

const TASKS = 2000;
const LEASE_SECONDS = 9;
const GLOBAL_CAP = 6;
const ALPHA_CAP = 3;
const HOSTS = {
  h1: { profiles: ["alpha"], cap: 2 },
  h2: { profiles: ["beta"], cap: 2 },
  h3: { profiles: ["alpha", "beta", "slow"], cap: 3 },
} as const;
type HostId = keyof typeof HOSTS;

/** A worker that finishes its task through the server's REST API, after a short think. */
function finishingWorker(api: string, seconds: number) {
  const patch = `curl -sf -o /dev/null -X PATCH -H 'content-type: application/json' --data '{"status":"done","result":"ok"}' "${api}/tasks/{task_id}"`;
  return { command: ["sh", "-c", `sleep ${seconds}; ${patch}`] };
}

function hostConfig(host: HostId, api: string): string {
  const profiles: Record<string, unknown> = {
    // h1's workers think longer, so that when h1 dies its claims are mostly mid-work.
    alpha: { ...finishingWorker(api, host === "h1" ? 0.5 : 0.1), max_in_progress: ALPHA_CAP },
    beta: finishingWorker(api, 0.05),
    slow: { command: ["sleep", "600"] },
  };
  const mine = Object.fromEntries(HOSTS[host].profiles.map((p) => [p, profiles[p]]));
  return JSON.stringify({
    dispatch: {
      interval_seconds: 1,
      max_in_progress: GLOBAL_CAP,
      host_max_in_progress: HOSTS[host].cap,
      host_lease_seconds: LEASE_SECONDS,
      stop_grace_seconds: 1,
    },
    profiles: mine,
  });
}

/** Every process of this machine whose environment names the host: its runner and what it started. */
function processesOf(host: HostId): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(join("/proc", entry, "environ"), "utf8").split("\0");
      if (env.includes(`SWITCHYARD_HOST_ID=${host}`)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

const alive = (pid: number) => systemProcesses.isAlive(pid);

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const hostOf = (lock: string) => lock.slice(0, lock.lastIndexOf(":"));

/** Run-ending events: after one, the run no longer holds a place. */
const ENDS_RUN = new Set([
  "completed",
  "reclaimed",
  "crashed",
  "timed_out",
  "spawn_failed",
  "protocol_violation",
  "blocked",
  "rate_limited",
  "completion_blocked_unverified",
]);

describe("many hosts, one PostgreSQL database (issue 17)", () => {
  it("three runners and a server work 2,000 tasks: no double claim, each done once, routing and caps held, a dead host's work taken over, a cross-host reclaim stops its worker", async () => {
    const url = createTestDatabase(inject("switchyardPostgresUrl"), "multihost");
    const homes = new Map<string, TestHome>();
    const homeFor = (name: string) => {
      const home = tempHome();
      home.env.SWITCHYARD_DATABASE_URL = url;
      home.env.SWITCHYARD_HOST_ID = name;
      homes.set(name, home);
      return home;
    };

    // The server: API and dashboard only, on its own "host".
    const serverHome = homeFor("srv");
    const server = startCli(serverHome, ["serve", "--port", "0", "--no-dispatch", "--json"]);
    const serving = JSON.parse(
      (await server.waitFor(/"url"/, 60_000)).split("\n").find((l) => l.includes('"url"')) ?? "{}",
    );
    const api = `${serving.url}/api/plugins/kanban`;

    const k: Kernel = await serverHome.kernel();
    const ids: string[] = [];
    for (let i = 0; i < TASKS; i++) {
      const { task } = await createTask(k, { title: `job ${i}`, assignee: i % 2 === 0 ? "alpha" : "beta" });
      ids.push(task.id);
    }
    const profileOf = new Map<string, string>();
    for (const [i, id] of ids.entries()) profileOf.set(id, i % 2 === 0 ? "alpha" : "beta");

    const runners = new Map<HostId, LiveProcess>();
    for (const host of Object.keys(HOSTS) as HostId[]) {
      const home = homeFor(host);
      mkdirSync(home.root, { recursive: true });
      writeFileSync(join(home.root, "config.yaml"), hostConfig(host, api));
      const runner = startCli(home, ["runner", "--json"]);
      await runner.waitFor(/"host_id"/, 60_000);
      runners.set(host, runner);
    }

    const count = async (sql: string, params: unknown[] = []) =>
      Number((await k.db.get<{ n: number }>(sql, params))?.n ?? 0);

    // h1 dies once the work is under way and it holds claims.
    await until(
      "a third of the work done with h1 holding claims",
      async () => {
        const done = await count("SELECT COUNT(*) AS n FROM tasks WHERE status = 'done'");
        const onH1 = await count("SELECT COUNT(*) AS n FROM tasks WHERE status = 'running' AND claim_lock LIKE 'h1:%'");
        return done >= TASKS / 3 && onH1 > 0;
      },
      600_000,
    );
    process.kill(runners.get("h1")?.pid as number, "SIGKILL");
    for (let round = 0; round < 3; round++) {
      for (const pid of processesOf("h1")) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    await until("every process of h1 gone", async () => processesOf("h1").every((p) => !alive(p)), 10_000);
    const orphaned = (
      await k.db.all<{ id: string }>("SELECT id FROM tasks WHERE status = 'running' AND claim_lock LIKE 'h1:%'")
    ).map((r) => r.id);
    expect(orphaned.length).toBeGreaterThan(0);

    await until(
      "every task done",
      async () => (await count("SELECT COUNT(*) AS n FROM tasks WHERE status = 'done'")) === TASKS,
      900_000,
    );

    // A reclaim through the server of a worker on h3 reaches h3, which stops it and says so.
    const { task: slow } = await createTask(k, { title: "a long one", assignee: "slow" });
    const running = await until(
      "the slow task running with a worker",
      async () =>
        k.db.get<{ worker_pid: number; current_run_id: number; claim_lock: string }>(
          "SELECT worker_pid, current_run_id, claim_lock FROM tasks WHERE id = ? AND status = 'running' AND worker_pid IS NOT NULL",
          [slow.id],
        ),
      60_000,
    );
    expect(hostOf(running.claim_lock)).toBe("h3");
    expect(alive(running.worker_pid)).toBe(true);
    const reclaim = await fetch(`${api}/tasks/${slow.id}/reclaim`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reason: "operator on the dashboard" }),
    });
    expect(reclaim.status).toBe(200);
    const ack = await until(
      "h3's worker_stopped",
      async () => (await listEvents(k, slow.id)).find((e) => e.kind === "worker_stopped"),
      60_000,
    );
    expect(ack).toMatchObject({
      run_id: running.current_run_id,
      payload: { host: "h3", pid: running.worker_pid, stopped: true },
    });
    expect(alive(running.worker_pid)).toBe(false);

    for (const host of ["h2", "h3"] as const) expect(await runners.get(host)?.stop()).toBe(0);
    expect(await server.stop()).toBe(0);

    // The whole history, in commit order (event ids are the cursor).
    const events = await k.db.all<{
      id: number;
      task_id: string;
      run_id: number | null;
      kind: string;
      payload: string | null;
    }>("SELECT id, task_id, run_id, kind, payload FROM task_events WHERE task_id <> ? ORDER BY id", [slow.id]);
    const open = new Map<number, { task: string; host: string; profile: string }>();
    const openByTask = new Map<string, number>();
    const completions = new Map<string, number>();
    let most = 0;
    const mostByHost = new Map<string, number>();
    const mostByProfile = new Map<string, number>();
    const profileHosts = new Map<string, Set<string>>();
    for (const e of events) {
      if (e.kind === "claimed") {
        const lock = (JSON.parse(e.payload ?? "{}") as { lock: string }).lock;
        const host = hostOf(lock);
        const profile = profileOf.get(e.task_id) as string;
        expect(openByTask.has(e.task_id), `double claim of ${e.task_id} at event ${e.id}`).toBe(false);
        open.set(e.run_id as number, { task: e.task_id, host, profile });
        openByTask.set(e.task_id, e.run_id as number);
        if (!profileHosts.has(profile)) profileHosts.set(profile, new Set());
        profileHosts.get(profile)?.add(host);
        const values = [...open.values()];
        most = Math.max(most, values.length);
        mostByHost.set(host, Math.max(mostByHost.get(host) ?? 0, values.filter((v) => v.host === host).length));
        mostByProfile.set(
          profile,
          Math.max(mostByProfile.get(profile) ?? 0, values.filter((v) => v.profile === profile).length),
        );
      } else if (ENDS_RUN.has(e.kind) && e.run_id !== null && open.has(e.run_id)) {
        open.delete(e.run_id);
        openByTask.delete(e.task_id);
      }
      if (e.kind === "completed") completions.set(e.task_id, (completions.get(e.task_id) ?? 0) + 1);
    }
    expect(completions.size).toBe(TASKS);
    expect([...completions.values()].every((n) => n === 1)).toBe(true);
    expect(most).toBeLessThanOrEqual(GLOBAL_CAP);
    for (const [host, n] of mostByHost) expect(n, `host ${host}`).toBeLessThanOrEqual(HOSTS[host as HostId].cap);
    expect(mostByProfile.get("alpha")).toBeLessThanOrEqual(ALPHA_CAP);
    expect([...(profileHosts.get("alpha") ?? [])].sort()).toEqual(["h1", "h3"]);
    expect([...(profileHosts.get("beta") ?? [])].sort()).toEqual(["h2", "h3"]);
    // Work was really shared: every host ran some.
    expect([...mostByHost.keys()].sort()).toEqual(["h1", "h2", "h3"]);

    // The dead host's tasks were released when its lease ended, and finished elsewhere; only a
    // completion h1's worker had already sent when it died may have landed after it.
    let takenOver = 0;
    for (const id of orphaned) {
      const history = await listEvents(k, id);
      const completed = history.filter((e) => e.kind === "completed");
      expect(completed).toHaveLength(1);
      const finisher = history.find((e) => e.kind === "claimed" && e.run_id === completed[0]?.run_id);
      const finishedOn = hostOf((finisher?.payload as { lock?: string } | undefined)?.lock ?? ":");
      if (finishedOn === "h1") continue;
      const lost = history.find(
        (e) => e.kind === "reclaimed" && (e.payload as { host_lost?: string }).host_lost === "h1",
      );
      expect(lost, `${id} released from h1`).toBeDefined();
      takenOver++;
    }
    expect(takenOver).toBeGreaterThan(0);
  });
});
