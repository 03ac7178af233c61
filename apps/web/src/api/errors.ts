import { ApiError, type ErrorCode } from "@switchyard/contract";

/**
 * A short heading for every refusal code, shown before the server's detail. Exhaustive: a code
 * added to the contract fails the typecheck here until the dashboard has words for it.
 */
export const ERROR_TITLES: Record<ErrorCode, string> = {
  invalid_input: "Invalid input",
  not_found: "Not found",
  board_not_found: "Board not found",
  invalid_transition: "Move not allowed",
  task_running: "Task is running",
  claim_conflict: "Already claimed",
  dependency_cycle: "Dependency cycle",
  parents_unfinished: "Waiting on parents",
  hallucinated_cards: "Completion refused: unverified cards",
  unverified_completion: "Completion refused: unverified claims",
  superseded: "Run superseded",
  not_owner: "Not this worker's task",
  board_exists: "Board already exists",
  board_protected: "Board protected",
  board_unreadable: "Board unreadable",
  board_read_only: "Board is read-only",
  board_busy: "Board busy, try again",
  storage_unavailable: "Board database unreachable",
  storage_full: "Disk full",
  config_invalid: "Configuration invalid",
  unauthorized: "Unauthorized",
  forbidden: "Forbidden",
  internal: "Server error",
};

/** A refusal from the API, carrying the server's `{detail, code}` (SPEC §2). */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(body.detail);
    this.name = "ApiRequestError";
  }

  get code(): ApiError["code"] {
    return this.body.code;
  }
}

/** The parts of a response (fetch's, or the typed client's) an error is read from. */
export interface ErrorResponse {
  status: number;
  statusText: string;
  text(): Promise<string>;
}

/** Reads a non-2xx response as an `ApiRequestError`, whatever the body holds. */
export async function toRequestError(res: ErrorResponse): Promise<ApiRequestError> {
  const text = await res.text().catch(() => "");
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  const body = ApiError.safeParse(parsed);
  if (body.success) return new ApiRequestError(res.status, body.data);
  const detail = text.trim().slice(0, 300) || `${res.status} ${res.statusText}`.trim();
  return new ApiRequestError(res.status, { detail, code: res.status === 404 ? "not_found" : "internal" });
}

/** What `fetch` throws when no answer came back at all (Chrome, Firefox, Safari, Node). */
const NETWORK_FAILURE = /failed to fetch|fetch failed|networkerror|load failed|network request failed/i;

/** True when no answer came back at all: the server is stopped, restarting or unreachable. */
export function isNetworkFailure(error: unknown): boolean {
  return error instanceof TypeError && NETWORK_FAILURE.test(error.message);
}

/**
 * The message to show a person for any failure: "<title>: <detail>" for a refusal from the
 * server; when no answer came back, "Cannot reach the Switchyard server: <attempt> got no
 * answer." (the browser's own "Failed to fetch" says neither what nor where); the plain message
 * otherwise.
 */
export function errorMessage(error: unknown, attempt = "the request"): string {
  if (error instanceof ApiRequestError) return `${ERROR_TITLES[error.code]}: ${error.message}`;
  if (isNetworkFailure(error)) return `Cannot reach the Switchyard server: ${attempt} got no answer.`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * A failed action as a notice: "<label> failed: <title>: <detail>" for a refusal, or the
 * unreachable-server sentence naming `attempt` (e.g. "moving t_1 to Ready").
 */
export function failureText(label: string, attempt: string, error: unknown): string {
  return isNetworkFailure(error) ? errorMessage(error, attempt) : `${label} failed: ${errorMessage(error)}`;
}
