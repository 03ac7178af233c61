import { existsSync } from "node:fs";
import type { Server } from "node:http";
import { hostname, networkInterfaces } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { createNodeWebSocket } from "@hono/node-ws";
import { LOG_LEVELS, type LogLevel } from "@switchyard/contract";
import { boardPaths, CoreError, type Home, openKernel, resolveHome, systemClock } from "@switchyard/core";
import {
  createConfigSource,
  createNotifier,
  dispatcherHostId,
  dispatchInServer,
  storageHome,
} from "@switchyard/runtime";
import { Hono } from "hono";
import { createApp } from "./app.ts";
import { createBoardPool } from "./board-pool.ts";
import { createEventHub } from "./event-hub.ts";
import { startNotifyLoop } from "./notify-loop.ts";
import { createDispatcherHost } from "./runner.ts";
import { isLoopback } from "./security.ts";

export interface StartServerOptions {
  /** Default: `SWITCHYARD_HOME`, else `~/.switchyard`. */
  home?: Home;
  /** Default: `server.host` (127.0.0.1). */
  host?: string;
  /** Default: `server.port` (8420); 0 picks a free port. */
  port?: number;
  /** `false` is `--no-dispatch`; otherwise `dispatch.in_server` and `SWITCHYARD_DISPATCH_IN_SERVER` decide. */
  dispatch?: boolean;
  /** Default: `SWITCHYARD_TOKEN`, else `server.token`. */
  token?: string | null;
  /** The built SPA; default `apps/web/dist` of the checkout, or `web/` of a release package (defaultWebRoot). */
  webRoot?: string | null;
  /** How often other processes' commits are looked for, in ms. */
  pollIntervalMs?: number;
  /**
   * Receives every message at or above `logLevel`, with its level. Default: one line on stderr,
   * `<ISO time> <level> <message>` (logLine).
   */
  log?: (message: string, level: LogLevel) => void;
  /** Default: `SWITCHYARD_LOG_LEVEL`, else `info`. `debug` adds one line per request. */
  logLevel?: LogLevel;
}

/** The server's log: a message and, when the caller knows it, its level (else levelOf decides). */
export type ServerLog = (message: string, level?: LogLevel) => void;

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  /** The server's log, for its host's own lines (e.g. the signal that stops it). */
  log: ServerLog;
  /** Stops accepting, closes the live streams and background loops, and releases the boards. */
  close(): Promise<void>;
}

/** A loop the server runs beside the API (the dispatcher, the notifier); stopped on close. */
export interface BackgroundLoop {
  stop(): Promise<void>;
}

/** `2025-01-31T09:00:00.000Z info config reloaded from …`: a log line as `serve` prints it. */
export function logLine(message: string, level: LogLevel, time: Date = new Date()): string {
  return `${time.toISOString()} ${level} ${message}`;
}

/**
 * The level of a message logged without one: the runtime's and the loops' messages carry none, so
 * it is read from their wording. A leading `WARN ` (the dispatcher's stuck warning) becomes the
 * level.
 */
export function levelOf(message: string): { level: LogLevel; message: string } {
  if (message.startsWith("WARN ")) return { level: "warn", message: message.slice(5) };
  if (/\b(internal error|failed|could not|cannot)\b/.test(message)) return { level: "error", message };
  if (/\b(invalid|skipped|not counted|stopped|without finishing|rate-limited|closed the connection)\b/.test(message)) {
    return { level: "warn", message };
  }
  return { level: "info", message };
}

/** `SWITCHYARD_LOG_LEVEL`, checked; null when unset. */
export function logLevelFromEnv(env: Record<string, string | undefined>): LogLevel | null {
  const raw = env.SWITCHYARD_LOG_LEVEL?.trim().toLowerCase();
  if (!raw) return null;
  if ((LOG_LEVELS as readonly string[]).includes(raw)) return raw as LogLevel;
  throw new CoreError(
    "invalid_input",
    `SWITCHYARD_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, not '${env.SWITCHYARD_LOG_LEVEL}'`,
  );
}

/** A log that drops what is below `threshold` and gives the rest a level. */
export function createLog(sink: (message: string, level: LogLevel) => void, threshold: LogLevel): ServerLog {
  const min = LOG_LEVELS.indexOf(threshold);
  return (raw, given) => {
    const { level, message } = given ? { level: given, message: raw } : levelOf(raw);
    if (LOG_LEVELS.indexOf(level) >= min) sink(message, level);
  };
}

const WILDCARDS = new Set(["0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0"]);

/** At the root of an installed release package, beside `dist/` (the CLI's bundle) and `web/` (the SPA); scripts/pack.mjs writes it. */
const RELEASE_MARKER = "switchyard-release.json";

/**
 * The built SPA this code serves: the nearest ancestor of this module (in the source tree, or in
 * the CLI's bundle), else of the working directory, that is a checkout (its `apps/web/dist`) or
 * an installed release package (its `web/`, found by RELEASE_MARKER).
 */
export function defaultWebRoot(): string {
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (existsSync(join(dir, "apps", "web", "package.json"))) return join(dir, "apps", "web", "dist");
      if (existsSync(join(dir, RELEASE_MARKER))) return join(dir, "web");
      if (dirname(dir) === dir) break;
    }
  }
  return join(process.cwd(), "apps", "web", "dist");
}

function blankToNull(value: string | null | undefined): string | null {
  const v = value?.trim();
  return v ? v : null;
}

/** Names a browser may use for this server: the configured ones, the bound address, and on a wildcard bind this machine's. */
function allowedHosts(host: string, configured: readonly string[]): string[] {
  const hosts = [...configured];
  if (!WILDCARDS.has(host)) return [...hosts, host];
  hosts.push(hostname());
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) hosts.push(a.address);
  }
  return hosts;
}

function urlHost(host: string): string {
  if (WILDCARDS.has(host)) return "127.0.0.1";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        new CoreError(
          "invalid_input",
          err.code === "EADDRINUSE"
            ? `cannot listen on ${host}:${port}: the port is in use (choose another with --port)`
            : `cannot listen on ${host}:${port}: ${err.message}`,
        ),
      );
    };
    server.once("error", onError);
    server.once("listening", () => {
      server.off("error", onError);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

/**
 * Runs the server (SPEC §5, §6): the API, the live stream and the SPA on one port, and the
 * dispatcher in-process unless turned off. Refuses to listen on a non-loopback address without
 * a token. The only function that opens sockets.
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  // Where the boards are: SWITCHYARD_DATABASE_URL, else storage.url, else the home's SQLite files.
  const home = storageHome(options.home ?? resolveHome());
  const logLevel = options.logLevel ?? logLevelFromEnv(home.env) ?? "info";
  const log = createLog(
    options.log ?? ((message, level) => process.stderr.write(`${logLine(message, level)}\n`)),
    logLevel,
  );
  const configSource = createConfigSource(home, log);
  const config = configSource.current();
  const host = options.host ?? config.server.host;
  const port = options.port ?? config.server.port;
  const token =
    options.token !== undefined
      ? blankToNull(options.token)
      : (blankToNull(home.env.SWITCHYARD_TOKEN) ?? blankToNull(config.server.token));
  if (!isLoopback(host) && token === null) {
    throw new CoreError(
      "invalid_input",
      `refusing to listen on ${host} without a token: set SWITCHYARD_TOKEN (or server.token in config.yaml), or bind 127.0.0.1`,
    );
  }

  const hostId = dispatcherHostId(home.env, config);
  const boards = createBoardPool(home, { host: hostId });
  const hub = createEventHub({
    open: (slug) => openKernel(boardPaths(home, slug), { pollMs: options.pollIntervalMs, host: hostId }),
    log,
  });
  const dispatcherEnabled = options.dispatch === false ? false : dispatchInServer(config, home.env);
  const dispatcher = createDispatcherHost({ home, configSource, boards, hub, role: "serve", hostId, log });
  const service = dispatcher.service;
  // The dispatcher and notifier loops start here (dispatch-loop.ts, notify-loop.ts); each is stopped on close.
  const loops: BackgroundLoop[] = [];

  const outer = new Hono();
  if (logLevel === "debug") {
    // One line per request: method, path (never the query, which may hold a token), status, time.
    outer.use(async (c, next) => {
      const started = performance.now();
      await next();
      log(`${c.req.method} ${c.req.path} ${c.res.status} ${Math.round(performance.now() - started)}ms`, "debug");
    });
  }
  const ws = createNodeWebSocket({ app: outer });
  const app = createApp({
    home,
    boards,
    hub,
    config: () => configSource.current(),
    clock: systemClock,
    dispatch: (board, { dryRun, max }) => service.tick(board, { dryRun, maxSpawn: max }),
    dispatcherEnabled,
    stopWorker: (worker, k) => {
      void service.stopWorker(worker, k.paths.slug);
    },
    security: { allowedHosts: allowedHosts(host, config.server.allowed_hosts), token },
    upgradeWebSocket: ws.upgradeWebSocket,
    webRoot: options.webRoot === undefined ? defaultWebRoot() : options.webRoot,
    log,
  });
  outer.route("/", app);

  const server = serve({ fetch: outer.fetch, hostname: host, port, autoCleanupIncoming: true }) as Server;
  let bound: number;
  try {
    bound = await listen(server, host, port);
  } catch (err) {
    await Promise.all([boards.close(), hub.close()]);
    throw err;
  }
  ws.injectWebSocket(server);
  if (dispatcherEnabled) {
    dispatcher.start();
    loops.push(dispatcher);
  }
  loops.push(
    startNotifyLoop({
      notifier: createNotifier({ home, log }),
      intervalSeconds: config.notify.interval_seconds,
      log,
    }),
  );

  let closing: Promise<void> | null = null;
  const close = async () => {
    for (const client of ws.wss.clients) client.close(1001, "server shutting down");
    await Promise.all(
      loops.map((l) => l.stop().catch((err) => log(`stopping a loop failed: ${(err as Error).message}`))),
    );
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => {
        server.closeAllConnections();
        for (const client of ws.wss.clients) client.terminate();
      }, 1000).unref();
    });
    // Stops under way finish first, among them the end of what an exited worker left running
    // in its process group: no group of a dead worker outlives the server.
    await service.settle();
    // Live workers outlive the server (decision 007); their handles must not keep this process alive.
    service.release();
    await hub.close();
    await boards.close();
  };
  return {
    url: `http://${urlHost(host)}:${bound}`,
    host,
    port: bound,
    log,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}
