import { type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { type Home, type Kernel, openBoard, resolveHome } from "@switchyard/core";
import { expect, onTestFinished } from "vitest";
import type { z } from "zod";

/** The real entry point, as `pnpm sy` and a `switchyard` on PATH run it. */
export const BIN = fileURLToPath(new URL("../bin/switchyard.mjs", import.meta.url));

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface TestHome {
  dir: string;
  /** SWITCHYARD_HOME. */
  root: string;
  /** The environment every call gets: this home, a temp HOME, no inherited Switchyard or Hermes variables. */
  env: Record<string, string>;
  run(args: string[], options?: { env?: Record<string, string>; input?: string }): Result;
  /** Runs a command that must succeed and print JSON of this schema. */
  json<S extends z.ZodType>(schema: S, args: string[], options?: { env?: Record<string, string> }): z.infer<S>;
  /** Runs a command that must succeed; returns its stdout. */
  ok(args: string[], options?: { env?: Record<string, string> }): string;
  /** Creates a task and returns its id. */
  create(title: string, ...flags: string[]): string;
  /** Opens the default board with the kernel, to set up or inspect what the CLI cannot (closed when the test ends). */
  kernel(): Promise<Kernel>;
  home(): Home;
}

function cleanEnv(dir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: join(dir, "user-home"),
    LANG: "C.UTF-8",
    SWITCHYARD_HOME: join(dir, "home"),
  };
}

function describeResult(args: string[], r: Result): string {
  return `switchyard ${args.join(" ")} -> exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}

/** A fresh Switchyard home in a temp directory, removed when the test ends. */
export function tempHome(): TestHome {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "switchyard-cli-")));
  const env = cleanEnv(dir);
  const kernels: Array<Promise<Kernel>> = [];
  onTestFinished(async () => {
    for (const opening of kernels) await (await opening.catch(() => null))?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const t: TestHome = {
    dir,
    root: join(dir, "home"),
    env,
    run(args, options = {}) {
      const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
        env: { ...env, ...options.env },
        input: options.input ?? "",
        encoding: "utf8",
        timeout: 60_000,
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    json(schema, args, options) {
      const r = t.run(args, options);
      expect(r.code, describeResult(args, r)).toBe(0);
      return schema.parse(JSON.parse(r.stdout));
    },
    ok(args, options) {
      const r = t.run(args, options);
      expect(r.code, describeResult(args, r)).toBe(0);
      return r.stdout;
    },
    create(title, ...flags) {
      const out = t.ok(["create", title, ...flags]);
      const id = /Created (t_[0-9a-f]+)/.exec(out)?.[1];
      if (!id) throw new Error(`no task id in: ${out}`);
      return id;
    },
    home: () => resolveHome(env),
    kernel() {
      const opening = openBoard(t.home());
      kernels.push(opening);
      return opening;
    },
  };
  return t;
}

/** Every row of every table, for asserting that a refused command changed nothing. */
export async function boardSnapshot(k: Kernel): Promise<Record<string, unknown[]>> {
  const tables = ["tasks", "task_links", "task_comments", "task_events", "task_runs", "kanban_notify_subs"];
  const snapshot: Record<string, unknown[]> = {};
  for (const t of tables) snapshot[t] = await k.db.all(`SELECT * FROM ${t} ORDER BY rowid`, []);
  return snapshot;
}

/**
 * A refused command: exit `code` (or either of 1 and 2), nothing on stdout, exactly one line on
 * stderr that starts with `switchyard: ` and matches `message`, and no change to the board.
 */
export async function expectRefused(
  home: TestHome,
  args: string[],
  code: 1 | 2 | "1 or 2",
  message: RegExp,
): Promise<void> {
  const before = await boardSnapshot(await home.kernel());
  const r = home.run(args);
  const what = `switchyard ${args.join(" ").slice(0, 200)}`;
  if (code === "1 or 2") expect([1, 2], `${what}\n${r.stderr}`).toContain(r.code);
  else expect(r.code, `${what}\n${r.stderr}`).toBe(code);
  expect(r.stdout, what).toBe("");
  const lines = r.stderr.split("\n").filter(Boolean);
  expect(lines, what).toHaveLength(1);
  expect(lines[0], what).toMatch(/^switchyard: /);
  expect(lines[0], what).toMatch(message);
  expect(await boardSnapshot(await home.kernel()), what).toEqual(before);
}

/** A long-running `switchyard` process (tail, watch, mcp) whose output can be awaited. */
export interface LiveProcess {
  readonly pid: number;
  /** What it printed on stdout so far. */
  output(): string;
  /** Polls until stdout and stderr together match, with a generous deadline for a slow shared machine. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<number | null>;
}

export function startCli(home: TestHome, args: string[]): LiveProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env: home.env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let both = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    both += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    both += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  onTestFinished(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return {
    pid: child.pid as number,
    output: () => out,
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(both)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${both}`);
        if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before ${pattern}:\n${both}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return both;
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGINT");
      return exited;
    },
  };
}

/** `switchyard mcp` of this home started over stdio, with `env` on top (closed when the test ends). */
export async function connectMcp(home: TestHome, env: Record<string, string>, args: string[] = []): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "mcp", ...args],
    env: { ...home.env, ...env },
    stderr: "pipe",
  });
  const client = new Client({ name: "switchyard-test", version: "1.0.0" });
  await client.connect(transport);
  onTestFinished(() => client.close());
  return client;
}
