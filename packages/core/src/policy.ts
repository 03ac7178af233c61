import {
  type CompletionPolicy,
  DEFAULT_POLICY,
  PolicyPatch,
  REQUIREMENTS,
  type Requirement,
  type Requirements,
  type Task,
} from "@switchyard/contract";
import { CoreError } from "./errors.ts";
import type { Kernel } from "./kernel.ts";

/**
 * A board's completion policy (SPEC §12): the repository and base revision its worktrees come
 * from, what every completion on it must prove, its `verify` command and time limit, and
 * whether gc keeps unmerged task branches. Stored in the board's `board_settings` table, one
 * JSON value per key, so it lives with the board on any storage.
 */

const KEYS = Object.keys(DEFAULT_POLICY) as Array<keyof CompletionPolicy>;

/** The board's policy, with the defaults for what was never set. */
export async function getPolicy(k: Kernel): Promise<CompletionPolicy> {
  const rows = await k.db.all<{ key: string; value: string }>("SELECT key, value FROM board_settings");
  return policyOf(Object.fromEntries(rows.map((r) => [r.key, r.value])));
}

/**
 * A policy from stored values (`board_settings` key -> JSON text; keys not given are unset),
 * with the defaults for what is unset. A value another tool wrote badly reads as unset.
 */
export function policyOf(stored: Readonly<Record<string, string | null | undefined>>): CompletionPolicy {
  const values: Record<string, unknown> = {};
  for (const key of KEYS) {
    const text = stored[key];
    if (text === null || text === undefined) continue;
    try {
      values[key] = JSON.parse(text);
    } catch {
      // unset
    }
  }
  if (Object.keys(values).length === 0) return DEFAULT_POLICY;
  const parsed = PolicyPatch.safeParse(values);
  return { ...DEFAULT_POLICY, ...(parsed.success ? stripUndefined(parsed.data) : {}) };
}

/**
 * SQL: the board's settings a completion's requirements depend on, as columns `policy_<key>`
 * of a row about something else (one statement instead of two on the completion path).
 */
export const REQUIREMENT_SETTINGS_SQL = (["require", "verify", "verify_timeout_seconds"] as const)
  .map((key) => `(SELECT value FROM board_settings WHERE key = '${key}') AS policy_${key}`)
  .join(", ");

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Changes some of the board's policy (null resets a key to its default); returns the whole policy. */
export async function setPolicy(k: Kernel, patch: unknown): Promise<CompletionPolicy> {
  const parsed = PolicyPatch.safeParse(patch);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CoreError("invalid_input", `${issue?.path.join(".") || "policy"}: ${issue?.message ?? "invalid"}`);
  }
  return k.write(async (k) => {
    for (const [key, value] of Object.entries(parsed.data)) {
      if (value === undefined) continue;
      if (value === null) await k.db.run("DELETE FROM board_settings WHERE key = ?", [key]);
      else {
        await k.db.run(
          "INSERT INTO board_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          [key, JSON.stringify(value)],
        );
      }
    }
    return getPolicy(k);
  });
}

/** What a profile adds to a board's requirements (config.yaml `profiles.<name>.require/verify`). */
export interface ProfileRequirements {
  require?: readonly Requirement[];
  verify?: string | null;
}

/**
 * What a completion of `task` must prove: the union of the board's, the profile's and the
 * task's requirements. Naming a verify command anywhere requires `verify`; the command run is
 * the task's, else the profile's, else the board's.
 */
export function resolveRequirements(
  policy: CompletionPolicy,
  task: Pick<Task, "require" | "verify_command">,
  profile: ProfileRequirements | null | undefined,
): Requirements {
  const verify = task.verify_command ?? profile?.verify ?? policy.verify ?? null;
  const wanted = new Set<Requirement>([...policy.require, ...(profile?.require ?? []), ...(task.require ?? [])]);
  if (verify !== null) wanted.add("verify");
  return {
    require: REQUIREMENTS.filter((r) => wanted.has(r)),
    verify,
    verify_timeout_seconds: policy.verify_timeout_seconds,
  };
}

/** True when nothing is required. */
export function requiresNothing(r: Requirements | null): boolean {
  return r === null || r.require.length === 0;
}
