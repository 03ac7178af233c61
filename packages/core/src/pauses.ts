import type { ProfilePause } from "@switchyard/contract";
import { CoreError } from "./errors.ts";
import { appendEvent } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { normalizeAssignee } from "./tasks.ts";

/**
 * Profile pauses (SPEC §3.15, decision 013): when runs of one profile keep failing the same way
 * (a bad API key, a missing binary, a broken config), retrying each of its tasks only burns
 * every task's failure budget. After `PAUSE_AFTER_FAILURES` (`dispatch.pause_after_failures`) failed runs with one error
 * fingerprint within `PAUSE_WINDOW_SECONDS`, from more than one task, the profile is paused on
 * the board: the dispatcher spawns nothing more for it until a person resumes it.
 */

export const PAUSE_AFTER_FAILURES = 3;
export const PAUSE_WINDOW_SECONDS = 600;
/** The longest normalised log line kept in a fingerprint. */
const FINGERPRINT_LINE_MAX = 200;

/** The run-metadata key that holds a failed run's fingerprint. */
export const FINGERPRINT_KEY = "fingerprint";

/**
 * A log line with its incidental parts removed, so that the same error from two runs reads the
 * same: timestamps, URLs and paths, hex ids and hashes, long tokens of letters and digits
 * (request ids, keys), numbers; then lowercased, blanks collapsed, trimmed and cut to 200
 * characters.
 */
export function normalizeLogLine(line: string): string {
  return line
    .toLowerCase()
    .replace(/\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?/g, " ")
    .replace(/\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\b/g, " ")
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/g, "<url>")
    .replace(/(?:~|\.{1,2})?(?:\/[^\s/:'"`,;()[\]{}<>]+)+\/?/g, "<path>")
    .replace(/\b[a-z]:\\[^\s'"]*/g, "<path>")
    .replace(/<path>(?:[:;]<path>)+/g, "<path>")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "#")
    .replace(/\b0x[0-9a-f]+/g, "#")
    .replace(/(?<![a-z0-9])(?=[0-9a-f]*\d)[0-9a-f]{6,}(?![a-z0-9])/g, "#")
    .replace(/(?<![a-z0-9])(?=[\w-]*\d)(?=[\w-]*[a-z])[\w-]{12,}(?![a-z0-9])/g, "#")
    .replace(/\d+/g, "#")
    .replace(/#(?:[\s.,:/-]*#)+/g, "#")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, FINGERPRINT_LINE_MAX);
}

/** What a worker's exit looked like: its code or signal, and the last line it logged. */
export interface ExitFacts {
  code: number | null;
  signal: string | null;
  lastLine?: string | null;
}

/** The fingerprint of a worker's exit: exit code (or signal) plus its normalised last log line. */
export function exitFingerprint(exit: ExitFacts): string {
  const how = exit.signal ? `signal ${exit.signal.toLowerCase()}` : `exit ${exit.code ?? "?"}`;
  const line = normalizeLogLine(exit.lastLine ?? "");
  return `${how}: ${line || "(no output)"}`;
}

/** The fingerprint of a worker that could not be started: the normalised error. */
export function spawnFingerprint(error: string): string {
  return `spawn: ${normalizeLogLine(error) || "(no message)"}`;
}

interface PauseRow {
  profile: string;
  fingerprint: string;
  failures: number;
  task_id: string | null;
  paused_at: number;
  resumed_at: number | null;
}

function toPause(r: PauseRow): ProfilePause {
  return {
    profile: r.profile,
    fingerprint: r.fingerprint,
    paused_at: Number(r.paused_at),
    task_id: r.task_id,
    failures: Number(r.failures),
  };
}

function fingerprintOf(metadata: string | null): string | null {
  if (!metadata) return null;
  try {
    const value = JSON.parse(metadata) as unknown;
    const fp = value && typeof value === "object" ? (value as Record<string, unknown>)[FINGERPRINT_KEY] : undefined;
    return typeof fp === "string" ? fp : null;
  } catch {
    return null;
  }
}

/**
 * Called inside the transaction that closed a failed run carrying `fingerprint` (its metadata
 * holds it): pauses the run's profile when enough runs of that profile failed the same way
 * within the window, since the profile was last resumed, from more than one task (one task
 * failing alone is for its own failure limit). Appends `profile_paused` on this task. Returns
 * the pause, or null when the profile was not paused by this failure.
 */
export async function notePausingFailure(
  k: Kernel,
  taskId: string,
  runId: number,
  fingerprint: string,
  pauseAfter = PAUSE_AFTER_FAILURES,
): Promise<ProfilePause | null> {
  if (pauseAfter <= 0) return null;
  const run = await k.db.get<{ profile: string | null }>("SELECT profile FROM task_runs WHERE id = ?", [runId]);
  const profile = run?.profile ?? null;
  if (!profile) return null;
  const now = k.clock.now();
  const existing = await k.db.get<PauseRow>("SELECT * FROM profile_pauses WHERE profile = ?", [profile]);
  if (existing && existing.resumed_at === null) return null;
  const since = Math.max(now - PAUSE_WINDOW_SECONDS, existing ? Number(existing.resumed_at) + 1 : 0);
  const runs = await k.db.all<{ task_id: string; metadata: string | null }>(
    "SELECT task_id, metadata FROM task_runs WHERE ended_at >= ? AND profile = ? AND metadata IS NOT NULL",
    [since, profile],
  );
  const alike = runs.filter((r) => fingerprintOf(r.metadata) === fingerprint);
  const tasks = [...new Set(alike.map((r) => r.task_id))];
  if (alike.length < pauseAfter || tasks.length < 2) return null;

  const row = await k.db.get<PauseRow>(
    `INSERT INTO profile_pauses (profile, fingerprint, failures, task_id, paused_at, resumed_at, resumed_by)
     VALUES (?, ?, ?, ?, ?, NULL, NULL)
     ON CONFLICT (profile) DO UPDATE SET fingerprint = excluded.fingerprint, failures = excluded.failures,
       task_id = excluded.task_id, paused_at = excluded.paused_at, resumed_at = NULL, resumed_by = NULL
     RETURNING *`,
    [profile, fingerprint, alike.length, taskId, now],
  );
  await appendEvent(
    k,
    taskId,
    "profile_paused",
    { profile, fingerprint, failures: alike.length, window_seconds: PAUSE_WINDOW_SECONDS, tasks },
    runId,
  );
  return row ? toPause(row) : null;
}

/** Profiles paused on this board, by name. */
export async function pausedProfiles(k: Kernel): Promise<ProfilePause[]> {
  const rows = await k.db.all<PauseRow>("SELECT * FROM profile_pauses WHERE resumed_at IS NULL ORDER BY profile");
  return rows.map(toPause);
}

/**
 * Resumes a paused profile: the dispatcher spawns for it again, and its earlier failures no
 * longer count towards a pause. Appends `profile_resumed` on the task that paused it. Refuses
 * (`not_found`) a profile that is not paused.
 */
export async function resumeProfile(k: Kernel, name: string, by: string | null = null): Promise<ProfilePause> {
  const profile = normalizeAssignee(name);
  if (!profile) throw new CoreError("invalid_input", "name the profile to resume");
  return k.write(async (k) => {
    const row = await k.db.get<PauseRow>("SELECT * FROM profile_pauses WHERE profile = ? AND resumed_at IS NULL", [
      profile,
    ]);
    if (!row) throw new CoreError("not_found", `profile '${profile}' is not paused on this board`);
    await k.db.run("UPDATE profile_pauses SET resumed_at = ?, resumed_by = ? WHERE profile = ?", [
      k.clock.now(),
      by,
      profile,
    ]);
    if (row.task_id) {
      await appendEvent(k, row.task_id, "profile_resumed", { profile, fingerprint: row.fingerprint, by });
    }
    return toPause(row);
  });
}
