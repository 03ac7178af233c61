import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { WORKER_TOOL_NAMES } from "@switchyard/contract";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";

/**
 * The release tarball (issue 15 item 6, docs/decisions/016-release-tarball.md): packed by
 * scripts/pack.mjs, installed with `npm install -g --prefix` from the npm registry as a user
 * would (better-sqlite3 builds or downloads its native binding; npm's own cache is reused), then
 * run only through the installed bins.
 */

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(repo, "apps/cli/package.json"), "utf8")) as { version: string }).version;
/** Packing takes seconds; installing compiles better-sqlite3 where no prebuilt binary is reachable (minutes on 2 cores). */
const INSTALL_TIMEOUT_MS = 15 * 60_000;

let dir: string;
let tarball: string;
let prefix: string;
let pkgDir: string;

/** The environment of a user's shell: without what pnpm and vitest add (npm_config_*, its node-gyp, node_modules/.bin on PATH). */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(npm|pnpm)_/i.test(key) || key.startsWith("VITEST")) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? "/usr/bin:/bin")
    .split(":")
    .filter((p) => !p.includes("node_modules") && !p.includes("node-gyp-bin"))
    .join(":");
  return { ...env, ...extra };
}

/**
 * Where no prebuilt better-sqlite3 can be downloaded, node-gyp compiles it, and it needs this
 * Node's headers: those installed beside it when there are (Debian's nodejs, Node's own
 * tarballs), rather than a download from nodejs.org.
 */
function installEnv(): Record<string, string> {
  const nodeDir = dirname(dirname(process.execPath));
  return existsSync(join(nodeDir, "include", "node", "common.gypi")) ? { npm_config_nodedir: nodeDir } : {};
}

/** Runs a bin from the temp prefix the way a shell does (its shebang finds node). */
function sy(bin: "switchyard" | "sy", args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(join(prefix, "bin", bin), args, { env: userEnv(env), encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr || (r.error?.message ?? "") };
}

function tempHomeEnv(): Record<string, string> {
  const home = mkdtempSync(join(dir, "home-"));
  return { SWITCHYARD_HOME: join(home, "switchyard"), HOME: home };
}

beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "switchyard-release-")));
  const packed = spawnSync(process.execPath, [join(repo, "scripts/pack.mjs"), "--out-dir", join(dir, "out")], {
    cwd: repo,
    encoding: "utf8",
    timeout: 5 * 60_000,
  });
  if (packed.status !== 0) throw new Error(`pack failed (exit ${packed.status}):\n${packed.stderr}`);
  tarball = packed.stdout.trim();

  prefix = join(dir, "prefix");
  const installed = spawnSync(
    "npm",
    [
      "install",
      "--global",
      "--prefix",
      prefix,
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      // npm 11 asks for install scripts to be allowed by name; better-sqlite3's builds its binding.
      "--allow-scripts=better-sqlite3",
      tarball,
    ],
    { cwd: dir, env: userEnv(installEnv()), encoding: "utf8", timeout: INSTALL_TIMEOUT_MS - 60_000 },
  );
  if (installed.status !== 0) {
    throw new Error(
      `npm install -g failed (${installed.error?.message ?? `exit ${installed.status}`}):\n${installed.stdout}\n${installed.stderr}`,
    );
  }
  pkgDir = join(prefix, "lib", "node_modules", "switchyard");
}, INSTALL_TIMEOUT_MS);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the release tarball, installed with npm install -g", () => {
  it("is switchyard-<version>.tgz with the bundle, the dashboard and the skills, declaring only better-sqlite3", () => {
    expect(tarball).toBe(join(dir, "out", `switchyard-${VERSION}.tgz`));
    const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      name: "switchyard",
      version: VERSION,
      bin: { switchyard: "bin/switchyard.mjs", sy: "bin/switchyard.mjs" },
    });
    expect(Object.keys(manifest.dependencies as object)).toEqual(["better-sqlite3"]);
    expect(manifest).not.toHaveProperty("devDependencies");
    expect(existsSync(join(pkgDir, "dist", "switchyard.mjs"))).toBe(true);
    expect(existsSync(join(pkgDir, "web", "index.html"))).toBe(true);
    expect(readdirSync(join(pkgDir, "skills")).sort()).toEqual(readdirSync(join(repo, "skills")).sort());
    expect(readFileSync(join(pkgDir, "skills", "kanban-worker", "SKILL.md"), "utf8")).toBe(
      readFileSync(join(repo, "skills", "kanban-worker", "SKILL.md"), "utf8"),
    );
  });

  it("runs its prebuilt bundle with no esbuild installed: --version from both bins", () => {
    // What npm installed is better-sqlite3 and its own dependencies; nothing can build the bundle.
    expect(existsSync(join(pkgDir, "node_modules", "esbuild"))).toBe(false);
    expect(existsSync(join(pkgDir, "scripts"))).toBe(false);
    for (const bin of ["switchyard", "sy"] as const) {
      const r = sy(bin, ["--version"]);
      expect(r, r.stderr).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    }
  });

  it("serve serves the built dashboard on a temp home and port, and stops on SIGTERM", async () => {
    const child: ChildProcess = spawn(join(prefix, "bin", "switchyard"), ["serve", "--port", "0"], {
      env: userEnv(tempHomeEnv()),
      stdio: ["ignore", "pipe", "pipe"],
    });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    let out = "";
    let err = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const deadline = Date.now() + 30_000;
      const look = () => {
        const match = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
        if (match) return resolve(match[0]);
        if (child.exitCode !== null) return reject(new Error(`serve exited ${child.exitCode}: ${err}`));
        if (Date.now() > deadline) return reject(new Error(`serve printed no URL: ${out}${err}`));
        setTimeout(look, 50);
      };
      look();
    });

    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toContain("has not been built");
    expect(html).toBe(readFileSync(join(pkgDir, "web", "index.html"), "utf8"));
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"><\/script>/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(`${url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    await asset.arrayBuffer();
    const board = await fetch(`${url}/api/plugins/kanban/board`);
    expect(board.status).toBe(200);
    await board.arrayBuffer();

    child.kill("SIGTERM");
    expect(await exited, err).toBe(0);
    await expect(fetch(`${url}/`)).rejects.toThrow();
  });

  it("mcp answers tools/list for the task in its environment", async () => {
    const env = tempHomeEnv();
    const created = sy("switchyard", ["create", "packaged task", "--assignee", "alice"], env);
    expect(created.code, created.stderr).toBe(0);
    const task = /Created (t_[0-9a-f]+)/.exec(created.stdout)?.[1];
    expect(task, created.stdout).toBeDefined();

    const transport = new StdioClientTransport({
      command: join(prefix, "bin", "switchyard"),
      args: ["mcp"],
      env: userEnv({ ...env, SWITCHYARD_TASK: task as string, SWITCHYARD_PROFILE: "alice" }),
      stderr: "pipe",
    });
    const client = new Client({ name: "switchyard-release-test", version: "1.0.0" });
    await client.connect(transport);
    const pid = transport.pid;
    onTestFinished(() => client.close());
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...WORKER_TOOL_NAMES].sort());

    await client.close();
    // Nothing is left running: the server process is gone once the client has closed.
    expect(pid).not.toBeNull();
    await expect.poll(() => alive(pid as number), { timeout: 10_000 }).toBe(false);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
