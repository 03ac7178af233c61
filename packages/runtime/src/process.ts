import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import type { StopResult, WorkerLiveness } from "@switchyard/core";

/**
 * Process control, injected so that tests can use fake processes, and the real thing is a
 * few system calls (reference §3.4). The liveness half is what the kernel's dispatch decision reads.
 */
export interface ProcessControl extends WorkerLiveness {
  /** Sends a signal (a negative pid means that process group); false when there is no such process. */
  kill(pid: number, signal: NodeJS.Signals): boolean;
  /** Sleeps (the stop procedure's grace polling). */
  sleep(ms: number): Promise<void>;
}

const CLOCK_TICKS = 100;
let bootTime: number | null | undefined;

function readBootTime(): number | null {
  if (bootTime !== undefined) return bootTime;
  try {
    const m = /^btime\s+(\d+)/m.exec(readFileSync("/proc/stat", "utf8"));
    bootTime = m ? Number(m[1]) : null;
  } catch {
    bootTime = null;
  }
  return bootTime;
}

function linuxStartedAt(pid: number): number | null {
  const boot = readBootTime();
  if (boot === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? boot + Math.floor(ticks / CLOCK_TICKS) : null;
  } catch {
    return null;
  }
}

function zombie(pid: number): boolean {
  if (process.platform === "darwin") return darwinZombie(pid);
  if (process.platform !== "linux") return false;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const state = /^State:\s+(\S)/m.exec(status)?.[1];
    return state === "Z" || state === "X";
  } catch {
    return false;
  }
}

/** macOS has no /proc: `ps` failing (no such process) or showing state Z means dead (reference §3.4). */
function darwinZombie(pid: number): boolean {
  try {
    const stat = execFileSync("ps", ["-o", "stat=", "-p", String(pid)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return stat.includes("Z");
  } catch {
    return true;
  }
}

/**
 * Whether some process of group `pgid` is not a zombie. Linux: one pass over /proc (only made
 * when the group exists at all); elsewhere the group's existence is taken as the answer, since
 * init reaps a zombie orphan at once.
 */
function groupHasLiveMember(pgid: number): boolean {
  if (process.platform !== "linux") return true;
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return true;
  }
  for (const name of names) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // Fields after the command name: state, ppid, pgrp, …
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ", 3);
      if (Number(pgrp) === pgid && state !== "Z" && state !== "X") return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

export const systemProcesses: ProcessControl = {
  isAlive(pid) {
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
      process.kill(pid, 0);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "EPERM") return false;
    }
    return !zombie(pid);
  },
  groupAlive(pgid) {
    // 0 and 1 would name our own group and init's: never a worker's.
    if (!Number.isInteger(pgid) || pgid <= 1) return false;
    try {
      process.kill(-pgid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
    }
    return groupHasLiveMember(pgid);
  },
  kill(pid, signal) {
    // A negative pid is that process group (a worker and its children); 0 and -1 (our own group,
    // every process we may signal) are never meant and never sent.
    if (!Number.isInteger(pid) || pid === 0 || pid === -1) return false;
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  startedAt: (pid) => (process.platform === "linux" ? linuxStartedAt(pid) : null),
};

/**
 * Stops a worker: SIGTERM, then up to `graceMs` for it to exit, then SIGKILL (SPEC §3.3).
 * With `group` the worker's process group is signalled as a whole, and the stop lasts until no
 * member of the group is left, not only the worker: a worker is its whole process tree, so the
 * children it started (and any that ignore SIGTERM) go too, also when the worker itself has
 * already exited. Without `group` only the process is signalled and watched.
 */
export async function stopProcess(
  proc: ProcessControl,
  pid: number,
  graceMs: number,
  options: { group?: boolean; pollMs?: number } = {},
): Promise<StopResult> {
  const group = options.group ?? false;
  const alive = () => proc.isAlive(pid) || (group && proc.groupAlive(pid));
  // A pid that does not lead a group (a worker started without `detached`) is signalled alone.
  const signal = (name: NodeJS.Signals) => {
    if (!(group && proc.kill(-pid, name))) proc.kill(pid, name);
  };
  if (!alive()) return { stopped: true, sigkill: false };
  signal("SIGTERM");
  const poll = options.pollMs ?? 100;
  for (let waited = 0; waited < graceMs; waited += poll) {
    await proc.sleep(poll);
    if (!alive()) return { stopped: true, sigkill: false };
  }
  signal("SIGKILL");
  for (let i = 0; i < 20; i++) {
    if (!alive()) return { stopped: true, sigkill: true };
    await proc.sleep(poll);
  }
  return { stopped: !alive(), sigkill: true };
}
