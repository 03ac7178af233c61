import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Real OS processes for race tests. Each script in `test/scripts/` prints `ready` once it has
 * loaded, waits for a line on stdin, then does its work and prints one JSON line. Starting them
 * all, waiting until every one is ready and only then releasing them makes them hit the board
 * file at the same moment instead of one after another as they finish loading.
 */

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..", "..");
const DEADLINE_MS = 120_000;

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Started {
  child: ChildProcess;
  ready: Promise<void>;
  done: Promise<ScriptResult>;
}

function start(script: string, args: readonly string[]): Started {
  const child = spawn(process.execPath, ["--import", "tsx", join(here, "scripts", script), ...args], {
    cwd: repoRoot,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    if (stdout.startsWith("ready\n")) markReady();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<ScriptResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      markReady(); // a script that died before it was ready must not hang the others
      resolve({ code, stdout: stdout.replace(/^ready\n/, ""), stderr });
    });
  });
  return { child, ready, done };
}

/**
 * Starts one process per entry, releases them together once all are ready, and returns their
 * results in order. Processes still running after a generous deadline are killed and reported.
 */
export async function runTogether(
  runs: ReadonlyArray<{ script: string; args: readonly string[] }>,
): Promise<ScriptResult[]> {
  const started = runs.map((r) => start(r.script, r.args));
  const timer = setTimeout(() => {
    for (const s of started) s.child.kill("SIGKILL");
  }, DEADLINE_MS);
  try {
    await Promise.all(started.map((s) => s.ready));
    for (const s of started) s.child.stdin?.end("go\n");
    return await Promise.all(started.map((s) => s.done));
  } finally {
    clearTimeout(timer);
  }
}

/** The one JSON line a script printed, parsed; fails loudly with its stderr otherwise. */
export function reportOf<T>(result: ScriptResult): T {
  const line = result.stdout.trim().split("\n").pop() ?? "";
  if (result.code !== 0 || !line.startsWith("{")) {
    throw new Error(`script failed (exit ${result.code}): ${result.stderr || result.stdout}`);
  }
  return JSON.parse(line) as T;
}
