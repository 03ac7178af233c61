import { hc } from "hono/client";
import type { AppType } from "./app.ts";

export type { AppType } from "./app.ts";

/**
 * The browser-safe typed client of the API: routes, bodies and responses are inferred from the
 * server's own routes. `fetch` can be replaced (tests route it to `app.request`).
 */
export function createClient(
  baseUrl: string,
  options: { fetch?: typeof fetch; headers?: Record<string, string> } = {},
) {
  return hc<AppType>(baseUrl, options).api.plugins.kanban;
}

export type Client = ReturnType<typeof createClient>;
