import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { claimTask, isCoreError, listTasks, openBoard, setWorkerPid } from "@switchyard/core";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../../core/test/fixtures.ts";
import { loadConfig } from "./config.ts";
import { createDemoHome, DEMO_MARKER, locateFakeAgent, removeDemoHome } from "./demo.ts";
import { type ProcessControl, systemProcesses } from "./process.ts";

const AGENT = ["/usr/bin/node", "/checkout/e2e/fake-agent/fake-agent.mjs"];

/** Process groups of real workers a test started; killed after it, pass or fail. */
const groups: number[] = [];
afterEach(() => {
  for (const pgid of groups.splice(0)) systemProcesses.kill(-pgid, "SIGKILL");
});

function demoHome(env: Record<string, string> = {}) {
  return createDemoHome({ agent: AGENT, parent: tempDir(), env });
}

/** Processes that are alive until signalled; records every signal. */
function fakeProcesses(alive: number[], startedAt: number | null): ProcessControl & { signals: string[] } {
  const live = new Set(alive);
  const signals: string[] = [];
  return {
    signals,
    isAlive: (pid) => live.has(pid),
    groupAlive: (pgid) => live.has(pgid),
    kill(pid, signal) {
      signals.push(`${signal} ${pid}`);
      live.delete(Math.abs(pid));
      return true;
    },
    sleep: async () => undefined,
    startedAt: () => startedAt,
  };
}

describe("the demo home", () => {
  it("has a config the schema accepts, whose profiles run the agent it was given", async () => {
    const home = await demoHome();
    const config = loadConfig(home);
    expect(Object.keys(config.profiles)).toEqual(
      expect.arrayContaining(["coder", "implementer", "translator", "cruncher", "deployer", "drafter", "editor"]),
    );
    for (const [name, profile] of Object.entries(config.profiles)) {
      if (name === "deployer") expect(profile.command?.[0]).toBe("/nonexistent/bin/deploy-agent");
      else expect(profile.command?.slice(0, 2), name).toEqual(AGENT);
    }
    expect(config.dispatch.interval_seconds).toBeLessThanOrEqual(5);
  });

  it("tells the tutorial's stories: chains start with one ready task, the fleet works for content-ops, ideas wait in triage", async () => {
    const home = await demoHome();
    const k = await openBoard(home, null);
    try {
      const tasks = await listTasks(k);
      const status = (title: string) => tasks.find((t) => t.title === title)?.status;
      expect(status("Design the schema")).toBe("ready");
      expect(status("Build the API")).toBe("todo");
      expect(status("Write the API tests")).toBe("todo");
      expect(status("Implement the CSV importer")).toBe("todo");
      expect(tasks.filter((t) => t.tenant === "content-ops")).toHaveLength(12);
      expect(tasks.filter((t) => t.status === "triage").map((t) => t.assignee)).toEqual([null, null, null]);
      expect(new Set(tasks.map((t) => t.created_by))).toEqual(new Set(["demo"]));
    } finally {
      await k.close();
    }
  });

  it("never inherits pins that would point it at another board", async () => {
    const home = await demoHome({
      SWITCHYARD_DB: "/elsewhere/kanban.db",
      SWITCHYARD_DATABASE_URL: "postgres://db/elsewhere",
      HERMES_KANBAN_BOARD: "other",
      PATH: "/bin",
    });
    expect(home.env).toEqual({ PATH: "/bin", SWITCHYARD_HOME: home.root });
    expect(home.databaseUrl).toBeNull();
    expect(existsSync(join(home.root, "kanban.db"))).toBe(true);
  });

  it("is removed with its live workers stopped", async () => {
    const home = await demoHome();
    const k = await openBoard(home, null);
    const task = (await listTasks(k)).find((t) => t.title === "Design the schema");
    if (!task) throw new Error("the demo has no schema task");
    const run = (await claimTask(k, task.id))?.current_run_id;
    if (run === null || run === undefined) throw new Error("the claim did not open a run");
    await setWorkerPid(k, task.id, run, 4321);
    await k.close();
    const proc = fakeProcesses([4321], Math.floor(Date.now() / 1000));

    await removeDemoHome(home, { proc, graceMs: 1000, reaped: (pid) => !proc.isAlive(pid) });

    expect(proc.signals).toEqual(["SIGTERM -4321"]);
    expect(existsSync(home.root)).toBe(false);
  });

  it("leaves alone a process that reused a worker's pid before the demo began", async () => {
    const home = await demoHome();
    const k = await openBoard(home, null);
    const task = (await listTasks(k)).find((t) => t.title === "Design the schema");
    if (!task) throw new Error("the demo has no schema task");
    const run = (await claimTask(k, task.id))?.current_run_id ?? 0;
    await setWorkerPid(k, task.id, run, 4321);
    await k.close();
    const proc = fakeProcesses([4321], 1_000_000);

    await removeDemoHome(home, { proc, graceMs: 1000, reaped: (pid) => !proc.isAlive(pid) });

    expect(proc.signals).toEqual([]);
    expect(existsSync(home.root)).toBe(false);
  });

  it("is removed with every worker's process group ended, also what a worker that already exited left running", async () => {
    const home = await demoHome();
    const k = await openBoard(home, null);
    const task = (await listTasks(k)).find((t) => t.title === "Design the schema");
    if (!task) throw new Error("the demo has no schema task");
    const run = (await claimTask(k, task.id))?.current_run_id ?? 0;
    // A worker (its own process group, as the spawner starts it) that exits once the child it
    // leaves behind ignores SIGTERM; that child prints its pid when it does.
    const worker = spawn("/bin/sh", ["-c", `sh -c 'trap "" TERM; echo $$; exec sleep 1000' & exit 0`], {
      stdio: ["ignore", "pipe", "ignore"],
      detached: true,
    });
    const pid = worker.pid as number;
    groups.push(pid);
    const exited = once(worker, "exit");
    const [line] = (await once(worker.stdout ?? worker, "data")) as [Buffer];
    const child = Number(String(line).trim());
    await exited;
    await setWorkerPid(k, task.id, run, pid);
    await k.close();
    expect(systemProcesses.groupAlive(pid)).toBe(true);

    await removeDemoHome(home, { graceMs: 200 });

    expect(systemProcesses.isAlive(child)).toBe(false);
    expect(systemProcesses.groupAlive(pid)).toBe(false);
    expect(existsSync(home.root)).toBe(false);
  });

  it("refuses to remove a directory that is not a demo home, and leaves it untouched", async () => {
    const root = tempDir();
    writeFileSync(join(root, "precious.txt"), "keep me");
    const err = await removeDemoHome({ root, env: {}, databaseUrl: null }).catch((e: unknown) => e);
    expect(isCoreError(err, "invalid_input")).toBe(true);
    expect((err as Error).message).toContain(DEMO_MARKER);
    expect(existsSync(join(root, "precious.txt"))).toBe(true);
  });
});

describe("locateFakeAgent", () => {
  it("finds the checkout's fake agent from anywhere inside it", () => {
    const here = fileURLToPath(new URL(".", import.meta.url));
    expect(locateFakeAgent([here])).toBe(
      fileURLToPath(new URL("../../../e2e/fake-agent/fake-agent.mjs", import.meta.url)),
    );
  });

  it("answers null outside a checkout", () => {
    const dir = join(tempDir(), "a", "b");
    mkdirSync(dir, { recursive: true });
    expect(locateFakeAgent([dir])).toBeNull();
  });
});
