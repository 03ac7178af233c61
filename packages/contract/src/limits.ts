/** Limits on free text, so no request can make the board store unbounded data. */
export const LIMITS = {
  title: 1_000,
  body: 1_000_000,
  result: 1_000_000,
  comment: 200_000,
  name: 200,
  reason: 10_000,
  ids: 1_000,
  /** Priorities run from minus this to this. */
  priority: 1_000_000,
  /** A year. */
  max_runtime_seconds: 365 * 86400,
} as const;

/** The message of a length limit, after the field's name. */
export const atMost = (max: number) => `must be at most ${max.toLocaleString("en-US")} characters`;
