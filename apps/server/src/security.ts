import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { apiError } from "./errors.ts";

/** SPEC §6: who may talk to the server. */
export interface SecurityPolicy {
  /** Host names (without port) accepted besides the loopback names. */
  allowedHosts: readonly string[];
  /** When set, every API and WebSocket request must present it. */
  token: string | null;
}

/** The HttpOnly cookie that `/?token=` sets. */
export const TOKEN_COOKIE = "switchyard_token";

/** A Host header (or URL host) without its port and brackets, lowercased, without a trailing dot. */
export function hostName(raw: string): string {
  const value = raw.trim().toLowerCase();
  let name = value;
  if (value.startsWith("[")) name = value.slice(1, value.indexOf("]") > 0 ? value.indexOf("]") : undefined);
  else if ((value.match(/:/g) ?? []).length === 1) name = value.slice(0, value.indexOf(":"));
  return name.replace(/\.$/, "");
}

/** localhost, *.localhost, 127.0.0.0/8 and ::1. */
export function isLoopback(host: string): boolean {
  const name = hostName(host);
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (isIP(name) === 4) return name.startsWith("127.");
  return name === "::1" || name === "0:0:0:0:0:0:0:1" || name === "::ffff:127.0.0.1";
}

/** Compares in constant time: both sides are hashed first, so their lengths never leak. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(given).digest();
  return timingSafeEqual(a, b);
}

function requestHost(c: Context): string {
  return c.req.header("host") ?? new URL(c.req.url).host;
}

export function isWebSocketUpgrade(c: Context): boolean {
  return c.req.header("upgrade")?.toLowerCase() === "websocket";
}

/** The token a request presents: `Authorization: Bearer`, the cookie, or (WebSocket only) `?token=`. */
export function presentedToken(c: Context, options: { allowQuery?: boolean } = {}): string | null {
  const auth = c.req.header("authorization");
  const bearer = auth?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  if (bearer) return bearer;
  const cookie = getCookie(c, TOKEN_COOKIE);
  if (cookie) return cookie;
  return options.allowQuery ? (c.req.query("token") ?? null) : null;
}

/** DNS rebinding: the Host must be a loopback name or an allowed host. */
export function hostGuard(policy: SecurityPolicy): MiddlewareHandler {
  const allowed = new Set(policy.allowedHosts.map(hostName));
  return async (c, next) => {
    const host = hostName(requestHost(c));
    if (!isLoopback(host) && !allowed.has(host)) {
      return apiError(
        c,
        "forbidden",
        `host '${host}' is not allowed; add it to server.allowed_hosts in config.yaml to serve it`,
      );
    }
    return next();
  };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cross-site requests: a state-changing request or a WebSocket upgrade that a browser marks as
 * coming from another origin is refused. Clients that are not browsers send neither header.
 */
export function sameOriginGuard(): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) && !isWebSocketUpgrade(c)) {
      return next();
    }
    const origin = c.req.header("origin");
    const site = c.req.header("sec-fetch-site");
    let same: boolean;
    if (origin !== undefined) {
      let originHost: string | null = null;
      try {
        originHost = new URL(origin).host.toLowerCase();
      } catch {
        originHost = null;
      }
      same = originHost !== null && originHost === requestHost(c).toLowerCase();
    } else {
      same = site === undefined || site === "same-origin" || site === "none";
    }
    if (!same) {
      return apiError(
        c,
        "forbidden",
        "cross-origin request refused: state changes must come from the dashboard's own origin",
      );
    }
    return next();
  };
}

/**
 * With a token configured, every API request must present it. A WebSocket upgrade is let
 * through: the stream itself closes with 1008 when the token is wrong (reference §11).
 */
export function tokenGuard(policy: SecurityPolicy): MiddlewareHandler {
  return async (c, next) => {
    if (policy.token === null || isWebSocketUpgrade(c)) {
      return next();
    }
    if (!tokenMatches(policy.token, presentedToken(c))) {
      return apiError(
        c,
        "unauthorized",
        "a token is required: send 'Authorization: Bearer <token>', or open /?token=<token> once in the browser",
      );
    }
    return next();
  };
}

/** `/?token=<token>`: sets the HttpOnly, SameSite=Strict cookie and drops the token from the URL. */
export function tokenLogin(policy: SecurityPolicy): MiddlewareHandler {
  return async (c, next) => {
    const given = c.req.query("token");
    if (given === undefined || policy.token === null) {
      return next();
    }
    if (!tokenMatches(policy.token, given)) return apiError(c, "unauthorized", "wrong token");
    setCookie(c, TOKEN_COOKIE, given, { httpOnly: true, sameSite: "Strict", path: "/" });
    return c.redirect("/", 303);
  };
}
