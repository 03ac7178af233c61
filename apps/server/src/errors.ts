import { type ApiError, type ErrorCode, LIMITS } from "@switchyard/contract";
import { isCoreError } from "@switchyard/core";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";

/** The one table from a refusal's machine code to its HTTP status. */
export const STATUS_BY_CODE: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_input: 400,
  dependency_cycle: 400,
  board_protected: 400,
  not_found: 404,
  board_not_found: 404,
  invalid_transition: 409,
  task_running: 409,
  claim_conflict: 409,
  parents_unfinished: 409,
  hallucinated_cards: 409,
  unverified_completion: 409,
  superseded: 409,
  board_exists: 409,
  unauthorized: 401,
  forbidden: 403,
  not_owner: 403,
  board_unreadable: 503,
  board_read_only: 503,
  board_busy: 503,
  storage_unavailable: 503,
  storage_full: 507,
  config_invalid: 503,
  internal: 500,
};

/**
 * Seconds a client should wait before retrying, by code (the `Retry-After` header). A busy board
 * was locked by another process for the whole busy timeout already; a retry a moment later
 * usually finds the lock free.
 */
export const RETRY_AFTER_BY_CODE: Partial<Record<ErrorCode, number>> = { board_busy: 2, storage_unavailable: 5 };

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = { 401: "unauthorized", 403: "forbidden", 404: "not_found" };

/** The `{detail, code}` body with its status. */
export function apiError(c: Context, code: ErrorCode, detail: string, extra: Partial<ApiError> = {}) {
  const retryAfter = RETRY_AFTER_BY_CODE[code];
  if (retryAfter !== undefined) c.header("Retry-After", String(retryAfter));
  return c.json({ detail, code, ...extra } satisfies ApiError, STATUS_BY_CODE[code]);
}

/** zod issues as `{path, message}` pairs, for the `issues` of a 400. */
export function zodIssues(error: ZodError): NonNullable<ApiError["issues"]> {
  return error.issues.slice(0, 20).map((i) => ({
    path: i.path.map(String).join("."),
    message: i.message.slice(0, LIMITS.name),
  }));
}

export function invalidInput(c: Context, where: string, error: ZodError) {
  const issues = zodIssues(error);
  const first = issues[0];
  const detail = first
    ? `invalid ${where}: ${first.path ? `${first.path}: ` : ""}${first.message}`
    : `invalid ${where}`;
  return apiError(c, "invalid_input", detail, { issues });
}

/**
 * A request whose client went away while its body was still arriving (Node fails the body
 * read with ECONNRESET "aborted"). Nothing was parsed, so nothing changed.
 */
function clientAborted(err: Error): boolean {
  return (err as NodeJS.ErrnoException).code === "ECONNRESET" && err.message === "aborted";
}

/**
 * The app's error handler: a kernel refusal becomes its status and code, a malformed body or an
 * oversized request a 400 or 413, an upload the client abandoned one plain log line, anything
 * else a 500 that is logged and says nothing more.
 */
export function createErrorHandler(log: (message: string) => void) {
  return (err: Error, c: Context) => {
    if (isCoreError(err)) {
      const { parents, phantom_cards, refused } = err.facts;
      return apiError(c, err.code, err.message, {
        ...(parents ? { parents } : {}),
        ...(phantom_cards ? { phantom_cards } : {}),
        ...(refused ? { refused } : {}),
      });
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      const code = CODE_BY_STATUS[status] ?? (status >= 500 ? "internal" : "invalid_input");
      return c.json({ detail: err.message || "bad request", code } satisfies ApiError, status);
    }
    if (clientAborted(err)) {
      log(`${c.req.method} ${c.req.path}: the client closed the connection before its body arrived; nothing changed`);
      return apiError(c, "invalid_input", "the request body did not arrive in full");
    }
    log(`internal error on ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}`);
    return apiError(c, "internal", "internal error; the server log has the details");
  };
}
