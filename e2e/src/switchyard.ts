import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Config } from "@switchyard/contract";
import type { z } from "zod";
import { CLI, FAKE_AGENT } from "./paths.ts";
import { isRunning, processesOfHome, signal, waitUntil } from "./processes.ts";

/** What a spec writes into `<home>/config.yaml` (validated by the contract's schema first). */
export type ConfigInput = z.input<typeof Config>;

/** A profile command that runs the fake agent with these options (e2e/fake-agent/README.md). */
export function fakeAgent(...options: string[]): string[] {
  return [process.execPath, FAKE_AGENT, ...options];
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Switchyard {
  /** Where the dashboard is, e.g. http://127.0.0.1:41234. */
  url: string;
  /** The throwaway home (removed by `stop`, or by the demo server itself). */
  home: string;
  /** The server's process id (a new one after `restart`). */
  readonly pid: number;
  /** One line per fake-agent step (its `start` lines carry the worker pids). */
  tracePath: string;
  /** Runs `switchyard <args>` against this home. */
  cli(...args: string[]): CliResult;
  /** Runs `switchyard <args> --json` and parses the output; a non-zero exit throws with its stderr. */
  cliJson(...args: string[]): unknown;
  /** Calls `/api/plugins/kanban<path>`; a non-2xx answer throws with its `detail`. */
  api(path: string, init?: { method?: string; body?: unknown }): Promise<unknown>;
  /** What the server printed so far. */
  serverLog(): string;
  /** Pids of every worker the fake agent traced. */
  workerPids(): number[];
  /**
   * Stops the server (SIGTERM, as `stop` does, but the home and workers stay), runs `whileDown`
   * (a page left open sees the outage; the CLI still works on the home), then starts it again
   * on the same port and home, and resolves once it serves. Not for `startDemo`, whose server
   * deletes its home on exit.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  /**
   * SIGTERM to the server, then every worker it started is stopped (workers outlive a server
   * by design, decision 007) and checked gone; throws if any process is left. Removes the home.
   */
  stop(): Promise<void>;
}

const SERVING = /serving (http:\/\/\S+) \((?:throwaway )?home ([^,)]+)/;

/** The environment of the server and the CLI: this one minus any Switchyard or Hermes pins, plus ours. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("SWITCHYARD_") && !name.startsWith("HERMES_") && name !== "FAKE_AGENT_TRACE")
      env[name] = value;
  }
  return { ...env, ...extra };
}

/** Resolves with where the server serves once it says so (in its output after `from`). */
function waitForServing(
  server: ChildProcess,
  log: () => string,
  timeoutMs: number,
  from = 0,
): Promise<{ url: string; home: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`switchyard serve printed no URL within ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`${why}. Its output:\n${log()}`));
    };
    server.stdout?.on("data", () => {
      const match = SERVING.exec(log().slice(from));
      if (match?.[1] && match[2]) {
        clearTimeout(timer);
        resolve({ url: match[1], home: match[2] });
      }
    });
    server.once("exit", (code, sig) => fail(`switchyard serve exited (${sig ?? `code ${code}`}) before it served`));
  });
}

interface Launch {
  /** Arguments after `serve`. */
  args: string[];
  /** Where the server's output and the fake agents' trace go (removed by `stop`). */
  scratch: string;
  /** SWITCHYARD_HOME, when the caller made the home. */
  home?: string;
}

/** Spawns `switchyard serve …`, resolves once it prints its URL, and knows how to stop it cleanly. */
async function launch({ args, scratch, home: given }: Launch): Promise<Switchyard> {
  const tracePath = join(scratch, "fake-agent.jsonl");
  const logPath = join(scratch, "server.log");
  writeFileSync(logPath, "");
  const pins: Record<string, string> = { FAKE_AGENT_TRACE: tracePath };
  if (given) pins.SWITCHYARD_HOME = given;
  const env = cleanEnv(pins);

  const record = (chunk: Buffer) => appendFileSync(logPath, chunk);
  const serve = (serveArgs: string[]) => {
    const child = spawn(process.execPath, [CLI, "serve", ...serveArgs], { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", record);
    child.stderr?.on("data", record);
    return child;
  };
  const serverLog = () => (existsSync(logPath) ? readFileSync(logPath, "utf8") : "");
  let server = serve(args);
  let pid = server.pid ?? -1;
  let home = given ?? "";

  /** SIGTERM to the server, SIGKILL if it has not exited after 30 s; resolves once it is gone. */
  const stopServer = async () => {
    if (!isRunning(pid)) return;
    const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
    server.kill("SIGTERM");
    const done = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((r) => setTimeout(r, 30_000, false)),
    ]);
    if (!done) server.kill("SIGKILL");
    await waitUntil(() => !isRunning(pid), 10_000);
  };

  const workerPids = (): number[] => {
    if (!existsSync(tracePath)) return [];
    const pids = new Set<number>();
    for (const line of readFileSync(tracePath, "utf8").split("\n")) {
      if (!line.trim()) continue;
      const step = JSON.parse(line) as { pid: number; step: string };
      if (step.step === "start") pids.add(step.pid);
    }
    return [...pids];
  };

  let stopped: Promise<void> | null = null;
  const stop = async () => {
    await stopServer();
    // Workers are detached group leaders (their CLI calls share their group); they outlive a
    // server by design (decision 007), so whatever is left is stopped here, then checked gone.
    const leftovers = () => [...new Set([...workerPids(), ...(home ? processesOfHome(home) : [])])].filter(isRunning);
    for (const worker of leftovers()) signal(worker, "SIGKILL");
    const clean = await waitUntil(() => leftovers().length === 0 && !isRunning(pid), 15_000);
    const left = leftovers();
    if (given) rmSync(given, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    rmSync(scratch, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    if (!clean) throw new Error(`processes left behind by the e2e server on ${home}: ${left.join(", ") || pid}`);
  };

  try {
    const serving = await waitForServing(server, serverLog, 60_000);
    home = serving.home;
    const cliEnv = { ...env, SWITCHYARD_HOME: home };
    const cli = (...cliArgs: string[]): CliResult => {
      const r = spawnSync(process.execPath, [CLI, ...cliArgs], { env: cliEnv, encoding: "utf8" });
      return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
    };
    const { url } = serving;
    const restart = async (whileDown?: () => Promise<void>) => {
      if (!given) throw new Error("a demo server deletes its home on exit: it cannot be restarted");
      if (stopped) throw new Error("the server was stopped for good");
      await stopServer();
      await whileDown?.();
      // The same port, so a page left open finds it again where it was.
      const port = new URL(url).port;
      const at = args.indexOf("--port");
      const again = at >= 0 ? args.map((a, i) => (i === at + 1 ? port : a)) : [...args, "--port", port];
      const from = serverLog().length;
      server = serve(again);
      pid = server.pid ?? -1;
      const back = await waitForServing(server, serverLog, 60_000, from);
      if (back.url !== url) throw new Error(`the restarted server serves ${back.url}, not ${url}`);
    };
    return {
      url,
      home,
      get pid() {
        return pid;
      },
      tracePath,
      cli,
      cliJson(...cliArgs) {
        const r = cli(...cliArgs, "--json");
        if (r.code !== 0) throw new Error(`switchyard ${cliArgs.join(" ")} exited ${r.code}: ${r.stderr.trim()}`);
        return JSON.parse(r.stdout);
      },
      async api(path, init = {}) {
        const method = init.method ?? (init.body === undefined ? "GET" : "POST");
        const response = await fetch(`${url}/api/plugins/kanban${path}`, {
          method,
          headers: init.body === undefined ? {} : { "content-type": "application/json" },
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
        });
        const body = (await response.json()) as { detail?: string };
        if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${body.detail ?? ""}`);
        return body;
      },
      serverLog,
      workerPids,
      restart,
      stop() {
        stopped ??= stop();
        return stopped;
      },
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/**
 * Boots `switchyard serve --port 0` on a fresh temporary home whose config.yaml is `config`,
 * and resolves once it prints its URL.
 */
export async function startSwitchyard(config: ConfigInput): Promise<Switchyard> {
  const parsed = Config.safeParse(config);
  if (!parsed.success) throw new Error(`bad e2e config: ${parsed.error.message}`);
  const home = mkdtempSync(join(tmpdir(), "switchyard-e2e-"));
  // JSON is YAML, so the config needs no YAML writer.
  writeFileSync(join(home, "config.yaml"), `${JSON.stringify(config, null, 2)}\n`);
  return launch({ args: ["--port", "0"], scratch: mkdtempSync(join(tmpdir(), "switchyard-e2e-run-")), home });
}

/** Boots `switchyard serve --demo --port 0`: the server makes (and on SIGTERM deletes) its own home. */
export function startDemo(): Promise<Switchyard> {
  return launch({ args: ["--demo", "--port", "0"], scratch: mkdtempSync(join(tmpdir(), "switchyard-e2e-run-")) });
}
