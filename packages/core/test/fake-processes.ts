import { type ProcessControl, stopProcess } from "../../runtime/src/process.ts";
import type { StopResult } from "../src/dispatcher.ts";

export interface FakeProcess {
  alive: boolean;
  /** Unix seconds, or null when unknown. */
  startedAt: number | null;
  /** A process that survives SIGTERM and only dies of SIGKILL. */
  ignoresTerm: boolean;
  /**
   * Other members of its process group are alive (what a worker left behind); they share its
   * `ignoresTerm` and go when the group is signalled.
   */
  leftovers?: boolean;
}

export interface FakeProcesses {
  control: ProcessControl;
  procs: Map<number, FakeProcess>;
  /** Every signal sent, in order; a negative pid means the process group. */
  signals: Array<{ pid: number; signal: NodeJS.Signals }>;
  /** Every sleep requested, in milliseconds (sleeps return at once). */
  slept: number[];
  add(pid: number, options?: Partial<FakeProcess>): FakeProcess;
  /** Makes every sleep wait until the returned function is called (a stop stays in its grace period). */
  pauseSleeps(): () => void;
  /**
   * Stops a fake worker as the host runtime does (`stopProcess` on its process group: SIGTERM,
   * `graceMs` of sleeps, SIGKILL): what `dispatchOnce`'s `stop` option gets in kernel tests.
   */
  stop(pid: number, graceMs?: number): Promise<StopResult>;
}

/** Fake process control: processes are table rows, signals are recorded, sleeping takes no time. */
export function fakeProcesses(): FakeProcesses {
  const procs = new Map<number, FakeProcess>();
  const signals: FakeProcesses["signals"] = [];
  const slept: number[] = [];
  let gate: Promise<void> | null = null;
  const control: ProcessControl = {
    isAlive: (pid) => procs.get(pid)?.alive ?? false,
    groupAlive: (pgid) => {
      const p = procs.get(pgid);
      return (p?.alive ?? false) || (p?.leftovers ?? false);
    },
    kill(pid, signal) {
      signals.push({ pid, signal });
      const p = procs.get(Math.abs(pid));
      const group = pid < 0;
      if (!p || !(p.alive || (group && p.leftovers))) return false;
      const dies = signal === "SIGKILL" || (signal === "SIGTERM" && !p.ignoresTerm);
      if (dies) {
        p.alive = false;
        if (group) p.leftovers = false;
      }
      return true;
    },
    sleep: async (ms) => {
      slept.push(ms);
      if (gate) await gate;
    },
    startedAt: (pid) => procs.get(pid)?.startedAt ?? null,
  };
  return {
    control,
    procs,
    signals,
    slept,
    add(pid, options = {}) {
      const p: FakeProcess = { alive: true, startedAt: null, ignoresTerm: false, ...options };
      procs.set(pid, p);
      return p;
    },
    stop: (pid, graceMs = 5000) => stopProcess(control, pid, graceMs, { group: true }),
    pauseSleeps() {
      let release = () => {};
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => {
        gate = null;
        release();
      };
    },
  };
}
