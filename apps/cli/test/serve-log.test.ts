import { type ChildProcess, spawn } from "node:child_process";
import { CliServing, LogRecord } from "@switchyard/contract";
import { describe, expect, it, onTestFinished } from "vitest";
import { BIN, type TestHome, tempHome } from "./cli.ts";

/**
 * `serve`'s log (issue 15 item 5): every line on stderr has an ISO time and a level, requests are
 * logged one line each at debug level, and `--json` makes the URL and the log JSON lines.
 */

const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;

interface Served {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the server's URL once it has printed it. */
  url: Promise<string>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

function serve(home: TestHome, args: string[], env: Record<string, string> = {}): Served {
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--no-dispatch", ...args], {
    env: { ...home.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
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
  onTestFinished(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  const url = new Promise<string>((resolve, reject) => {
    const look = () => {
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (match) return resolve(match[0]);
      if (child.exitCode !== null) return reject(new Error(`serve exited ${child.exitCode}: ${err}`));
      setTimeout(look, 50);
    };
    look();
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    url,
    async stop() {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

function stderrLines(s: Served): string[] {
  return s.stderr().split("\n").filter(Boolean);
}

describe("serve's log", () => {
  it("writes each request as one debug line with --log-level debug, and every line as <ISO time> <level> <message>", async () => {
    const home = tempHome();
    const s = serve(home, ["--log-level", "debug"]);
    const url = await s.url;
    expect((await fetch(`${url}/api/plugins/kanban/stats`)).status).toBe(200);
    expect((await fetch(`${url}/api/plugins/kanban/tasks/t_00000000`)).status).toBe(404);
    expect(await s.stop()).toBe(0);
    const lines = stderrLines(s);
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^${ISO} debug GET /api/plugins/kanban/stats 200 \\d+ms$`)),
      expect.stringMatching(new RegExp(`^${ISO} debug GET /api/plugins/kanban/tasks/t_00000000 404 \\d+ms$`)),
      expect.stringMatching(new RegExp(`^${ISO} info SIGTERM: shutting down$`)),
    ]);
    expect(s.stdout()).toMatch(/^Switchyard is serving http:\/\/127\.0\.0\.1:\d+ \(home .*\); Ctrl-C stops it\.\n$/);
  });

  it("takes the level from SWITCHYARD_LOG_LEVEL, and logs no request at the default level", async () => {
    const home = tempHome();
    const debug = serve(home, [], { SWITCHYARD_LOG_LEVEL: "debug" });
    await fetch(`${await debug.url}/api/plugins/kanban/stats`);
    expect(await debug.stop()).toBe(0);
    expect(stderrLines(debug)).toEqual([
      expect.stringMatching(new RegExp(`^${ISO} debug GET /api/plugins/kanban/stats 200 \\d+ms$`)),
      expect.stringMatching(new RegExp(`^${ISO} info SIGTERM: shutting down$`)),
    ]);

    const quiet = serve(home, []);
    await fetch(`${await quiet.url}/api/plugins/kanban/stats`);
    expect(await quiet.stop()).toBe(0);
    expect(stderrLines(quiet)).toEqual([expect.stringMatching(new RegExp(`^${ISO} info SIGTERM: shutting down$`))]);
  });

  it("prints its URL as one JSON line and its log as JSON lines with --json", async () => {
    const home = tempHome();
    const s = serve(home, ["--json", "--log-level", "debug"]);
    const url = await s.url;
    await fetch(`${url}/api/plugins/kanban/stats`);
    expect(await s.stop()).toBe(0);
    const stdout = s.stdout().split("\n").filter(Boolean);
    expect(stdout).toHaveLength(1);
    expect(CliServing.parse(JSON.parse(stdout[0] ?? ""))).toEqual({ url, home: home.root, demo: false });
    const records = stderrLines(s).map((line) => LogRecord.parse(JSON.parse(line)));
    expect(records).toEqual([
      { time: expect.stringMatching(new RegExp(`^${ISO}$`)), level: "debug", message: expect.stringMatching(/^GET /) },
      { time: expect.stringMatching(new RegExp(`^${ISO}$`)), level: "info", message: "SIGTERM: shutting down" },
    ]);
  });

  it("refuses a level that is not one, from the flag or the environment, with exit 2 and one line", () => {
    const home = tempHome();
    const flag = home.run(["serve", "--port", "0", "--log-level", "loud"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^switchyard: option '--log-level <level>' argument 'loud' is invalid/);
    expect(flag.stderr.trim().split("\n")).toHaveLength(1);
    const env = home.run(["serve", "--port", "0", "--no-dispatch"], { env: { SWITCHYARD_LOG_LEVEL: "loud" } });
    expect(env.code).toBe(2);
    expect(env.stderr).toBe("switchyard: SWITCHYARD_LOG_LEVEL must be one of debug, info, warn, error, not 'loud'\n");
    expect(env.stdout).toBe("");
  });
});
