import { isAbsolute, resolve } from "node:path";
import { BoardSlug, EVENT_KINDS, type EventKind, TaskStatus, type WorkspaceKind } from "@switchyard/contract";
import { expandHome, parseDuration } from "@switchyard/core";
import { InvalidArgumentError } from "commander";
import type { z } from "zod";
import { UsageError } from "./errors.ts";

/**
 * Parsers for option and argument values. Each throws commander's InvalidArgumentError, which
 * commander reports as one line and which exits 2 (errors.ts).
 */

export function wholeNumber(what: string, min = Number.MIN_SAFE_INTEGER) {
  return (text: string): number => {
    const n = Number(text.trim());
    if (text.trim() === "" || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(
        `${what} must be a whole number${min === 0 ? " (0 or more)" : min === 1 ? " (1 or more)" : ""}`,
      );
    }
    return n;
  };
}

export function positiveSeconds(what: string) {
  return (text: string): number => {
    const n = Number(text.trim());
    if (text.trim() === "" || !Number.isFinite(n) || n <= 0) {
      throw new InvalidArgumentError(`${what} must be a positive number of seconds`);
    }
    return n;
  };
}

/** `90`, `30s`, `5m`, `2h`, `1d` -> seconds. */
export function duration(text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function boardSlug(text: string): string {
  const r = BoardSlug.safeParse(text);
  if (!r.success) throw new InvalidArgumentError(`invalid board slug '${text}': ${r.error.issues[0]?.message}`);
  return r.data;
}

export function taskStatus(text: string): TaskStatus {
  const r = TaskStatus.safeParse(text.trim().toLowerCase());
  if (!r.success)
    throw new InvalidArgumentError(`unknown status '${text}': use one of ${TaskStatus.options.join(", ")}`);
  return r.data;
}

/** `a,b` -> event kinds, each one the board knows. */
export function eventKinds(text: string): EventKind[] {
  const kinds = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = kinds.filter((k) => !(EVENT_KINDS as string[]).includes(k));
  if (kinds.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown event kind(s) '${unknown.join(",") || text}': use ${EVENT_KINDS.join(", ")}`,
    );
  }
  return kinds as EventKind[];
}

/** `scratch`, `worktree` or `dir:<absolute path>` (reference §10.2 `--workspace`; `~` is expanded). */
export function workspaceSpec(text: string): { kind: WorkspaceKind; path: string | null } {
  const v = text.trim();
  if (v === "" || v === "scratch") return { kind: "scratch", path: null };
  if (v === "worktree") return { kind: "worktree", path: null };
  if (v.startsWith("dir:")) {
    const raw = v.slice(4).trim();
    if (!raw) throw new InvalidArgumentError("dir: needs a path, e.g. dir:/srv/project");
    const path = expandHome(raw);
    if (!isAbsolute(path)) throw new InvalidArgumentError(`dir: needs an absolute path, got '${raw}'`);
    return { kind: "dir", path };
  }
  throw new InvalidArgumentError(`unknown workspace '${text}': use scratch, worktree or dir:<absolute path>`);
}

/** `commits,verify` -> the names as typed (the contract's schema checks them); `none` or `` is the empty list. */
export function nameList(text: string): string[] {
  const v = text.trim();
  if (v === "" || v.toLowerCase() === "none") return [];
  return v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A path as given, made absolute against the current directory (`~` is expanded). */
export function absolutePath(text: string): string {
  return resolve(expandHome(text.trim()));
}

/** A JSON object, for an option that takes one (`--metadata`, `--receipts`). */
export function jsonObjectOf(flag: string, example: string) {
  return (text: string): Record<string, unknown> => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new InvalidArgumentError(`${flag} must be a JSON object, e.g. '${example}' (it is not valid JSON)`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new InvalidArgumentError(`${flag} must be a JSON object, e.g. '${example}'`);
    }
    return value as Record<string, unknown>;
  };
}

/** `--metadata`: a JSON object of machine-readable facts. */
export const jsonObject = jsonObjectOf("metadata", '{"tests": 12}');

/**
 * `--test "pnpm test=0"`: a command and the exit code it gave, split at the last `=` (a command
 * may contain `=` itself: `FOO=1 make check=0`). Repeatable.
 */
export function testClaim(text: string, previous: TestClaimInput[] | undefined): TestClaimInput[] {
  const at = text.lastIndexOf("=");
  const code = at < 0 ? "" : text.slice(at + 1).trim();
  if (at < 0 || !/^\d+$/.test(code)) {
    throw new InvalidArgumentError(
      `--test takes "<command>=<exit code>", e.g. --test "pnpm test=0" (got '${text.slice(0, 200)}')`,
    );
  }
  return [...(previous ?? []), { command: text.slice(0, at), exit_code: Number(code) }];
}

export interface TestClaimInput {
  command: string;
  exit_code: number;
}

/** `--branch feature/x` or `--branch feature/x@upstream`: a pushed branch and its remote (default origin). */
export function branchClaim(text: string): { name: string; remote?: string } {
  const at = text.indexOf("@");
  if (at < 0) return { name: text };
  return { name: text.slice(0, at), remote: text.slice(at + 1) };
}

/** For repeatable options: `--parent a --parent b`. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * A verb's input checked with the contract schema the API uses for the same action, so the CLI
 * takes exactly what the API takes: every limit is the contract's. A refusal exits 2 with one
 * line naming the flag or argument (`flags` maps a field to it; by default `max_runtime` is
 * `--max-runtime`).
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: z.input<S>,
  flags: Readonly<Record<string, string>> = {},
): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = String(issue?.path[0] ?? "");
  const flag = flags[field] ?? (field ? `--${field.replaceAll("_", "-")}` : "input");
  const message = issue?.message ?? "invalid";
  throw new UsageError(message.startsWith(field) && field ? message : `${flag}: ${message}`);
}
