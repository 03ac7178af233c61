import { readdirSync, readFileSync } from "node:fs";

/** Whether a process exists and is not a zombie (an exited child nobody has reaped yet). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // The state is the first field after the command name, which sits in parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    // No /proc (not Linux): the signal check is all there is.
    return true;
  }
}

/**
 * Pids of this user's processes whose environment names `SWITCHYARD_HOME=<home>`: the server,
 * its workers and the CLI calls they make. Empty where there is no /proc.
 */
export function processesOfHome(home: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const needle = `SWITCHYARD_HOME=${home}\0`;
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "latin1").includes(needle)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile, or another user's.
    }
  }
  return pids.filter(isRunning);
}

/** Sends a signal to a process group (when `pid` leads one) and to the process itself; ignores ones already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, sig);
    } catch {
      // Not a group leader, or already gone.
    }
  }
}

/** Polls `check` every 100 ms until it returns true or the deadline passes; returns its last answer. */
export async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
