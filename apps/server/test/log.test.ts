import type { LogLevel } from "@switchyard/contract";
import { resolveHome } from "@switchyard/core";
import { afterEach, describe, expect, it } from "vitest";
import { levelOf, logLevelFromEnv, logLine, type RunningServer, startServer } from "../src/main.ts";
import { tempHome } from "./helpers.ts";

/** The server's log (issue 15 item 5): a time and a level on every line, one line per request at debug. */

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serverWithLog(logLevel?: LogLevel, env: Record<string, string> = {}) {
  const home = resolveHome({ SWITCHYARD_HOME: tempHome().root, ...env });
  const lines: Array<{ level: LogLevel; message: string }> = [];
  const server = await startServer({
    home,
    port: 0,
    dispatch: false,
    webRoot: null,
    token: null,
    logLevel,
    log: (message, level) => lines.push({ level, message }),
  });
  servers.push(server);
  return { server, lines };
}

describe("the server's log", () => {
  it("writes a line as <ISO time> <level> <message>", () => {
    expect(logLine("config reloaded from /h/config.yaml", "info", new Date(Date.UTC(2025, 0, 31, 9, 0, 0, 5)))).toBe(
      "2025-01-31T09:00:00.005Z info config reloaded from /h/config.yaml",
    );
  });

  it("gives the messages of the loops and the runtime, which carry no level, one from their wording", () => {
    expect(levelOf("config reloaded from /h/config.yaml")).toEqual({
      level: "info",
      message: "config reloaded from /h/config.yaml",
    });
    expect(levelOf("default: spawned t_1 (alice)").level).toBe("info");
    expect(levelOf("dispatcher [default]: tick failed: disk I/O error").level).toBe("error");
    expect(levelOf("internal error on GET /api/plugins/kanban/board: boom").level).toBe("error");
    expect(levelOf("could not record the exit of worker pid 7 (t_1 on default): gone").level).toBe("error");
    expect(levelOf("config.yaml changed but is invalid, keeping the previous settings: x").level).toBe("warn");
    expect(
      levelOf(
        "POST /api/plugins/kanban/tasks: the client closed the connection before its body arrived; nothing changed",
      ).level,
    ).toBe("warn");
    expect(
      levelOf("worker pid 7 of t_1 on default exited (code 1) without finishing: retry after 1 failure(s)").level,
    ).toBe("warn");
    // The dispatcher's own WARN marker becomes the level.
    expect(levelOf("WARN dispatcher stuck: 3 ready tasks")).toEqual({
      level: "warn",
      message: "dispatcher stuck: 3 ready tasks",
    });
  });

  it("reads SWITCHYARD_LOG_LEVEL, and refuses a value that is not a level", () => {
    expect(logLevelFromEnv({})).toBeNull();
    expect(logLevelFromEnv({ SWITCHYARD_LOG_LEVEL: " DEBUG " })).toBe("debug");
    expect(() => logLevelFromEnv({ SWITCHYARD_LOG_LEVEL: "loud" })).toThrow(
      "SWITCHYARD_LOG_LEVEL must be one of debug, info, warn, error, not 'loud'",
    );
  });

  it("logs one debug line per request at debug level, with the path but never the query", async () => {
    const { server, lines } = await serverWithLog("debug");
    const res = await fetch(`${server.url}/api/plugins/kanban/stats?token=secret-value`);
    expect(res.status).toBe(200);
    const missing = await fetch(`${server.url}/api/plugins/kanban/tasks/t_00000000`);
    expect(missing.status).toBe(404);
    const requests = lines.filter((l) => l.level === "debug").map((l) => l.message);
    expect(requests).toEqual([
      expect.stringMatching(/^GET \/api\/plugins\/kanban\/stats 200 \d+ms$/),
      expect.stringMatching(/^GET \/api\/plugins\/kanban\/tasks\/t_00000000 404 \d+ms$/),
    ]);
    expect(JSON.stringify(lines)).not.toContain("secret-value");
  });

  it("takes the level from SWITCHYARD_LOG_LEVEL when none is given, and logs no request line at info", async () => {
    const fromEnv = await serverWithLog(undefined, { SWITCHYARD_LOG_LEVEL: "debug" });
    await fetch(`${fromEnv.server.url}/api/plugins/kanban/stats`);
    expect(fromEnv.lines.map((l) => l.level)).toEqual(["debug"]);

    const atInfo = await serverWithLog();
    await fetch(`${atInfo.server.url}/api/plugins/kanban/stats`);
    expect(atInfo.lines).toEqual([]);
    atInfo.server.log("SIGTERM: shutting down", "info");
    atInfo.server.log("a detail", "debug");
    atInfo.server.log("WARN dispatcher stuck");
    expect(atInfo.lines).toEqual([
      { level: "info", message: "SIGTERM: shutting down" },
      { level: "warn", message: "dispatcher stuck" },
    ]);
  });

  it("refuses to start with a SWITCHYARD_LOG_LEVEL that is not a level", async () => {
    await expect(serverWithLog(undefined, { SWITCHYARD_LOG_LEVEL: "loud" })).rejects.toThrow(
      "SWITCHYARD_LOG_LEVEL must be one of debug, info, warn, error, not 'loud'",
    );
  });
});
