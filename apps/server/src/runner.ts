import type { LogLevel } from "@switchyard/contract";
import { boardPaths, type Home, openKernel, resolveHome } from "@switchyard/core";
import {
  type ConfigSource,
  createConfigSource,
  createDispatchService,
  type DispatchService,
  dispatcherHostId,
  storageHome,
} from "@switchyard/runtime";
import { type BoardPool, createBoardPool } from "./board-pool.ts";
import { type DispatchLoop, startDispatchLoop } from "./dispatch-loop.ts";
import { createEventHub, type EventHub } from "./event-hub.ts";
import { type HostLease, startHostLease } from "./host-lease.ts";
import { createLog, logLevelFromEnv, logLine, type ServerLog } from "./main.ts";

/**
 * A dispatcher host (SPEC §4, §13): the dispatch service with its loop (ticks on events and on
 * the interval) and its lease on the boards (the host's heartbeat row). `serve` runs one beside
 * the API unless told not to; `switchyard runner` runs one alone, with no HTTP, on any number of
 * hosts sharing one database.
 */
export interface DispatcherHost {
  service: DispatchService;
  /** Starts ticking and holding the host's lease (once). */
  start(): void;
  /** Stops ticking, then leaves the boards (the host's rows go; running workers keep running). */
  stop(): Promise<void>;
}

export function createDispatcherHost(options: {
  home: Home;
  configSource: ConfigSource;
  boards: BoardPool;
  hub: EventHub;
  role: "serve" | "runner";
  hostId: string;
  log: ServerLog;
}): DispatcherHost {
  const { configSource, log } = options;
  let loop: DispatchLoop | null = null;
  let lease: HostLease | null = null;
  const service = createDispatchService({
    home: options.home,
    config: () => configSource.current(),
    watchWorkers: true,
    host: options.hostId,
    role: options.role,
    kernels: (slug) => options.boards.kernel(slug),
    onWorkerExit: (board) => {
      // An exit frees a place under the caps even when it wrote no event (the run had completed).
      loop?.wake(board);
    },
    log,
  });
  return {
    service,
    start() {
      if (loop) return;
      // The lease first: a host's claims are only as good as its lease.
      lease = startHostLease({
        service,
        leaseSeconds: () => configSource.current().dispatch.host_lease_seconds,
        log,
      });
      loop = startDispatchLoop({
        service,
        hub: options.hub,
        intervalSeconds: configSource.current().dispatch.interval_seconds,
        log,
      });
    },
    async stop() {
      await loop?.stop();
      await lease?.stop();
    },
  };
}

export interface StartRunnerOptions {
  /** Default: `SWITCHYARD_HOME`, else `~/.switchyard`, with its storage (SWITCHYARD_DATABASE_URL, storage.url). */
  home?: Home;
  /** How often other processes' commits are looked for, in ms (SQLite). */
  pollIntervalMs?: number;
  log?: (message: string, level: LogLevel) => void;
  logLevel?: LogLevel;
  /** This host's id; default `dispatcherHostId` (SWITCHYARD_HOST_ID, dispatch.host_id, the host name). */
  hostId?: string;
}

export interface RunningRunner {
  /** This host's id on the boards. */
  hostId: string;
  log: ServerLog;
  /** Stops dispatching and leaves; workers keep running (decision 007). */
  close(): Promise<void>;
}

/** `switchyard runner`: a dispatcher host with no HTTP (SPEC §13). */
export async function startRunner(options: StartRunnerOptions = {}): Promise<RunningRunner> {
  const home = options.home ?? storageHome(resolveHome());
  const logLevel = options.logLevel ?? logLevelFromEnv(home.env) ?? "info";
  const log = createLog(
    options.log ?? ((message, level) => process.stderr.write(`${logLine(message, level)}\n`)),
    logLevel,
  );
  const configSource = createConfigSource(home, log);
  const hostId = options.hostId ?? dispatcherHostId(home.env, configSource.current());
  const boards = createBoardPool(home, { host: hostId });
  const hub = createEventHub({
    open: (slug) => openKernel(boardPaths(home, slug), { pollMs: options.pollIntervalMs, host: hostId }),
    log,
  });
  const dispatcher = createDispatcherHost({ home, configSource, boards, hub, role: "runner", hostId, log });
  dispatcher.start();
  log(`runner ${hostId} dispatching (pid ${process.pid})`, "info");

  let closing: Promise<void> | null = null;
  const close = async () => {
    await dispatcher.stop();
    await dispatcher.service.settle();
    dispatcher.service.release();
    await hub.close();
    await boards.close();
  };
  return {
    hostId,
    log,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}
