import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openBoard, resolveHome } from "@switchyard/core";
import { startServer } from "@switchyard/server";
import { describe, expect, it, onTestFinished } from "vitest";
import { holdWriteLock } from "../../../packages/core/test/write-lock.ts";

/**
 * Failures of the storage itself, end to end (issue 13, decision 014): a full disk, a read-only
 * board and a board whose write lock another process holds each get their code on the API and
 * one line naming the cause and the file from the CLI; another application's SQLite database
 * is refused and left byte for byte as it was. Real files, real processes:
 *
 * - a full disk is a small tmpfs, mounted in a mount namespace of its own (`unshare`; as a
 *   normal user inside a user namespace too) so nothing stays mounted; the CLI and the server
 *   run inside it (`nsenter`);
 * - a read-only board is a chmod'd file or directory. Root ignores file modes, so when the tests
 *   run as root the CLI and the server run as `nobody`, for whom the modes hold;
 * - a busy board is another process holding `BEGIN IMMEDIATE`, with a short busy timeout
 *   (`SWITCHYARD_BUSY_TIMEOUT_SECONDS`).
 */

/** The built bundle, run directly: the `nobody` user cannot rebuild it (global-setup built it). */
const DIST = fileURLToPath(new URL("../dist/switchyard.mjs", import.meta.url));
const SQLITE_MODULE = createRequire(import.meta.url).resolve("better-sqlite3");
const AS_ROOT = process.getuid?.() === 0;
const API = "/api/plugins/kanban";

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface User {
  uid: number;
  gid: number;
}

/** Who runs the CLI and the server: `nobody` when these tests run as root (file modes bind it), else this user. */
function reader(): User | null {
  if (!AS_ROOT) return null;
  const id = (flag: string) => Number(spawnSync("id", [flag, "nobody"], { encoding: "utf8" }).stdout.trim());
  return { uid: id("-u"), gid: id("-g") };
}

function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function sidecars(dbPath: string): string[] {
  return ["-wal", "-shm", "-journal"].map((s) => `${dbPath}${s}`).filter((p) => existsSync(p));
}

/** The one line a refusal prints, without the `switchyard: ` prefix; fails unless there is exactly one. */
function oneLine(r: Result): string {
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^switchyard: /);
  return (lines[0] ?? "").replace(/^switchyard: /, "");
}

function escaped(path: string): string {
  return path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A temp directory anyone may enter, removed (and made writable again first) when the test ends. */
function tempDir(prefix: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  chmodSync(dir, 0o755);
  onTestFinished(() => {
    spawnSync("chmod", ["-R", "u+w", dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

interface Served {
  url: string;
  request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }>;
  stop(): Promise<void>;
}

/** A Switchyard home and how its commands run: as `user`, and inside `prefix` (nsenter …) when given. */
interface Place {
  root: string;
  dbPath: string;
  run(args: string[], env?: Record<string, string>): Result;
  ok(args: string[], env?: Record<string, string>): string;
  /** Runs `node -e script args…` the same way (inside the namespace, as the user). */
  node(script: string, args: string[]): Result;
  serve(env?: Record<string, string>): Promise<Served>;
}

function place(root: string, how: { user?: User | null; prefix?: string[] } = {}): Place {
  const user = how.user ?? null;
  const prefix = how.prefix ?? [];
  const baseEnv = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: join(root, "..", "user-home"),
    LANG: "C.UTF-8",
    SWITCHYARD_HOME: root,
  };
  const command = (args: string[]): [string, string[]] =>
    prefix.length > 0
      ? [prefix[0] as string, [...prefix.slice(1), process.execPath, ...args]]
      : [process.execPath, args];
  const ids = user ? { uid: user.uid, gid: user.gid } : {};
  const spawnOnce = (args: string[], env: Record<string, string>): Result => {
    const [cmd, argv] = command(args);
    const r = spawnSync(cmd, argv, { env: { ...baseEnv, ...env }, encoding: "utf8", timeout: 60_000, ...ids });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const p: Place = {
    root,
    dbPath: join(root, "kanban.db"),
    run: (args, env = {}) => spawnOnce([DIST, ...args], env),
    ok(args, env = {}) {
      const r = p.run(args, env);
      expect(r.code, `switchyard ${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r.stdout;
    },
    node: (script, args) => spawnOnce(["-e", script, ...args], {}),
    async serve(env = {}) {
      const [cmd, argv] = command([DIST, "serve", "--host", "127.0.0.1", "--port", "0", "--no-dispatch"]);
      const child = spawn(cmd, argv, { env: { ...baseEnv, ...env }, stdio: ["ignore", "pipe", "pipe"], ...ids });
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited;
      };
      onTestFinished(stop);
      const out = await waitFor(child, /serving (http:\/\/\S+) /);
      const url = /serving (http:\/\/\S+) /.exec(out)?.[1] ?? "";
      return {
        url,
        async request(method, path, body) {
          const res = await fetch(`${url}${API}${path}`, {
            method,
            headers: { "content-type": "application/json", origin: url },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
        },
        stop,
      };
    },
  };
  return p;
}

/** Waits (with a generous deadline) until the child's output matches; returns the output so far. */
function waitFor(child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let both = "";
    const timer = setTimeout(() => done(new Error(`timed out waiting for ${pattern}:\n${both}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      both += chunk.toString("utf8");
      if (pattern.test(both)) done(null);
    };
    const onExit = (code: number | null) => done(new Error(`exited (${code}) before ${pattern}:\n${both}`));
    function done(err: Error | null) {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve(both);
    }
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}

/**
 * A tmpfs of `bytes` mounted on a fresh directory in a mount namespace of its own (held open by
 * a process that waits on stdin), and the `nsenter` prefix that runs a command inside it.
 */
async function tmpfsNamespace(bytes: number): Promise<{ dir: string; prefix: string[] }> {
  const dir = tempDir("switchyard-full-");
  const unshare = AS_ROOT ? ["--mount", "--propagation", "private"] : ["--user", "--map-root-user", "--mount"];
  const holder = spawn(
    "unshare",
    [
      ...unshare,
      "sh",
      "-c",
      'mount -t tmpfs -o size="$1" tmpfs "$0" && echo mounted && exec cat >/dev/null',
      dir,
      String(bytes),
    ],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  const exited = new Promise<void>((resolve) => holder.once("exit", () => resolve()));
  onTestFinished(async () => {
    holder.stdin?.end();
    await exited;
  });
  await waitFor(holder, /mounted/);
  const enter = AS_ROOT ? ["--mount"] : ["--user", "--mount", "--preserve-credentials"];
  return { dir, prefix: ["nsenter", "--target", String(holder.pid), ...enter, "--"] };
}

describe("another application's SQLite database at the board path", () => {
  it("is refused by list, create and the API with a clear message, and left byte for byte as it was", async () => {
    const root = join(tempDir("switchyard-foreign-"), "home");
    mkdirSync(root);
    const p = place(root);
    const made = p.node(
      `const db = new (require(process.argv[1]))(process.argv[2]);
       db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)");
       db.prepare("INSERT INTO users (email) VALUES (?)").run("ann@example.com");
       db.close();`,
      [SQLITE_MODULE, p.dbPath],
    );
    expect(made.code, made.stderr).toBe(0);
    const before = sha256(p.dbPath);
    const refusal = new RegExp(
      `^refusing to open ${escaped(p.dbPath)}: it is another application's SQLite database, not a board: it has no tasks table \\(its tables: users\\)\\. The file was left exactly as it was`,
    );

    for (const args of [["list"], ["create", "a task"], ["show", "t_00000000"]]) {
      const r = p.run(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(oneLine(r)).toMatch(refusal);
    }

    const server = await startServer({
      home: resolveHome({ SWITCHYARD_HOME: root }),
      port: 0,
      dispatch: false,
      log: () => {},
    });
    onTestFinished(() => server.close());
    for (const [method, path, body] of [
      ["GET", "/board", undefined],
      ["POST", "/tasks", { title: "a task" }],
    ] as const) {
      const res = await fetch(`${server.url}${API}${path}`, {
        method,
        headers: { "content-type": "application/json", origin: server.url },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(res.status, `${method} ${path}`).toBe(503);
      const json = (await res.json()) as { code: string; detail: string };
      expect(json.code).toBe("board_unreadable");
      expect(json.detail).toMatch(refusal);
    }
    await server.close();

    expect(sha256(p.dbPath)).toBe(before);
    expect(sidecars(p.dbPath)).toEqual([]);
    const after = p.node(
      `const db = new (require(process.argv[1]))(process.argv[2], { readonly: true });
       process.stdout.write(JSON.stringify([
         db.pragma("journal_mode", { simple: true }),
         db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all(),
       ]));`,
      [SQLITE_MODULE, p.dbPath],
    );
    expect(JSON.parse(after.stdout)).toEqual(["delete", ["users"]]);
    expect(sha256(p.dbPath)).toBe(before);
  });
});

describe("a read-only board", () => {
  it.each([
    ["the board file", "the file is not writable by this user"],
    ["the board's directory", "its directory .* is not writable by this user"],
  ])(
    "when %s cannot be written: list, show and GET read it, writes answer board_read_only naming the file, and nothing changes",
    async (what, because) => {
      const root = join(tempDir("switchyard-ro-"), "home");
      mkdirSync(root);
      const user = reader();
      if (user) chownSync(root, user.uid, user.gid);
      const p = place(root, { user });
      const parent = /Created (t_[0-9a-f]+)/.exec(p.ok(["create", "parent"]))?.[1] ?? "";
      const child = /Created (t_[0-9a-f]+)/.exec(p.ok(["create", "child", "--parent", parent]))?.[1] ?? "";
      p.ok(["complete", parent]);
      // A todo task whose parents are done: the promote in `list` would write it to ready.
      const k = await openBoard(resolveHome({ SWITCHYARD_HOME: root }));
      await k.db.run("UPDATE tasks SET status = 'todo' WHERE id = ?", [child]);
      await k.close();
      expect(sidecars(p.dbPath)).toEqual([]);

      if (what === "the board file") chmodSync(p.dbPath, 0o444);
      else chmodSync(root, 0o555);
      const before = sha256(p.dbPath);
      const refusal = new RegExp(
        `^cannot write to ${escaped(p.dbPath)}: the board is read-only \\(${because}\\); reading it still works$`,
      );

      const listed = p.ok(["list"]);
      expect(listed).toMatch(new RegExp(`${child} todo .* child`));
      expect(listed).toMatch(new RegExp(`${parent} done .* parent`));
      expect(p.ok(["show", child])).toContain("status:     todo");
      for (const args of [
        ["create", "another"],
        ["comment", child, "hello"],
        ["assign", child, "bob"],
      ]) {
        const r = p.run(args);
        expect(r.code, args.join(" ")).toBe(1);
        expect(oneLine(r)).toMatch(refusal);
      }

      const server = await p.serve();
      const board = await server.request("GET", "/board");
      expect(board.status).toBe(200);
      expect(JSON.stringify(board.json)).toContain(child);
      expect((await server.request("GET", `/tasks/${child}`)).status).toBe(200);
      expect((await server.request("GET", "/stats")).status).toBe(200);
      for (const [method, path, body] of [
        ["POST", "/tasks", { title: "another" }],
        ["PATCH", `/tasks/${child}`, { priority: 3 }],
        ["POST", `/tasks/${child}/comments`, { body: "hello" }],
      ] as const) {
        const res = await server.request(method, path, body);
        expect(res.status, `${method} ${path}`).toBe(503);
        expect(res.json.code).toBe("board_read_only");
        expect(String(res.json.detail)).toMatch(refusal);
      }

      // Reading created nothing beside the file and changed none of its bytes.
      expect(sha256(p.dbPath)).toBe(before);
      expect(sidecars(p.dbPath)).toEqual([]);

      // Writable again: the running server writes without a restart.
      if (what === "the board file") chmodSync(p.dbPath, 0o644);
      else chmodSync(root, 0o755);
      const created = await server.request("POST", "/tasks", { title: "after" });
      expect(created.status, JSON.stringify(created.json)).toBe(200);
      await server.stop();
      expect(p.ok(["list"])).toContain("after");
    },
  );
});

describe("a board whose write lock another process holds", () => {
  it("create and POST wait the busy timeout, then answer board_busy (503 with Retry-After) naming the file; reads go on", async () => {
    const root = join(tempDir("switchyard-busy-"), "home");
    const p = place(root);
    const first = /Created (t_[0-9a-f]+)/.exec(p.ok(["create", "first"]))?.[1] ?? "";
    const env = { SWITCHYARD_BUSY_TIMEOUT_SECONDS: "0.5" };
    const server = await p.serve(env);
    expect((await server.request("GET", "/board")).status).toBe(200);

    const lock = await holdWriteLock(p.dbPath);
    const r = p.run(["create", "second"], env);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toMatch(
      new RegExp(
        `^cannot write to ${escaped(p.dbPath)}: the board is busy \\(another process held its write lock for longer than the 0\\.5 s busy timeout, SQLITE_BUSY\\); nothing was written`,
      ),
    );
    expect(p.ok(["show", first], env)).toContain("first");

    const busy = await server.request("POST", "/tasks", { title: "second" });
    expect(busy.status).toBe(503);
    expect(busy.json.code).toBe("board_busy");
    expect(String(busy.json.detail)).toContain(p.dbPath);
    expect(busy.headers.get("retry-after")).toBe("2");
    const board = await server.request("GET", "/board");
    expect(board.status).toBe(200);
    expect(JSON.stringify(board.json)).toContain(first);

    await lock.release();
    const created = await server.request("POST", "/tasks", { title: "third" });
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    await server.stop();
    const titles = JSON.parse(p.ok(["list", "--json"])).map((t: { title: string }) => t.title);
    expect(titles.sort()).toEqual(["first", "third"]);
  });
});

describe("a full disk", () => {
  it("create and POST answer storage_full (507) naming the file; nothing is half-written and reads go on", async () => {
    const ns = await tmpfsNamespace(2 * 1024 * 1024);
    const p = place(join(ns.dir, "home"), { prefix: ns.prefix });
    p.ok(["create", "first"]);
    // Fill the file system but for 96 KiB: room to open the board (its 32 KiB -shm), not to write a big task.
    const fill = p.node(
      `const fs = require("fs");
       const s = fs.statfsSync(process.argv[1]);
       fs.writeFileSync(process.argv[1] + "/filler", Buffer.alloc(Math.max(0, s.bavail * s.bsize - 96 * 1024)));`,
      [ns.dir],
    );
    expect(fill.code, fill.stderr).toBe(0);

    const r = p.run(["create", "big", "--body", "x".repeat(120_000)]);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toMatch(
      new RegExp(
        `^cannot write to ${escaped(p.dbPath)}: the disk is full \\(SQLITE_FULL, \\d+ bytes free\\); nothing was written`,
      ),
    );
    expect(JSON.parse(p.ok(["list", "--json"])).map((t: { title: string }) => t.title)).toEqual(["first"]);

    const server = await p.serve();
    expect((await server.request("GET", "/board")).status).toBe(200);
    const full = await server.request("POST", "/tasks", { title: "big", body: "x".repeat(300_000) });
    expect(full.status).toBe(507);
    expect(full.json.code).toBe("storage_full");
    expect(String(full.json.detail)).toContain(p.dbPath);
    const board = await server.request("GET", "/board");
    expect(board.status).toBe(200);
    expect(JSON.stringify(board.json)).not.toContain('"big"');
    await server.stop();

    const check = p.node(
      `const Database = require(process.argv[1]);
       const db = new Database(process.argv[2], { readonly: true });
       process.stdout.write(JSON.stringify([db.pragma("quick_check", { simple: true }), db.prepare("SELECT title FROM tasks").pluck().all()]));`,
      [SQLITE_MODULE, p.dbPath],
    );
    expect(check.code, check.stderr).toBe(0);
    expect(JSON.parse(check.stdout)).toEqual(["ok", ["first"]]);
  });
});
