import { type DispatchResult, emptyDispatchResult, type Task } from "@switchyard/contract";
import {
  type ClaimCaps,
  claimTask,
  DEFAULT_CLAIM_TTL_SECONDS,
  isLocalLock,
  releaseStaleClaims,
  setWorkerPid,
  type WorkerRef,
} from "./claims.ts";
import {
  DEFAULT_FAILURE_LIMIT,
  detectCrashedWorkers,
  type EndedWorker,
  type FailureOutcome,
  overdueWorkers,
  recordFailure,
  recordTimeout,
  supersededWorkers,
} from "./failures.ts";
import type { Kernel } from "./kernel.ts";
import { recomputeReady } from "./links.ts";
import { pausedProfiles, spawnFingerprint } from "./pauses.ts";
import type { ProfileRequirements } from "./policy.ts";
import { RETRY_DUE_SQL } from "./rate-limits.ts";
import { type TaskRow, toTask } from "./rows.ts";
import { runningByProfile } from "./stats.ts";
import { TASK_ORDER } from "./tasks.ts";
import { prepareWorkspace, stampRun } from "./workspaces.ts";

/** What a spawn function gets: the claimed task, its run and its resolved workspace. */
export interface SpawnRequest {
  task: Task;
  runId: number;
  workspace: string;
}

/**
 * What the dispatch decision needs to know of processes on this host; the host runtime
 * implements it with system calls, tests with fakes.
 */
export interface WorkerLiveness {
  /** Alive and not a zombie. */
  isAlive(pid: number): boolean;
  /**
   * Some member of this process group is alive and not a zombie. A worker leads its own group,
   * so this is true while anything it started is still running, even after it exited itself.
   */
  groupAlive(pgid: number): boolean;
  /** When the process started, in Unix seconds, or null when that cannot be told. */
  startedAt(pid: number): number | null;
}

/** How a stop ended. */
export interface StopResult {
  /** The process is gone (or was never there). */
  stopped: boolean;
  /** SIGKILL had to be sent after the grace period. */
  sigkill: boolean;
}

/**
 * A worker starts within moments of its run; a live process that started well after the run
 * began has reused the worker's pid and is not ours to judge or signal.
 */
const SPAWN_SLACK_SECONDS = 120;

/** The pid is alive and (as far as can be told) still the worker of a run that started then. */
export function isOwnWorker(proc: WorkerLiveness, pid: number, runStartedAt: number | null | undefined): boolean {
  if (!proc.isAlive(pid)) return false;
  if (runStartedAt === null || runStartedAt === undefined) return true;
  const started = proc.startedAt(pid);
  return started === null || started <= runStartedAt + SPAWN_SLACK_SECONDS;
}

export interface Capacity {
  /** The global cap (`dispatch.max_in_progress`). */
  maxInProgress: number;
  /** Per-profile caps (`profiles.<name>.max_in_progress`). */
  profileCap?: (profile: string) => number | undefined;
  /** Workers running on other boards, counted against the same caps. */
  runningElsewhere?: { total: number; byProfile: ReadonlyMap<string, number> };
  /** This host's own cap (`dispatch.host_max_in_progress`), over the tasks its claims hold. */
  hostCap?: number;
}

export interface DispatchOptions {
  /** Starts the worker; returns its pid. Throws (or rejects) on failure. */
  spawn: (req: SpawnRequest) => number | Promise<number>;
  isSpawnable: (profile: string) => boolean;
  proc: WorkerLiveness;
  ttl?: number;
  failureLimit?: number;
  /** `dispatch.pause_after_failures`: identical spawn failures that pause a profile (0 never). */
  pauseAfter?: number;
  dryRun?: boolean;
  /** Spawn at most this many in this tick. */
  maxSpawn?: number;
  capacity?: Capacity;
  /** Stops a worker (the host runtime: SIGTERM, grace, SIGKILL to its process group). */
  stop: (pid: number) => Promise<StopResult>;
  /** Where `worktree` workspaces default to. */
  cwd?: string;
  /** What a profile's completions must prove (config.yaml `profiles.<name>.require/verify`). */
  profileRequirements?: (profile: string) => ProfileRequirements | undefined;
  /** Called for background work that must not be lost (stopping superseded workers). */
  track?: (work: Promise<unknown>) => void;
  /**
   * Called when the worker of an ended run has been stopped on this host, so the board hears
   * of it (`worker_stopped`, SPEC §13): the run may have been ended from another host.
   */
  onStopped?: (worker: WorkerRef & { pid: number }, result: StopResult) => void;
  log?: (message: string) => void;
}

/** How long after a run ends its worker is still looked for (and kept from being respawned). */
const SUPERSEDED_WINDOW_SECONDS = 600;

function noteFailures(result: DispatchResult, outcomes: FailureOutcome[], list: string[]): void {
  for (const o of outcomes) {
    list.push(o.task_id);
    if (o.result === "gave_up") result.auto_blocked.push(o.task_id);
  }
}

/**
 * A worker that completed or blocked its own task is given this long to exit by itself before
 * it is stopped; any other ended run's worker is stopped at once.
 */
const SELF_EXIT_GRACE_SECONDS = 30;

/**
 * Workers of ended runs that are still alive on this host: the worker process itself, or what
 * it left behind in its process group after it exited (a worker is its whole process tree).
 */
async function lingeringWorkers(k: Kernel, proc: WorkerLiveness): Promise<EndedWorker[]> {
  const out: EndedWorker[] = [];
  const seen = new Set<number>();
  for (const w of await supersededWorkers(k, SUPERSEDED_WINDOW_SECONDS)) {
    if (w.pid === null || seen.has(w.pid)) continue;
    if (proc.isAlive(w.pid)) {
      const started = proc.startedAt(w.pid);
      if (started !== null && started > w.ended_at + 1) continue; // the pid now belongs to another process
    } else if (!proc.groupAlive(w.pid)) {
      continue;
    }
    seen.add(w.pid);
    out.push(w);
  }
  return out;
}

export interface WorkersInUse {
  total: number;
  byProfile: Map<string, number>;
  /** Live processes of ended runs (already counted in `total` and `byProfile`). */
  lingering: EndedWorker[];
}

/**
 * What takes a place under the caps on this board: running tasks, plus workers whose run is
 * over but whose process, or any process of its group, is still alive (the caps count
 * processes, not rows).
 */
export async function workersInUse(k: Kernel, proc: WorkerLiveness): Promise<WorkersInUse> {
  const running = await runningByProfile(k);
  let total = running.total;
  const byProfile = new Map(running.byProfile);
  const lingering = await lingeringWorkers(k, proc);
  for (const w of lingering) {
    total++;
    if (w.profile) byProfile.set(w.profile, (byProfile.get(w.profile) ?? 0) + 1);
  }
  return { total, byProfile, lingering };
}

/**
 * One dispatcher tick (reference §5.1 with SPEC §3 and §4): stop lingering superseded workers,
 * release stale claims, detect crashed workers, enforce max runtime, recompute ready, then
 * claim and spawn ready tasks by priority within the global and per-profile caps.
 */
export async function dispatchOnce(k: Kernel, options: DispatchOptions): Promise<DispatchResult> {
  const result = emptyDispatchResult();
  const limit = options.failureLimit ?? DEFAULT_FAILURE_LIMIT;
  const stopNow = options.stop;
  const stop = (pid: number) => {
    const work = stopNow(pid);
    options.track?.(work);
    return work;
  };
  /** Stops the worker of an ended run and tells the board once it is gone. */
  const stopEnded = (w: WorkerRef & { pid: number }) => {
    void stop(w.pid).then(
      (r) => options.onStopped?.(w, r),
      () => {}, // a failed stop is logged where it is tracked
    );
  };

  // 0 + 1: workers whose runs are over must go; stale claims are released.
  const now = k.clock.now();
  for (const w of await lingeringWorkers(k, options.proc)) {
    const ownEnd = w.outcome === "completed" || w.outcome === "blocked";
    if (w.pid !== null && !options.dryRun && (!ownEnd || now - w.ended_at >= SELF_EXIT_GRACE_SECONDS)) {
      stopEnded({ ...w, pid: w.pid });
    }
  }
  const stale = await releaseStaleClaims(k);
  result.reclaimed = stale.length;
  for (const w of stale) {
    if (w.pid !== null && isLocalLock(k, w.lock) && !options.dryRun && isOwnWorker(options.proc, w.pid, w.started_at)) {
      stopEnded({ ...w, pid: w.pid });
    }
  }

  // 2: crashed workers.
  noteFailures(
    result,
    await detectCrashedWorkers(k, (pid, w) => isOwnWorker(options.proc, pid, w.started_at), limit),
    result.crashed,
  );

  // 3: max runtime, measured from the current run's start. Every overdue worker is signalled at
  // once and their grace periods run side by side.
  const overdue = await overdueWorkers(k);
  if (options.dryRun) {
    for (const w of overdue) result.timed_out.push(w.task_id);
  } else {
    const stops = await Promise.all(overdue.map((w) => stopNow(w.pid as number)));
    for (const [i, w] of overdue.entries()) {
      const outcome = await recordTimeout(k, w, stops[i]?.sigkill ?? false, limit);
      if (outcome) noteFailures(result, [outcome], result.timed_out);
    }
  }

  // 4: promotion.
  result.promoted = await recomputeReady(k);

  // 5: claim and spawn (not a task waiting out a rate-limit backoff, nor one of a paused profile).
  const ready = (
    await k.db.all<TaskRow>(
      `SELECT * FROM tasks WHERE status = 'ready' AND claim_lock IS NULL AND ${RETRY_DUE_SQL} ORDER BY ${TASK_ORDER}`,
      [now],
    )
  ).map(toTask);
  const paused = new Set((await pausedProfiles(k)).map((p) => p.profile));
  // A worker whose run is over but whose process is still alive holds its task back.
  const here = await workersInUse(k, options.proc);
  const lingering = new Map(here.lingering.map((w) => [w.task_id, w]));
  const elsewhere = options.capacity?.runningElsewhere;
  let total = here.total + (elsewhere?.total ?? 0);
  const byProfile = new Map(here.byProfile);
  for (const [p, n] of elsewhere?.byProfile ?? []) byProfile.set(p, (byProfile.get(p) ?? 0) + n);
  let spawned = 0;

  for (const task of ready) {
    if (options.maxSpawn !== undefined && spawned >= options.maxSpawn) break;
    const profile = task.assignee;
    if (!profile) {
      result.skipped_unassigned.push(task.id);
      continue;
    }
    if (!options.isSpawnable(profile)) {
      result.skipped_nonspawnable.push(task.id);
      continue;
    }
    if (paused.has(profile)) {
      result.skipped_paused.push(task.id);
      continue;
    }
    const cap = options.capacity;
    const profileCap = cap?.profileCap?.(profile);
    if (
      (cap && total >= cap.maxInProgress) ||
      (profileCap !== undefined && (byProfile.get(profile) ?? 0) >= profileCap)
    ) {
      result.skipped_capacity.push(task.id);
      continue;
    }
    if (lingering.has(task.id)) {
      options.log?.(`holding ${task.id}: its previous worker (pid ${lingering.get(task.id)?.pid}) is still stopping`);
      continue;
    }
    // A start takes a place under the caps and the budget; a failed one gives it back.
    const take = (n: 1 | -1) => {
      total += n;
      byProfile.set(profile, (byProfile.get(profile) ?? 0) + n);
      spawned += n;
    };
    if (options.dryRun) {
      result.spawned.push({ task_id: task.id, assignee: profile, workspace: "" });
      take(1);
      continue;
    }
    // The caps again, counted inside the claim's transaction: other hosts claim on this board too.
    const refusedFor: { cap: keyof ClaimCaps | null } = { cap: null };
    const claimed = await claimTask(k, task.id, {
      ttl: options.ttl ?? DEFAULT_CLAIM_TTL_SECONDS,
      caps: cap && {
        total: { max: cap.maxInProgress, extra: here.lingering.length + (elsewhere?.total ?? 0) },
        profile:
          profileCap === undefined
            ? undefined
            : {
                max: profileCap,
                extra:
                  here.lingering.filter((w) => w.profile === profile).length + (elsewhere?.byProfile.get(profile) ?? 0),
              },
        host: cap.hostCap === undefined ? undefined : { max: cap.hostCap, extra: here.lingering.length },
      },
      refusedFor,
    });
    if (refusedFor.cap) {
      result.skipped_capacity.push(task.id);
      continue;
    }
    if (!claimed || claimed.current_run_id === null) continue;
    const runId = claimed.current_run_id;
    take(1);

    let workspace: string;
    try {
      const prepared = await prepareWorkspace(k, claimed, options.cwd);
      workspace = prepared.path;
      await stampRun(k, claimed, runId, prepared, options.profileRequirements?.(profile));
    } catch (err) {
      const o = await recordFailure(
        k,
        task.id,
        { kind: "spawn_failed", error: `workspace: ${(err as Error).message}`, runId },
        limit,
      );
      result.spawn_failed.push(task.id);
      if (o?.result === "gave_up") result.auto_blocked.push(task.id);
      take(-1);
      continue;
    }
    try {
      const pid = await options.spawn({ task: { ...claimed, workspace_path: workspace }, runId, workspace });
      if (!(await setWorkerPid(k, task.id, runId, pid))) {
        // The run ended while its worker was starting (a reclaim from another process).
        options.log?.(`stopping pid ${pid}: the run of ${task.id} ended while it was starting`);
        void stop(pid);
        continue;
      }
      result.spawned.push({ task_id: task.id, assignee: profile, workspace });
    } catch (err) {
      const error = (err as Error).message;
      const o = await recordFailure(
        k,
        task.id,
        { kind: "spawn_failed", error, runId, fingerprint: spawnFingerprint(error) },
        limit,
        options.pauseAfter,
      );
      result.spawn_failed.push(task.id);
      if (o?.result === "gave_up") result.auto_blocked.push(task.id);
      if (o?.paused_profile) paused.add(o.paused_profile);
      take(-1);
    }
  }
  return result;
}

/**
 * Ready, assigned, unclaimed work that some spawnable profile could take now (reference §5.3):
 * a task waiting out a rate-limit backoff, or of a paused profile, is not.
 */
export async function hasSpawnableReady(k: Kernel, isSpawnable: (profile: string) => boolean): Promise<boolean> {
  const rows = await k.db.all<{ assignee: string }>(
    `SELECT DISTINCT assignee FROM tasks
      WHERE status = 'ready' AND claim_lock IS NULL AND assignee IS NOT NULL AND ${RETRY_DUE_SQL}`,
    [k.clock.now()],
  );
  const paused = new Set((await pausedProfiles(k)).map((p) => p.profile));
  return rows.some((r) => !paused.has(r.assignee) && isSpawnable(r.assignee));
}
