import { ApiError } from "@switchyard/contract";

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

/** The message to show a person for any failure. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
