import { spawn } from "node:child_process";

/**
 * Runs an agent that has no MCP client (aider) for `switchyard wrap`: its output passes through
 * to the worker's log while the last lines are kept for the board, and a heartbeat keeps the
 * claim alive while it runs. The caller reports the outcome (complete or block).
 */

export interface WrappedRun {
  /** The agent's exit code, or null when a signal ended it. */
  code: number | null;
  signal: string | null;
  /** Its last non-blank output lines (stdout and stderr together). */
  tail: string[];
  /** Why it could not start (ENOENT, EACCES, …), when it did not. */
  startError: string | null;
}

export interface WrapOptions {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** How many output lines to keep. */
  tailLines?: number;
  /** Called every `heartbeatSeconds` while the agent runs; failures are the caller's to report. */
  heartbeat?: () => Promise<void>;
  heartbeatSeconds?: number;
  /** Where the agent's output goes on (the worker's log, through this process's own streams). */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/** Keeps the last `size` non-blank lines of a stream of chunks. */
function lineTail(size: number) {
  const lines: string[] = [];
  let partial = "";
  const keep = (line: string) => {
    const text = line.trimEnd();
    if (!text.trim()) return;
    lines.push(text);
    if (lines.length > size) lines.shift();
  };
  return {
    push(chunk: string) {
      const parts = (partial + chunk).split(/\r?\n/);
      partial = parts.pop() ?? "";
      for (const p of parts) keep(p);
    },
    end(): string[] {
      if (partial) keep(partial);
      partial = "";
      return [...lines];
    },
  };
}

export function runWrapped(options: WrapOptions): Promise<WrappedRun> {
  const [command, ...args] = options.argv;
  if (!command) return Promise.resolve({ code: null, signal: null, tail: [], startError: "the command is empty" });
  const tail = lineTail(options.tailLines ?? 20);
  const out = options.stdout ?? process.stdout;
  const err = options.stderr ?? process.stderr;
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let timer: NodeJS.Timeout | null = null;
    if (options.heartbeat && options.heartbeatSeconds && options.heartbeatSeconds > 0) {
      const beat = options.heartbeat;
      timer = setInterval(() => void beat().catch(() => {}), options.heartbeatSeconds * 1000);
    }
    const stop = () => {
      if (timer) clearInterval(timer);
      timer = null;
    };
    for (const [stream, sink] of [
      [child.stdout, out],
      [child.stderr, err],
    ] as const) {
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        sink.write(chunk);
        tail.push(chunk);
      });
    }
    child.once("error", (e: NodeJS.ErrnoException) => {
      stop();
      resolve({
        code: null,
        signal: null,
        tail: tail.end(),
        startError: e.code === "ENOENT" ? `\`${command}\` was not found` : e.message,
      });
    });
    child.once("close", (code, signal) => {
      stop();
      resolve({ code, signal, tail: tail.end(), startError: null });
    });
  });
}
