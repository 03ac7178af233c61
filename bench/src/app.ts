import { emptyDispatchResult } from "@switchyard/contract";
import { boardPaths, type Home, openKernel, systemClock } from "@switchyard/core";
import { loadConfig } from "@switchyard/runtime";
import { createApp, createBoardPool, createEventHub } from "@switchyard/server";
import { progress } from "./report.ts";

/**
 * The server's app over a home, called in process (no socket): what the endpoint figures measure.
 * `close` releases its boards and live stream.
 */
export function benchApp(home: Home) {
  const boards = createBoardPool(home);
  const hub = createEventHub({ open: (slug) => openKernel(boardPaths(home, slug)) });
  const app = createApp({
    home,
    boards,
    hub,
    config: () => loadConfig(home),
    clock: systemClock,
    dispatch: async () => emptyDispatchResult(),
    dispatcherEnabled: true,
    security: { allowedHosts: [], token: null },
    webRoot: null,
    log: (message) => progress(`server: ${message}`),
  });
  return {
    app,
    boards,
    async close() {
      await hub.close();
      await boards.close();
    },
  };
}
