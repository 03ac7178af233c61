import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Worker processes for the benchmarks. A script in `workers/` loads, prints `ready`, waits for
 * one line on stdin, does its work and prints one JSON line. Releasing every process only once
 * all are ready keeps their start-up (tsx compiling TypeScript) out of the measurement.
 */

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, "..", "..");
const DEADLINE_MS = 300_000;

export interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  /** Lines the script printed after `ready`, as they arrive. */
  onLine(listener: (line: string) => void): void;
  done: Promise<{ code: number | null; lines: string[]; stderr: string }>;
}

/** Starts `workers/<script>` under tsx (plain `node` for `.mjs`). */
export function startWorker(script: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Worker {
  const file = join(here, "workers", script);
  const argv = script.endsWith(".mjs") ? [file, ...args] : ["--import", "tsx", file, ...args];
  const child = spawn(process.execPath, argv, { cwd: repoRoot, stdio: ["pipe", "pipe", "pipe"], env });
  const lines: string[] = [];
  const listeners: Array<(line: string) => void> = [];
  let stderr = "";
  let buffered = "";
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line === "ready") {
        markReady();
        continue;
      }
      lines.push(line);
      for (const l of listeners) l(line);
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), DEADLINE_MS);
  const done = new Promise<{ code: number | null; lines: string[]; stderr: string }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      markReady(); // a script that died before it was ready must not hang the others
      resolve({ code, lines, stderr });
    });
  });
  return { child, ready, onLine: (l) => listeners.push(l), done };
}

/** The last JSON line of a finished worker; throws with its stderr when it failed. */
export function reportOf<T>(result: { code: number | null; lines: string[]; stderr: string }): T {
  const line = result.lines.at(-1) ?? "";
  if (result.code !== 0 || !line.startsWith("{")) {
    throw new Error(`bench worker failed (exit ${result.code}): ${result.stderr || result.lines.join("\n")}`);
  }
  return JSON.parse(line) as T;
}

/** Starts one worker per entry, releases them together once all are ready, and returns their reports. */
export async function runTogether<T>(runs: ReadonlyArray<{ script: string; args: readonly string[] }>): Promise<T[]> {
  const workers = runs.map((r) => startWorker(r.script, r.args));
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.child.stdin?.end("go\n");
  const results = await Promise.all(workers.map((w) => w.done));
  return results.map((r) => reportOf<T>(r));
}
