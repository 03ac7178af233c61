import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { fakeProcesses } from "../../core/test/fake-processes.ts";
import { stopProcess, systemProcesses } from "./process.ts";

const children: ChildProcess[] = [];
const strays: number[] = [];
const groups: number[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const pid of strays.splice(0)) systemProcesses.kill(pid, "SIGKILL");
  for (const pgid of groups.splice(0)) systemProcesses.kill(-pgid, "SIGKILL");
});

function start(args: string[], options: { detached?: boolean } = {}): ChildProcess {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"], ...options });
  children.push(child);
  return child;
}

/** Resolves with the first line the child prints. */
async function firstLine(child: ChildProcess): Promise<string> {
  let buf = "";
  for await (const chunk of child.stdout ?? []) {
    buf += String(chunk);
    const nl = buf.indexOf("\n");
    if (nl >= 0) return buf.slice(0, nl).trim();
  }
  throw new Error(`child exited before printing a line (got '${buf}')`);
}

/** Polls until `cond` holds; generous deadline for a slow shared machine. */
async function waitFor(cond: () => boolean, what: string, deadlineMs = 20_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("systemProcesses.isAlive", () => {
  it("sees this process as alive", () => {
    expect(systemProcesses.isAlive(process.pid)).toBe(true);
  });

  it("treats 0, negative pids, non-integers and a pid that cannot exist (2^30) as dead", () => {
    for (const pid of [0, -1, -process.pid, 1.5, Number.NaN, 2 ** 30]) {
      expect(systemProcesses.isAlive(pid)).toBe(false);
    }
  });

  it("detects a child that really exited as dead", async () => {
    const child = start(["-e", "process.exit(1)"]);
    const pid = child.pid as number;
    const [code] = await once(child, "exit");
    expect(code).toBe(1);
    expect(systemProcesses.isAlive(pid)).toBe(false);
  });

  it("sees a running child as alive", async () => {
    const child = start(["-e", "console.log('up'); setInterval(() => {}, 1000)"]);
    expect(await firstLine(child)).toBe("up");
    expect(systemProcesses.isAlive(child.pid as number)).toBe(true);
  });

  it("counts a zombie (exited, not yet reaped by its parent) as dead", async () => {
    // sh starts a short-lived child, prints its pid, then becomes `sleep`, which never reaps it.
    const parent = spawn("sh", ["-c", "sleep 0 & echo $!; exec sleep 60"], { stdio: ["ignore", "pipe", "inherit"] });
    children.push(parent);
    const zombie = Number(await firstLine(parent));
    expect(zombie).toBeGreaterThan(0);
    await waitFor(() => !systemProcesses.isAlive(zombie), "the grandchild to exit");
    // Its process entry still exists (signal 0 succeeds): it is a zombie, and still counts as dead.
    expect(() => process.kill(zombie, 0)).not.toThrow();
    expect(systemProcesses.isAlive(zombie)).toBe(false);
  });
});

/**
 * A worker as the spawner starts it (`/bin/sh -c script`, detached: its own process group).
 * The child it leaves behind prints its pid first.
 */
async function shellWorker(script: string) {
  const worker = spawn("/bin/sh", ["-c", script], { stdio: ["ignore", "pipe", "inherit"], detached: true });
  children.push(worker);
  const exited = once(worker, "exit");
  const pid = worker.pid as number;
  groups.push(pid);
  const child = Number(await firstLine(worker));
  strays.push(child);
  return { exited, pid, child };
}

/** Leaves a child that ignores SIGTERM (kept through exec); it prints its pid once it does. */
const STUBBORN_CHILD = `sh -c 'trap "" TERM; echo $$; exec sleep 1000' &`;

describe("systemProcesses.groupAlive", () => {
  it("treats 0, 1, negative and non-integer ids and a group that cannot exist (2^30) as dead", () => {
    for (const pgid of [0, 1, -1, -process.pid, 1.5, Number.NaN, 2 ** 30]) {
      expect(systemProcesses.groupAlive(pgid)).toBe(false);
    }
  });

  it("sees a worker's group alive while a child it left runs on after it exited, and dead once the child is gone", async () => {
    const { exited, pid, child } = await shellWorker(`${STUBBORN_CHILD} exit 0`);
    await exited;
    expect(systemProcesses.isAlive(pid)).toBe(false);
    expect(systemProcesses.groupAlive(pid)).toBe(true);
    systemProcesses.kill(child, "SIGKILL");
    await waitFor(() => !systemProcesses.groupAlive(pid), "the group to be gone");
  });
});

describe("stopProcess with fake processes", () => {
  it("sends SIGTERM, waits out the grace period, then SIGKILL, and reports sigkill", async () => {
    const fake = fakeProcesses();
    fake.add(900, { ignoresTerm: true });
    const result = await stopProcess(fake.control, 900, 5000, { pollMs: 100 });
    expect(result).toEqual({ stopped: true, sigkill: true });
    expect(fake.signals).toEqual([
      { pid: 900, signal: "SIGTERM" },
      { pid: 900, signal: "SIGKILL" },
    ]);
    expect(fake.slept.reduce((a, b) => a + b, 0)).toBe(5000);
  });

  it("stops after SIGTERM without SIGKILL when the process exits in the grace period", async () => {
    const fake = fakeProcesses();
    fake.add(901);
    expect(await stopProcess(fake.control, 901, 5000)).toEqual({ stopped: true, sigkill: false });
    expect(fake.signals).toEqual([{ pid: 901, signal: "SIGTERM" }]);
  });

  it("signals the whole process group when asked", async () => {
    const fake = fakeProcesses();
    fake.add(902, { ignoresTerm: true });
    await stopProcess(fake.control, 902, 200, { group: true, pollMs: 100 });
    expect(fake.signals).toEqual([
      { pid: -902, signal: "SIGTERM" },
      { pid: -902, signal: "SIGKILL" },
    ]);
  });

  it("stops what an exited worker left in its group: SIGTERM, the grace period, SIGKILL", async () => {
    const fake = fakeProcesses();
    fake.add(904, { alive: false, ignoresTerm: true, leftovers: true });
    expect(await stopProcess(fake.control, 904, 200, { group: true, pollMs: 100 })).toEqual({
      stopped: true,
      sigkill: true,
    });
    expect(fake.signals).toEqual([
      { pid: -904, signal: "SIGTERM" },
      { pid: -904, signal: "SIGKILL" },
    ]);
    expect(fake.control.groupAlive(904)).toBe(false);
  });

  it("sends nothing to a process that is already gone", async () => {
    const fake = fakeProcesses();
    expect(await stopProcess(fake.control, 903, 5000)).toEqual({ stopped: true, sigkill: false });
    expect(fake.signals).toEqual([]);
  });
});

describe("stopProcess with real processes", () => {
  it("ends a child that ignores SIGTERM with SIGKILL", async () => {
    const child = start(["-e", "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"]);
    expect(await firstLine(child)).toBe("ready");
    const exited = once(child, "exit");
    const result = await stopProcess(systemProcesses, child.pid as number, 300, { pollMs: 50 });
    expect(result).toEqual({ stopped: true, sigkill: true });
    const [, signal] = await exited;
    expect(signal).toBe("SIGKILL");
  });

  it("ends a child that honours SIGTERM without SIGKILL", async () => {
    const child = start(["-e", "console.log('ready'); setInterval(() => {}, 1000)"]);
    expect(await firstLine(child)).toBe("ready");
    const exited = once(child, "exit");
    const result = await stopProcess(systemProcesses, child.pid as number, 20_000, { pollMs: 50 });
    expect(result).toEqual({ stopped: true, sigkill: false });
    const [, signal] = await exited;
    expect(signal).toBe("SIGTERM");
  });

  it("ends the worker's own children too when stopping its process group", async () => {
    const grandchild = "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)";
    const worker = `
      const { spawn } = require("node:child_process");
      process.on("SIGTERM", () => {});
      const g = spawn(process.execPath, ["-e", ${JSON.stringify(grandchild)}], { stdio: "ignore" });
      console.log(g.pid);
      setInterval(() => {}, 1000);`;
    const child = start(["-e", worker], { detached: true });
    const grandPid = Number(await firstLine(child));
    strays.push(grandPid);
    expect(systemProcesses.isAlive(grandPid)).toBe(true);
    const result = await stopProcess(systemProcesses, child.pid as number, 300, { group: true, pollMs: 50 });
    expect(result).toEqual({ stopped: true, sigkill: true });
    await waitFor(() => !systemProcesses.isAlive(grandPid), "the grandchild to die");
  });

  it("sends SIGKILL to the group when the worker honours SIGTERM but a child of its does not", async () => {
    const { exited, pid, child } = await shellWorker(`${STUBBORN_CHILD} exec sleep 100000`);
    const result = await stopProcess(systemProcesses, pid, 300, { group: true, pollMs: 50 });
    expect(result).toEqual({ stopped: true, sigkill: true });
    const [, signal] = await exited;
    expect(signal).toBe("SIGTERM");
    expect(systemProcesses.isAlive(child)).toBe(false);
    expect(systemProcesses.groupAlive(pid)).toBe(false);
  });

  it("ends what a worker left running after it exited", async () => {
    const { exited, pid, child } = await shellWorker(`${STUBBORN_CHILD} exit 0`);
    await exited;
    expect(systemProcesses.isAlive(child)).toBe(true);
    const result = await stopProcess(systemProcesses, pid, 300, { group: true, pollMs: 50 });
    expect(result).toEqual({ stopped: true, sigkill: true });
    expect(systemProcesses.isAlive(child)).toBe(false);
  });
});
