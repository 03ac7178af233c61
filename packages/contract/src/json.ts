import * as z from "zod";
import { thousands } from "./limits.ts";

/**
 * Free-form JSON (a completion's `metadata`) is bounded, so that no request can store a value
 * that a reader cannot serialise again: `JSON.stringify` and every recursive walk overflow the
 * stack somewhere past 4,000 levels. Both limits are checked by one iterative walk that never
 * calls `JSON.stringify` on the whole value and stops as soon as a limit is passed.
 */
export const JSON_LIMITS = {
  /** Nesting of objects and arrays; `{"a": 1}` is 1 deep, `{"a": {"b": [1]}}` is 3. */
  depth: 32,
  /** Characters of the value written as compact JSON (64 KiB). */
  chars: 64 * 1024,
} as const;

export interface JsonLimits {
  depth: number;
  /** Omit to check the depth only. */
  chars?: number;
}

/** The length of a scalar written as JSON; null for what JSON.stringify leaves out (undefined, functions, symbols). */
function scalarLength(value: unknown): number | null {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value).length;
    case "number":
      return Number.isFinite(value) ? String(value).length : 4;
    case "boolean":
      return value ? 4 : 5;
    case "undefined":
    case "function":
    case "symbol":
      return null;
    default:
      return 4; // null; a bigint is refused before this is asked
  }
}

/**
 * Why `value` is outside `limits`, in words that name the limit (for a message after the field's
 * name), or null when it is within them. Iterative, so any depth is safe to check; a cycle is
 * reported as too deep.
 */
export function jsonBoundsProblem(value: unknown, limits: JsonLimits = JSON_LIMITS): string | null {
  const maxChars = limits.chars ?? Number.POSITIVE_INFINITY;
  let chars = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop() as { value: unknown; depth: number };
    const v = item.value;
    if (typeof v === "bigint") return "JSON cannot hold a bigint";
    if (v === null || typeof v !== "object") {
      chars += scalarLength(v) ?? 4; // an array element JSON leaves out is written as null
    } else {
      const depth = item.depth + 1;
      if (depth > limits.depth)
        return `JSON nested more than ${limits.depth} levels deep (the limit is ${limits.depth})`;
      if (Array.isArray(v)) {
        chars += 2 + Math.max(0, v.length - 1);
        for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], depth });
      } else {
        let members = 0;
        for (const key of Object.keys(v)) {
          const member = (v as Record<string, unknown>)[key];
          if (member !== null && typeof member !== "object" && typeof member !== "bigint") {
            if (scalarLength(member) === null) continue; // left out of the JSON
          }
          chars += JSON.stringify(key).length + 1;
          members++;
          stack.push({ value: member, depth });
          if (chars > maxChars) break;
        }
        chars += 2 + Math.max(0, members - 1);
      }
    }
    if (chars > maxChars) {
      return `JSON longer than ${thousands(maxChars)} characters (the limit is ${thousands(maxChars)})`;
    }
  }
  return null;
}

/**
 * A free-form JSON object field within `JSON_LIMITS`: the one rule for every such field of the
 * contract. `error` words a value that is not an object at all.
 */
export function boundedJsonObject(error = "must be a JSON object") {
  return z.record(z.string(), z.unknown(), { error }).superRefine((value, ctx) => {
    const problem = jsonBoundsProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}
