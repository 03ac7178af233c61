import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createBoard, type Home } from "@switchyard/core";
import { stringify } from "yaml";
import { tempDir, tempHome } from "../../core/test/fixtures.ts";
import { loadConfig } from "../src/config.ts";

/**
 * Helpers for tests with real worker processes: a temp home whose config.yaml runs the fake
 * agent (e2e/fake-agent), polling with generous deadlines, and /proc inspection.
 */

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, "..", "..", "..");
export const FAKE_AGENT = join(repoRoot, "e2e", "fake-agent", "fake-agent.mjs");
export const CLI = join(repoRoot, "apps", "cli", "bin", "switchyard.mjs");

/** argv of a profile that runs the fake agent with these arguments and a trace file. */
export function fakeAgent(trace: string, ...args: string[]): string[] {
  return [process.execPath, FAKE_AGENT, "--trace", trace, ...args];
}

export interface WorkerHome {
  home: Home;
  /** The JSON-lines trace every fake agent of this home appends to. */
  trace: string;
}

/**
 * A temp home with config.yaml built from `config(trace)`; `boards` beyond `default` are
 * created too.
 */
export async function workerHome(
  config: (trace: string) => Record<string, unknown>,
  boards: string[] = [],
): Promise<WorkerHome> {
  const home = tempHome();
  const trace = join(tempDir("switchyard-trace-"), "trace.jsonl");
  writeFileSync(join(home.root, "config.yaml"), stringify(config(trace)));
  loadConfig(home); // fail here, with the schema's message, if a test wrote a bad config
  for (const slug of boards) await createBoard(home, slug, {}, { now: Math.floor(Date.now() / 1000) });
  return { home, trace };
}

export interface TraceLine {
  t: number;
  pid: number;
  task: string;
  run: number | null;
  step: string;
  [key: string]: unknown;
}

export function readTrace(path: string): TraceLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TraceLine);
}

/** Polls until `check` returns a value other than undefined/false; fails after the deadline. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 45_000);
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
}

interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
}

function procStat(pid: number): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pid, state: fields[0] ?? "?", ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}

/** The process group of a live process, from /proc. */
export function processGroupOf(pid: number): number | null {
  return procStat(pid)?.pgrp ?? null;
}

/** Zombie children of this (the test) process. */
export function zombieChildren(): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = procStat(Number(name));
    if (s && s.ppid === process.pid && s.state === "Z") out.push(s.pid);
  }
  return out;
}

/** Pids among these that still run the fake agent (so a reused pid does not count). */
export function fakeAgentsAlive(pids: Iterable<number>): number[] {
  const out: number[] = [];
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("fake-agent.mjs")) out.push(pid);
    } catch {
      // gone
    }
  }
  return out;
}
