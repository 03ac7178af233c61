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

/**
 * A whole number with thousands separators, as `toLocaleString("en-US")` writes it. Written out
 * because the first `toLocaleString` of a process loads ICU's number formats (about 17 ms), and
 * the messages below are built when the contract is imported: every CLI call paid for it.
 */
export function thousands(n: number): string {
  const digits = String(Math.trunc(Math.abs(n)));
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return n < 0 ? `-${grouped}` : grouped;
}

/** The message of a length limit, after the field's name. */
export const atMost = (max: number) => `must be at most ${thousands(max)} characters`;
