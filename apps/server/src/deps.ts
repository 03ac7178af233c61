import type { Config, DispatchResult } from "@switchyard/contract";
import type { Clock, Home, Kernel, WorkerRef } from "@switchyard/core";
import type { UpgradeWebSocket } from "hono/ws";
import type { BoardPool } from "./board-pool.ts";
import type { EventHub } from "./event-hub.ts";
import type { SecurityPolicy } from "./security.ts";

/** Where the API is mounted (reference §11). */
export const API_BASE = "/api/plugins/kanban";

/** What the app needs from the process that hosts it; `createApp` itself opens nothing. */
export interface AppDeps {
  home: Home;
  /** The open boards. */
  boards: BoardPool;
  /** The live stream (its feeds end before a board is removed). */
  hub: EventHub;
  /** Reads and validates `<home>/config.yaml` (called per request, so edits apply at once). */
  config: () => Config;
  clock: Clock;
  /** One dispatcher tick of a board (`POST /dispatch`). */
  dispatch: (board: string, options: { dryRun: boolean; max?: number }) => Promise<DispatchResult>;
  /** Whether the server runs the dispatcher loop (`serve --no-dispatch` turns it off). */
  dispatcherEnabled: boolean;
  /** Stops the worker of a run that a reclaim or reassign took away (SPEC §3.3). */
  stopWorker?: (worker: WorkerRef, k: Kernel) => void;
  security: SecurityPolicy;
  /** The WebSocket adapter; without it `/events` answers 400. */
  upgradeWebSocket?: UpgradeWebSocket;
  /** The built SPA (`apps/web/dist`); null or missing means "/" explains how to build it. */
  webRoot?: string | null;
  log?: (message: string) => void;
}
