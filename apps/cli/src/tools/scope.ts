import { CoreError, type Env } from "@switchyard/core";
import { UsageError } from "../errors.ts";

/**
 * Who is calling, from the environment the dispatcher gives a worker (SPEC §4): its task, its
 * run, its profile and tenant. Each SWITCHYARD_ name wins over its Hermes twin.
 */
export interface WorkerScope {
  /** The task this worker owns; null for a person or an orchestrator outside a task. */
  task: string | null;
  /** The worker's run; complete, block and heartbeat of its own task pass it to the kernel. */
  runId: number | null;
  profile: string | null;
  tenant: string | null;
  /** How far a heartbeat extends the claim, when the environment says. */
  claimTtl: number | null;
}

function first(env: Env, ...names: string[]): string | null {
  for (const name of names) {
    const v = env[name]?.trim();
    if (v) return v;
  }
  return null;
}

function positiveInt(env: Env, ...names: string[]): number | null {
  const raw = first(env, ...names);
  if (raw === null) return null;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new UsageError(`${names.find((n) => env[n]?.trim())} must be a positive whole number, got '${raw}'`);
  }
  return n;
}

export function workerScope(env: Env): WorkerScope {
  return {
    task: first(env, "SWITCHYARD_TASK", "HERMES_KANBAN_TASK"),
    runId: positiveInt(env, "SWITCHYARD_RUN_ID", "HERMES_KANBAN_RUN_ID"),
    profile: first(env, "SWITCHYARD_PROFILE", "HERMES_PROFILE"),
    tenant: first(env, "SWITCHYARD_TENANT", "HERMES_TENANT"),
    claimTtl: positiveInt(env, "SWITCHYARD_CLAIM_TTL_SECONDS", "HERMES_KANBAN_CLAIM_TTL_SECONDS"),
  };
}

/** The default author, `created_by` and `--mine`: the profile, else `fallback` (`user` at the CLI, `worker` in tools). */
export function identity(scope: WorkerScope, fallback: string): string {
  return scope.profile ?? fallback;
}

/**
 * The ownership guard (reference §9, SPEC §3.11): a worker may complete, block or heartbeat only
 * its own task. Without a task in the environment there is nothing to guard.
 */
export function assertOwnTask(scope: WorkerScope, taskId: string): void {
  if (scope.task === null || scope.task === taskId) return;
  throw new CoreError(
    "not_owner",
    `this worker is scoped to task ${scope.task}; refusing to mutate ${taskId}. ` +
      "Use kanban_comment (switchyard comment) to leave a note on it, or kanban_create (switchyard create) for follow-up work.",
    { task_id: taskId },
  );
}

/** The run id to pass to the kernel: the worker's run, but only for its own task. */
export function runIdFor(scope: WorkerScope, taskId: string): number | null {
  return scope.task === taskId ? scope.runId : null;
}
