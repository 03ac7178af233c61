import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CliTask, EventsMessage, type TaskEvent } from "@switchyard/contract";
import { boardPaths, eventsSince, getTask, type Home, openKernel } from "@switchyard/core";
import { systemProcesses } from "@switchyard/runtime";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type RunningServer, startServer } from "../src/main.ts";
import { tempHome, until } from "./helpers.ts";

const CLI = fileURLToPath(new URL("../../cli/bin/switchyard.mjs", import.meta.url));
const servers: RunningServer[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(home: Home, options: { token?: string } = {}) {
  const server = await startServer({
    home,
    port: 0,
    dispatch: false,
    webRoot: null,
    token: options.token ?? null,
    pollIntervalMs: 50,
    log: () => {},
  });
  servers.push(server);
  return server;
}

interface Stream {
  ws: WebSocket;
  events: TaskEvent[];
  cursor: number;
  closed: { code: number; reason: string } | null;
  opened: boolean;
  refusal: number | null;
}

/** A WebSocket client of /events that parses every message with the contract. */
function connect(server: RunningServer, query = "", headers: Record<string, string> = {}): Stream {
  const url = `${server.url.replace("http", "ws")}/api/plugins/kanban/events${query}`;
  const ws = new WebSocket(url, { headers });
  sockets.push(ws);
  const stream: Stream = { ws, events: [], cursor: -1, closed: null, opened: false, refusal: null };
  ws.on("open", () => {
    stream.opened = true;
  });
  ws.on("message", (data) => {
    const message = EventsMessage.parse(JSON.parse(data.toString()));
    stream.events.push(...message.events);
    stream.cursor = message.cursor;
  });
  ws.on("close", (code, reason) => {
    stream.closed = { code, reason: reason.toString() };
  });
  ws.on("unexpected-response", (_req, res) => {
    stream.refusal = res.statusCode ?? 0;
    ws.terminate();
  });
  ws.on("error", () => {});
  return stream;
}

/** Runs the real `switchyard` binary against the home; resolves with its exit code and output. */
function cli(home: Home, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, SWITCHYARD_HOME: home.root, SWITCHYARD_TOKEN: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

async function post(server: RunningServer, path: string, json: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/api/plugins/kanban${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(json),
  });
  return { status: res.status, body: (await res.json()) as { task: { id: string } } };
}

describe("the live stream of a real server", () => {
  it("pushes the server's own write to a WebSocket client", async () => {
    const home = tempHome();
    const server = await serve(home);
    const stream = connect(server, "?since=0");
    await until(() => stream.opened, "the socket to open");
    const { body } = await post(server, "/tasks", { title: "from the API" });
    await until(() => stream.events.some((e) => e.task_id === body.task.id), "the created event");
    expect(stream.events.map((e) => e.kind)).toEqual(["created"]);
  });

  it("pushes a task created by a separate switchyard CLI process", async () => {
    const home = tempHome();
    const server = await serve(home);
    const stream = connect(server, "?since=0");
    await until(() => stream.opened, "the socket to open");
    const run = await cli(home, ["create", "from the CLI", "--json"]);
    expect(run.code).toBe(0);
    const created = CliTask.parse(JSON.parse(run.stdout));
    await until(() => stream.events.some((e) => e.task_id === created.id), "the CLI's created event");
    expect(stream.events.find((e) => e.task_id === created.id)?.kind).toBe("created");
  }, 120_000);

  it("gives a client that reconnects with since exactly the events it missed", async () => {
    const home = tempHome();
    const server = await serve(home);
    const first = connect(server, "?since=0");
    await until(() => first.opened, "the socket to open");
    await post(server, "/tasks", { title: "seen" });
    await until(() => first.events.length === 1, "the first event");
    const cursor = first.cursor;
    first.ws.close();
    await until(() => first.closed !== null, "the socket to close");

    // Missed while disconnected: writes from the API and from another process.
    const a = (await post(server, "/tasks", { title: "missed a" })).body.task.id;
    await post(server, `/tasks/${a}/comments`, { body: "note" });
    expect((await cli(home, ["create", "missed b"])).code).toBe(0);

    const k = await openKernel(boardPaths(home, "default"));
    const missed = (await eventsSince(k, cursor)).map((e) => e.id);
    await k.close();
    expect(missed.length).toBe(3);

    const second = connect(server, `?since=${cursor}`);
    await until(() => second.events.length >= missed.length, "the missed events");
    await post(server, "/tasks", { title: "live again" });
    await until(() => second.events.length === missed.length + 1, "the next live event");
    expect(second.events.slice(0, missed.length).map((e) => e.id)).toEqual(missed);
    expect(new Set(second.events.map((e) => e.id)).size).toBe(second.events.length);
    expect(second.events.every((e) => e.id > cursor)).toBe(true);
  }, 120_000);

  it("closes its streams with 1001 on shutdown and stops listening", async () => {
    const home = tempHome();
    const server = await serve(home);
    const stream = connect(server);
    await until(() => stream.opened, "the socket to open");
    await server.close();
    await until(() => stream.closed !== null, "the socket to close");
    expect(stream.closed?.code).toBe(1001);
    await expect(fetch(`${server.url}/api/plugins/kanban/stats`)).rejects.toThrow();
  });
});

describe("security of a real server", () => {
  const TOKEN = "s3cret-token";

  it("closes a WebSocket without the token with 1008 when a token is required", async () => {
    const home = tempHome();
    const server = await serve(home, { token: TOKEN });
    const denied = connect(server, "?since=0");
    await until(() => denied.closed !== null, "the refused socket to close");
    expect(denied.closed?.code).toBe(1008);
    expect(denied.events).toEqual([]);

    const wrong = connect(server, "?since=0&token=nope");
    await until(() => wrong.closed !== null, "the wrong-token socket to close");
    expect(wrong.closed?.code).toBe(1008);
  });

  it("streams to a WebSocket that presents the token", async () => {
    const home = tempHome();
    const server = await serve(home, { token: TOKEN });
    const byQuery = connect(server, `?since=0&token=${TOKEN}`);
    const byHeader = connect(server, "?since=0", { authorization: `Bearer ${TOKEN}` });
    await until(() => byQuery.opened && byHeader.opened, "the sockets to open");
    await post(server, "/tasks", { title: "secret work" }, { authorization: `Bearer ${TOKEN}` });
    await until(() => byQuery.events.length === 1 && byHeader.events.length === 1, "the event on both sockets");
    expect(byQuery.closed).toBeNull();
  });

  it("refuses a cross-origin WebSocket upgrade and a foreign Host", async () => {
    const home = tempHome();
    const server = await serve(home);
    const cross = connect(server, "", { origin: "http://evil.example" });
    await until(() => cross.refusal !== null, "the refusal");
    expect(cross.refusal).toBe(403);
    const rebound = connect(server, "", { host: "evil.example" });
    await until(() => rebound.refusal !== null, "the refusal");
    expect(rebound.refusal).toBe(403);
  });

  it("refuses a stream of a board that does not exist with 404, and of a malformed slug with 400", async () => {
    const home = tempHome();
    const server = await serve(home);
    const unknown = connect(server, "?board=nowhere");
    await until(() => unknown.refusal !== null, "the refusal");
    expect(unknown.refusal).toBe(404);
    const malformed = connect(server, "?board=Not%2FA%20Slug");
    await until(() => malformed.refusal !== null, "the refusal");
    expect(malformed.refusal).toBe(400);
  });

  it("refuses to listen on a non-loopback address without a token", async () => {
    const home = tempHome();
    await expect(startServer({ home, host: "0.0.0.0", port: 0, token: null, log: () => {} })).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0 without a token/,
    );
  });

  it("makes `switchyard serve --host 0.0.0.0` without a token exit 2 with one clear line", async () => {
    const home = tempHome();
    const run = await cli(home, ["serve", "--host", "0.0.0.0", "--port", "0"]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(/without a token.*SWITCHYARD_TOKEN/)]);
    expect(run.stdout).toBe("");
  }, 120_000);
});

describe("switchyard serve", () => {
  it("exits on SIGTERM while a worker it started keeps running", async () => {
    const home = tempHome('profiles:\n  sleeper:\n    command: ["sleep", "600"]\n');
    const child = spawn(process.execPath, [CLI, "serve", "--port", "0"], {
      env: { ...process.env, SWITCHYARD_HOME: home.root, SWITCHYARD_TOKEN: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    let exit: number | null | undefined;
    child.on("exit", (code) => {
      exit = code;
    });
    await until(() => /http:\/\/\S+/.test(out) || exit !== undefined, "the server to start", 90_000);
    const url = /http:\/\/\S+/.exec(out)?.[0] ?? "";
    const created = await fetch(`${url}/api/plugins/kanban/tasks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "nap", assignee: "sleeper" }),
    });
    const id = ((await created.json()) as { task: { id: string } }).task.id;
    const k = await openKernel(boardPaths(home, "default"));
    const workerPid = async () => (await getTask(k, id))?.worker_pid ?? null;
    try {
      await until(async () => (await workerPid()) !== null, "the worker to start");
      child.kill("SIGTERM");
      await until(() => exit !== undefined, "the server to exit", 30_000);
      expect(exit).toBe(0);
      expect(systemProcesses.isAlive((await workerPid()) ?? 0)).toBe(true);
    } finally {
      const pid = await workerPid();
      if (pid !== null) systemProcesses.kill(-pid, "SIGKILL");
      await k.close();
    }
  }, 120_000);

  it("serves the API on the port it prints and shuts down on SIGTERM", async () => {
    const home = tempHome();
    const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--no-dispatch"], {
      env: { ...process.env, SWITCHYARD_HOME: home.root, SWITCHYARD_TOKEN: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    let exit: number | null | undefined;
    child.on("exit", (code) => {
      exit = code;
    });
    await until(() => /http:\/\/\S+/.test(out) || exit !== undefined, "the server to start", 90_000);
    const url = /http:\/\/\S+/.exec(out)?.[0] ?? "";
    const res = await fetch(`${url}/api/plugins/kanban/stats`);
    expect(res.status).toBe(200);
    child.kill("SIGTERM");
    await until(() => exit !== undefined, "the server to exit", 30_000);
    expect({ exit, err: err.trim() }).toEqual({
      exit: 0,
      err: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info SIGTERM: shutting down$/),
    });
  }, 120_000);
});
