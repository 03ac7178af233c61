import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import { API_BASE, type AppDeps } from "./deps.ts";
import { apiError, createErrorHandler } from "./errors.ts";
import { boardRoutes } from "./routes/board.ts";
import { boardsRoutes } from "./routes/boards.ts";
import { eventRoutes } from "./routes/events.ts";
import { fleetRoutes } from "./routes/fleet.ts";
import { linkRoutes } from "./routes/links.ts";
import { policyRoutes } from "./routes/policy.ts";
import { profileRoutes } from "./routes/profiles.ts";
import { taskActionRoutes } from "./routes/task-actions.ts";
import { taskRoutes } from "./routes/tasks.ts";
import { hostGuard, sameOriginGuard, tokenGuard, tokenLogin } from "./security.ts";
import { spa } from "./static.ts";

/** The largest request body: a 1 MB task body or result, JSON-escaped, with room to spare. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * Headers on every response (SPEC §6): the dashboard loads only its own files, runs no inline
 * script, and may not be framed by any page (a framed dashboard would take clicks meant for the
 * page around it). WebSocket URLs of the same origin count as 'self' for connect-src.
 */
export const SECURE_HEADERS: NonNullable<Parameters<typeof secureHeaders>[0]> = {
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: "DENY",
  xContentTypeOptions: "nosniff",
  referrerPolicy: "no-referrer",
  // Plain-HTTP localhost is the default deployment; HSTS there would only confuse a later HTTPS proxy.
  strictTransportSecurity: false,
};

/** Every API route, mounted at `/api/plugins/kanban` (reference §11). */
function apiRoutes(deps: AppDeps) {
  return new Hono()
    .route("/", boardRoutes(deps))
    .route("/", taskRoutes(deps))
    .route("/", taskActionRoutes(deps))
    .route("/", linkRoutes(deps))
    .route("/", boardsRoutes(deps))
    .route("/", policyRoutes(deps))
    .route("/", profileRoutes(deps))
    .route("/", fleetRoutes(deps))
    .route("/", eventRoutes(deps));
}

/**
 * The whole server as a Hono app: security guards, the API, the live stream and the SPA.
 * Building it opens nothing; `startServer` (main.ts) gives it sockets.
 */
export function createApp(deps: AppDeps) {
  const log = deps.log ?? ((message: string) => console.error(message));
  const app = new Hono();
  app.onError(createErrorHandler(log));
  app.notFound((c) => apiError(c, "not_found", `no route for ${c.req.method} ${c.req.path}`));
  app.use("*", secureHeaders(SECURE_HEADERS), hostGuard(deps.security), sameOriginGuard());
  app.use(
    `${API_BASE}/*`,
    tokenGuard(deps.security),
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        c.json(
          { detail: `request body too large (over ${MAX_BODY_BYTES} bytes)`, code: "invalid_input" as const },
          413,
        ),
    }),
  );
  const routes = app.route(API_BASE, apiRoutes(deps));
  app.all(`${API_BASE}/*`, (c) => apiError(c, "not_found", `no route for ${c.req.method} ${c.req.path}`));
  app.get("/", tokenLogin(deps.security));
  app.get("*", spa(deps.webRoot));
  return routes;
}

/** The app's type, for the typed client (`hc<AppType>`). */
export type AppType = ReturnType<typeof createApp>;
