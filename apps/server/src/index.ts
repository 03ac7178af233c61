export { type AppType, createApp, MAX_BODY_BYTES } from "./app.ts";
export { type BoardPool, createBoardPool } from "./board-pool.ts";
export { API_BASE, type AppDeps } from "./deps.ts";
export { STATUS_BY_CODE } from "./errors.ts";
export { createEventHub, type EventHub, type EventsListener, type SubscribeOptions } from "./event-hub.ts";
export {
  type BackgroundLoop,
  defaultWebRoot,
  type RunningServer,
  type StartServerOptions,
  startServer,
} from "./main.ts";
export { type RunningRunner, type StartRunnerOptions, startRunner } from "./runner.ts";
export { isLoopback, type SecurityPolicy, TOKEN_COOKIE, tokenMatches } from "./security.ts";
