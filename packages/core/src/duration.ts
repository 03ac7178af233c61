import { CoreError } from "./errors.ts";

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds from `90`, `30s`, `5m`, `2h` or `1d` (reference §10.2 `--max-runtime`). */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(text);
  if (!m) {
    throw new CoreError(
      "invalid_input",
      `invalid duration '${text}': use seconds or a number with s, m, h or d (e.g. 30s, 5m, 2h, 1d)`,
    );
  }
  const seconds = Number(m[1]) * (UNITS[(m[2] || "s").toLowerCase()] ?? 1);
  if (!Number.isSafeInteger(seconds)) {
    throw new CoreError("invalid_input", `invalid duration '${text}': too large`);
  }
  return seconds;
}
