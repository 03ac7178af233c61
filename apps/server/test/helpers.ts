import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiError, type DispatchResult, emptyDispatchResult } from "@switchyard/contract";
import {
  boardPaths,
  createManualClock,
  createSequentialIds,
  type Home,
  type Kernel,
  type ManualClock,
  openKernel,
  resolveHome,
  type WorkerRef,
} from "@switchyard/core";
import { configPath, loadConfig } from "@switchyard/runtime";
import { afterEach, expect } from "vitest";
import { createApp } from "../src/app.ts";
import { type BoardPool, createBoardPool } from "../src/board-pool.ts";
import { createClient } from "../src/client.ts";
import { createEventHub, type EventHub } from "../src/event-hub.ts";
import type { SecurityPolicy } from "../src/security.ts";

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A fresh temporary directory, removed after the test. */
export function tempDir(prefix = "switchyard-server-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fresh home; `config` is written to its config.yaml. */
export function tempHome(config?: string): Home {
  const home = resolveHome({ SWITCHYARD_HOME: tempDir("switchyard-home-") });
  if (config !== undefined) writeFileSync(configPath(home), config);
  return home;
}

export interface Harness {
  app: ReturnType<typeof createApp>;
  home: Home;
  clock: ManualClock;
  boards: BoardPool;
  hub: EventHub;
  /** The typed client, routed to the app in process. */
  api: ReturnType<typeof createClient>;
  /** The default board's kernel: the same connection the app uses, with the same clock (opened on first use). */
  readonly k: Promise<Kernel>;
  /** Workers the app asked to stop. */
  stopped: WorkerRef[];
  /** Dispatcher ticks the app asked for. */
  dispatches: Array<{ board: string; dryRun: boolean; max?: number }>;
  logs: string[];
  /** A raw request: `/x` is under the API base; a full URL (`http://localhost/`) is taken as it is. */
  request(
    method: string,
    path: string,
    init?: { json?: unknown; body?: string; headers?: Record<string, string> },
  ): Promise<Response>;
}

export interface HarnessOptions {
  config?: string;
  home?: Home;
  dispatcherEnabled?: boolean;
  security?: Partial<SecurityPolicy>;
  webRoot?: string | null;
  dispatchResult?: DispatchResult;
}

export const BASE = "/api/plugins/kanban";

/** The app on a fresh home with a manual clock and sequential ids, talking in process. */
export function harness(options: HarnessOptions = {}): Harness {
  const home = options.home ?? tempHome(options.config);
  const clock = createManualClock(1_700_000_000);
  const kernelOptions = { clock, ids: createSequentialIds(), host: "testhost", pid: 4242 };
  const boards = createBoardPool(home, kernelOptions);
  const hub = createEventHub({ open: (slug) => openKernel(boardPaths(home, slug), { clock, pollMs: 20 }) });
  const stopped: WorkerRef[] = [];
  const dispatches: Harness["dispatches"] = [];
  const logs: string[] = [];
  cleanups.push(async () => {
    await hub.close();
    await boards.close();
  });
  const app = createApp({
    home,
    boards,
    hub,
    config: () => loadConfig(home),
    clock,
    dispatch: async (board, opts) => {
      dispatches.push({ board, ...opts });
      return options.dispatchResult ?? emptyDispatchResult();
    },
    dispatcherEnabled: options.dispatcherEnabled ?? false,
    stopWorker: (worker) => stopped.push(worker),
    security: { allowedHosts: [], token: null, ...options.security },
    webRoot: options.webRoot ?? null,
    log: (message) => logs.push(message),
  });
  const fetchViaApp = (async (input: string | URL | Request, init?: RequestInit) =>
    app.request(input, init)) as typeof fetch;
  return {
    app,
    home,
    clock,
    boards,
    hub,
    api: createClient("http://localhost", { fetch: fetchViaApp }),
    get k() {
      return boards.kernel("default");
    },
    stopped,
    dispatches,
    logs,
    async request(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      let body = init.body;
      if (init.json !== undefined) {
        body = JSON.stringify(init.json);
        headers["content-type"] ??= "application/json";
      }
      return app.request(path.startsWith("/") ? `${BASE}${path}` : path, {
        method,
        headers,
        body,
      });
    },
  };
}

/** Asserts a 2xx typed-client response and returns its body. */
export async function ok<T>(pending: Promise<{ ok: boolean; status: number; json(): Promise<T> }>): Promise<T> {
  const res = await pending;
  if (!res.ok) throw new Error(`expected success, got ${res.status}: ${JSON.stringify(await res.json())}`);
  return res.json();
}

/** Asserts a refusal: its status and the `{detail, code}` shape; returns the parsed body. */
export async function refused(
  pending: Promise<{ status: number; json(): Promise<unknown> }> | { status: number; json(): Promise<unknown> },
  status: number,
  code?: ApiError["code"],
): Promise<ApiError> {
  const res = await pending;
  const body = ApiError.parse(await res.json());
  expect({ status: res.status, code: body.code }).toEqual({ status, code: code ?? body.code });
  expect(body.detail.length).toBeGreaterThan(0);
  return body;
}

/** Polls until `check` gives a value, with a generous deadline (the machine may be slow and busy); never a fixed sleep. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Polls a condition until it holds (see `waitFor`). */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  await waitFor(what, condition, timeoutMs);
}
