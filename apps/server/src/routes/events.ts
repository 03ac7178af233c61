import { EventsQuery } from "@switchyard/contract";
import { isCoreError } from "@switchyard/core";
import { Hono } from "hono";
import type { WSEvents } from "hono/ws";
import type { AppDeps } from "../deps.ts";
import { apiError } from "../errors.ts";
import { presentedToken, tokenMatches } from "../security.ts";
import { valid } from "../validate.ts";

/** WebSocket close codes. */
const POLICY_VIOLATION = 1008;
const GOING_AWAY = 1001;
const INTERNAL_ERROR = 1011;

/**
 * `GET /events?since=<id>&board=` (reference §11, SPEC §5): a WebSocket that sends
 * `{events, cursor}` whenever the board gets new events. `since` replays what a reconnecting
 * client missed (from the database, so nothing is lost); a missing or wrong token closes the
 * socket with 1008.
 */
export function eventRoutes(deps: AppDeps) {
  const app = new Hono();
  const { upgradeWebSocket } = deps;
  if (!upgradeWebSocket) {
    return app.get("/events", (c) => apiError(c, "invalid_input", "the event stream is not available in this server"));
  }
  return app
    .get(
      "/events",
      valid("query", EventsQuery),
      upgradeWebSocket(async (c): Promise<WSEvents> => {
        const query = EventsQuery.parse(c.req.query()); // validated above; re-read for its type
        const token = deps.security.token;
        const authorized = token === null || tokenMatches(token, presentedToken(c, { allowQuery: true }));
        const board = await deps.boards.resolve(query.board);
        let unsubscribe: (() => void) | null = null;
        let closed = false;
        return {
          onOpen(_event, ws) {
            if (!authorized) {
              ws.close(POLICY_VIOLATION, "unauthorized: a valid token is required");
              return;
            }
            deps.hub
              .subscribe(board, (message) => ws.send(JSON.stringify(message)), {
                since: query.since ?? 0,
                onEnd: () => ws.close(GOING_AWAY, "the board's stream ended"),
              })
              .then(
                (stop) => {
                  // The client may have gone while the replay was read.
                  if (closed) stop();
                  else unsubscribe = stop;
                },
                (err: unknown) => {
                  deps.log?.(`event stream of '${board}' failed: ${(err as Error).message}`);
                  ws.close(INTERNAL_ERROR, isCoreError(err) ? err.message.slice(0, 120) : "the event stream failed");
                },
              );
          },
          onClose() {
            closed = true;
            unsubscribe?.();
            unsubscribe = null;
          },
        };
      }),
    )
    .get("/events", (c) =>
      apiError(c, "invalid_input", "the event stream is a WebSocket: connect with an Upgrade request"),
    );
}
