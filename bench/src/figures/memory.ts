import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import WebSocket from "ws";
import { repoRoot } from "../processes.ts";
import { type Figure, figure, nowMs, progress, round } from "../report.ts";
import { dbPathOf, freshHome, seedMixedBoard, taskId } from "../seed.ts";

/**
 * Issue 18, item 6: memory of a real `switchyard serve --no-dispatch` process (the built CLI
 * bundle, in a process of its own so its RSS is the server's alone) on a home with a 100k-task
 * board (seed.ts's busy-board mix). Idle: RSS once started and one `GET /board` served (the
 * server then keeps that board's view: decision 023). Then 50 dashboards: each a WebSocket on
 * `/events` from the board's `latest_event_id` (as the dashboard connects), and 1,000 requests
 * from 8 at a time (mostly `GET /tasks/:id`, 5 % `GET /board`, 1 % `POST /tasks`, so the kept
 * view is dropped and built again, and the clients get live events). RSS is read from
 * `/proc/<pid>/status` every 20 ms during the load (`VmRSS`), the process's own peak from
 * `VmHWM`; after the clients close, RSS is sampled until it settles.
 *
 * `serve_memory_100k`: value the process's peak RSS (VmHWM, MB) at the end of the load; baseline
 * its idle RSS, so the ratio is the growth. Target: under 300 MB, and back near idle afterwards.
 */

const FULL = { tasks: 100_000, clients: 50, requests: 1_000 } as const;
const QUICK = { tasks: 10_000, clients: 10, requests: 100 } as const;
const CONCURRENCY = 8;
const SAMPLE_MS = 20;
/** Settled: the readings of the last 2 s (500 ms apart) within 2 % of each other. */
const SETTLE_EVERY_MS = 500;
const SETTLE_READINGS = 5;
const SETTLE_LIMIT_MS = 20_000;
const bin = join(repoRoot, "apps", "cli", "bin", "switchyard.mjs");

interface Memory {
  /** Resident set now, MB. */
  rss: number;
  /** The process's peak resident set so far, MB. */
  hwm: number;
}

function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
    if (!match) throw new Error(`no ${name} in /proc/${pid}/status`);
    return Number(match[1]) / 1024;
  };
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/** Samples RSS until the last readings agree within 2 % (or the limit); returns the last and how long it took. */
async function settled(pid: number): Promise<{ rss: number; ms: number; settled: boolean }> {
  const started = nowMs();
  const readings: number[] = [];
  while (nowMs() - started < SETTLE_LIMIT_MS) {
    readings.push(memoryOf(pid).rss);
    const last = readings.slice(-SETTLE_READINGS);
    if (last.length === SETTLE_READINGS && Math.max(...last) <= Math.min(...last) * 1.02) {
      return { rss: last.at(-1) as number, ms: nowMs() - started, settled: true };
    }
    await delay(SETTLE_EVERY_MS);
  }
  return { rss: readings.at(-1) as number, ms: nowMs() - started, settled: false };
}

interface Serving {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

function environment(root: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SWITCHYARD_HOME: root };
  for (const name of [
    "SWITCHYARD_DB",
    "SWITCHYARD_BOARD",
    "SWITCHYARD_DATABASE_URL",
    "HERMES_KANBAN_DB",
    "HERMES_KANBAN_BOARD",
    "SWITCHYARD_TASK",
    "SWITCHYARD_RUN_ID",
    "SWITCHYARD_TOKEN",
  ]) {
    delete env[name];
  }
  return env;
}

/** `switchyard serve --no-dispatch --port 0 --json` on `root`; resolves once it printed its URL. */
async function serve(root: string): Promise<Serving> {
  const env = environment(root);
  // Builds the CLI bundle first when it is stale, so the serving process never loads the bundler.
  execFileSync(process.execPath, [bin, "--version"], { env, stdio: "ignore" });
  const child = spawn(process.execPath, [bin, "serve", "--no-dispatch", "--port", "0", "--json"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve((JSON.parse(out.slice(0, nl)) as { url: string }).url);
    });
    exited.then((code) => reject(new Error(`switchyard serve exited (${code}) before serving: ${stderr}`)));
  });
  return { child, url, exited };
}

const API = "/api/plugins/kanban";

/** Sends one request and reads the body to the end without keeping it; returns its bytes. */
async function request(url: string, init?: RequestInit): Promise<number> {
  const res = await fetch(url, init);
  if (res.status !== 200)
    throw new Error(`${init?.method ?? "GET"} ${url} answered ${res.status}: ${await res.text()}`);
  let bytes = 0;
  for await (const chunk of res.body ?? []) bytes += (chunk as Uint8Array).byteLength;
  return bytes;
}

async function latestEventId(base: string): Promise<number> {
  const res = await fetch(`${base}${API}/board`);
  const board = (await res.json()) as { latest_event_id: number };
  return board.latest_event_id;
}

/** A dashboard's live stream: opened from `since`, counting the messages it gets. */
function dashboard(base: string, since: number): { opened: Promise<void>; messages: () => number; close: () => void } {
  const ws = new WebSocket(`${base.replace("http", "ws")}${API}/events?board=default&since=${since}`);
  let messages = 0;
  ws.on("message", () => {
    messages++;
  });
  return {
    opened: new Promise((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    }),
    messages: () => messages,
    close: () => ws.close(),
  };
}

type Kind = "board" | "task" | "write";

/** The request mix in a fixed scattered order: 5 % GET /board, 1 % POST /tasks, the rest GET /tasks/:id. */
function plan(requests: number): Kind[] {
  const kinds: Kind[] = [];
  for (let i = 0; i < requests; i++) kinds.push(i % 20 === 10 ? "board" : i % 100 === 37 ? "write" : "task");
  return kinds;
}

export async function memoryFigures(quick: boolean): Promise<Figure[]> {
  const size = quick ? QUICK : FULL;
  progress(`memory: seeding ${size.tasks} tasks`);
  const home = await freshHome();
  seedMixedBoard(dbPathOf(home), size.tasks);
  const server = await serve(home.root);
  const pid = server.child.pid as number;
  const sockets: Array<ReturnType<typeof dashboard>> = [];
  try {
    const started = memoryOf(pid).rss;
    progress("memory: one GET /board, then idle");
    const boardBytes = await request(`${server.url}${API}/board`);
    const idle = await settled(pid);
    const hwmIdle = memoryOf(pid).hwm;

    progress(`memory: ${size.clients} dashboards connected, ${size.requests} requests, ${CONCURRENCY} at a time`);
    let peakSampled = idle.rss;
    let gone: unknown = null;
    const sampler = setInterval(() => {
      try {
        peakSampled = Math.max(peakSampled, memoryOf(pid).rss);
      } catch (err) {
        gone ??= err; // the server died (its requests fail too); reported below
      }
    }, SAMPLE_MS);
    const t = nowMs();
    const counts = { board: 0, task: 0, write: 0 };
    try {
      const since = await latestEventId(server.url);
      for (let i = 0; i < size.clients; i++) sockets.push(dashboard(server.url, since));
      await Promise.all(sockets.map((s) => s.opened));
      const kinds = plan(size.requests);
      let next = 0;
      const lane = async () => {
        for (let i = next++; i < kinds.length; i = next++) {
          const kind = kinds[i] as Kind;
          counts[kind]++;
          if (kind === "board") await request(`${server.url}${API}/board`);
          else if (kind === "task") await request(`${server.url}${API}/tasks/${taskId((i * 7919) % size.tasks)}`);
          else {
            await request(`${server.url}${API}/tasks`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ title: `memory bench write ${i}` }),
            });
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    } finally {
      clearInterval(sampler);
    }
    if (gone) throw new Error(`the server's memory could not be read during the load: ${(gone as Error).message}`);
    const loadMs = nowMs() - t;
    const peak = memoryOf(pid).hwm;
    const messages = sockets.reduce((n, s) => n + s.messages(), 0);

    progress("memory: dashboards closed, waiting for RSS to settle");
    for (const s of sockets.splice(0)) s.close();
    const after = await settled(pid);

    return [
      figure("serve_memory_100k", peak, "MB", idle.rss, {
        tasks: size.tasks,
        target_mb: 300,
        started_mb: round(started, 1),
        idle_mb: round(idle.rss, 1),
        peak_mb: round(peak, 1),
        peak_before_load_mb: round(hwmIdle, 1),
        peak_sampled_during_load_mb: round(peakSampled, 1),
        after_mb: round(after.rss, 1),
        after_over_idle: round(after.rss / idle.rss, 2),
        after_settled: after.settled,
        after_settle_ms: Math.round(after.ms),
        clients: size.clients,
        requests: size.requests,
        mix: counts,
        concurrency: CONCURRENCY,
        live_messages_received: messages,
        load_seconds: round(loadMs / 1000, 1),
        board_response_bytes: boardBytes,
        via: "switchyard serve --no-dispatch (built CLI bundle, own process); RSS from /proc/<pid>/status",
        baseline_is: "the same server's idle RSS after one GET /board (it keeps the board's view)",
      }),
    ];
  } finally {
    for (const s of sockets) s.close();
    server.child.kill("SIGTERM");
    await server.exited;
  }
}
