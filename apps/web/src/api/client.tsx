import { type Client, createClient } from "@switchyard/server/client";
import type { ClientResponse } from "hono/client";
import type { SuccessStatusCode } from "hono/utils/http-status";
import { createContext, type ReactNode, useContext } from "react";
import { toRequestError } from "./errors.ts";

/** The part of a WebSocket the live stream uses; tests may hand in their own. */
export interface LiveSocket {
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: (() => void) | null;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => LiveSocket;

export interface Api {
  /** The server's typed client (`hc<AppType>`). */
  client: Client;
  /** The WebSocket URL of a board's event stream. */
  eventsUrl(board: string, since: number): string;
  openSocket: SocketFactory;
  /** How long to wait before reconnecting after the `attempt`-th failure in a row. */
  reconnectDelay(attempt: number): number;
}

/** Reconnects back off from 1 s to a 30 s cap (reference §12), reset when a connection opens. */
export function backoff(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** attempt);
}

export interface ApiOptions {
  /** Where the server is; the page's own origin by default. */
  baseUrl?: string;
  fetch?: typeof fetch;
  openSocket?: SocketFactory;
  reconnectDelay?: (attempt: number) => number;
}

/** A browser WebSocket behind the `LiveSocket` interface. */
export function browserSocket(url: string): LiveSocket {
  const ws = new WebSocket(url);
  const socket: LiveSocket = {
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
    close: (code, reason) => ws.close(code, reason),
  };
  ws.onopen = () => socket.onopen?.();
  ws.onmessage = (event) => socket.onmessage?.({ data: event.data });
  ws.onclose = (event) => socket.onclose?.({ code: event.code, reason: event.reason });
  ws.onerror = () => socket.onerror?.();
  return socket;
}

export function createApi(options: ApiOptions = {}): Api {
  const baseUrl = options.baseUrl ?? window.location.origin;
  const client = createClient(baseUrl, options.fetch ? { fetch: options.fetch } : {});
  return {
    client,
    eventsUrl(board, since) {
      const url = new URL("/api/plugins/kanban/events", baseUrl);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      url.searchParams.set("since", String(since));
      url.searchParams.set("board", board);
      return url.toString();
    },
    openSocket: options.openSocket ?? browserSocket,
    reconnectDelay: options.reconnectDelay ?? backoff,
  };
}

const ApiContext = createContext<Api | null>(null);

export function ApiProvider({ api, children }: { api: Api; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error("ApiProvider is missing");
  return api;
}

/** The body type of a typed-client response's 2xx variants. */
type OkBody<R> =
  R extends ClientResponse<infer T, infer S, infer _F> ? (S extends SuccessStatusCode ? T : never) : never;

/** The body of a 2xx answer; any other answer becomes an `ApiRequestError` with the server's reason. */
export async function unwrap<R extends ClientResponse<unknown, number, string>>(
  request: Promise<R>,
): Promise<OkBody<R>> {
  const res = await request;
  if (!res.ok) throw await toRequestError(res);
  return (await res.json()) as OkBody<R>;
}

/**
 * `?board=` on every request, default included. The reference left it out for default, but a
 * request without it means the server's active board (the CLI's `current` file or a pin), so
 * a dashboard showing "Default" could read and write another board.
 */
export function boardParam(board: string): { board?: string } {
  return { board };
}
