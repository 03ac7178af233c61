import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EventsMessage, type TaskEvent } from "@switchyard/contract";
import { afterEach, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import { createTestDatabase } from "../../../packages/core/test/postgres-server.ts";

/**
 * Issue 17, live updates across servers: two `switchyard serve` processes on one PostgreSQL
 * database (as behind one address) both stream every commit to their WebSocket clients, with
 * the same cursor semantics, whichever of them took the write.
 */

const CLI = fileURLToPath(new URL("../../cli/bin/switchyard.mjs", import.meta.url));
const cleanups: Array<() => void> = [];

afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

interface Served {
  url: string;
  api: string;
}

/** A real `switchyard serve` process with its own home (its own "machine"), on the database. */
async function serve(databaseUrl: string, hostId: string): Promise<Served> {
  const home = mkdtempSync(join(tmpdir(), "switchyard-two-servers-"));
  const child: ChildProcess = spawn(process.execPath, [CLI, "serve", "--port", "0", "--no-dispatch", "--json"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      SWITCHYARD_HOME: join(home, "home"),
      SWITCHYARD_DATABASE_URL: databaseUrl,
      SWITCHYARD_HOST_ID: hostId,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  cleanups.push(() => {
    child.kill("SIGKILL");
    rmSync(home, { recursive: true, force: true });
  });
  let out = "";
  let err = "";
  child.stderr?.on("data", (d) => {
    err += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const line = out.split("\n").find((l) => l.includes('"url"'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
  return { url, api: `${url}/api/plugins/kanban` };
}

interface Stream {
  events: Array<TaskEvent & { at: number }>;
  cursors: number[];
  opened: Promise<void>;
}

function connect(server: Served, since: number): Stream {
  const ws = new WebSocket(`${server.api.replace("http", "ws")}/events?since=${since}`);
  cleanups.push(() => ws.terminate());
  const stream: Stream = {
    events: [],
    cursors: [],
    opened: new Promise((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    }),
  };
  ws.on("message", (data) => {
    const message = EventsMessage.parse(JSON.parse(data.toString()));
    const at = performance.now();
    stream.events.push(...message.events.map((e) => ({ ...e, at })));
    stream.cursors.push(message.cursor);
  });
  return stream;
}

async function until(what: string, fn: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function createVia(server: Served, title: string): Promise<{ id: string; sentAt: number }> {
  const sentAt = performance.now();
  const res = await fetch(`${server.api}/tasks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title }),
  });
  expect(res.status).toBe(200);
  return { id: ((await res.json()) as { task: { id: string } }).task.id, sentAt };
}

describe("two servers on one PostgreSQL database", () => {
  it("a write through one reaches a WebSocket client of the other within a second, in cursor order", async () => {
    const url = createTestDatabase(inject("switchyardPostgresUrl"), "twoservers");
    const [a, b] = await Promise.all([serve(url, "srv-a"), serve(url, "srv-b")]);
    const onB = connect(b, 0);
    const onA = connect(a, 0);
    await Promise.all([onB.opened, onA.opened]);

    const first = await createVia(a, "written through A");
    await until("B's client to see A's write", () => onB.events.some((e) => e.task_id === first.id));
    const seen = onB.events.find((e) => e.task_id === first.id);
    expect(seen?.kind).toBe("created");
    expect((seen?.at ?? Number.POSITIVE_INFINITY) - first.sentAt).toBeLessThan(1000);

    // Both ways, interleaved: each client gets every event once, in id order, whoever wrote it.
    const ids = [first.id];
    for (let i = 0; i < 5; i++) ids.push((await createVia(i % 2 === 0 ? b : a, `task ${i}`)).id);
    for (const stream of [onA, onB]) {
      await until("every event on both streams", () => ids.every((id) => stream.events.some((e) => e.task_id === id)));
      expect(stream.events.map((e) => e.task_id)).toEqual(ids);
      const eventIds = stream.events.map((e) => e.id);
      expect(eventIds).toEqual([...eventIds].sort((x, y) => x - y));
      expect(stream.cursors.at(-1)).toBe(eventIds.at(-1));
    }

    // The cursor is the same on both servers: resuming on B from an id seen on A gives exactly the rest.
    const cursor = onA.events[2]?.id as number;
    const resumed = connect(b, cursor);
    await resumed.opened;
    await until("the resumed stream", () => resumed.events.length >= ids.length - 3);
    expect(resumed.events.map((e) => e.task_id)).toEqual(ids.slice(3));
  }, 120_000);
});
