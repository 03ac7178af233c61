import type { ChildProcess } from "node:child_process";
import { hostname } from "node:os";
import { type CheckResult, type Config, type DispatchResult, HostId, type TaskEvent } from "@switchyard/contract";
import {
  type Clock,
  CoreError,
  dispatchOnce,
  type Env,
  finishChecks,
  type Home,
  hasSpawnableReady,
  heartbeatHost,
  type Kernel,
  leaveHost,
  listBoards,
  lockHost,
  nextDeadline,
  nextRetryAt,
  openBoard,
  type PendingCheck,
  pendingChecks,
  recordWorkerExit,
  recordWorkerStopped,
  type SpawnRequest,
  type StopResult,
  startChecks,
  type WorkerRef,
  workersInUse,
} from "@switchyard/core";
import { runCheck } from "./checks.ts";
import { resolveProfile, spawnableProfiles } from "./config.ts";
import { gitProbe } from "./git-probe.ts";
import { appendCheckLog, lastLogLine, runLogTail } from "./logs.ts";
import { type ProcessControl, stopProcess, systemProcesses } from "./process.ts";
import { planLaunch, startWorker, type WorkerLaunch } from "./spawner.ts";

/**
 * The dispatcher as a service: one tick of a board with the real spawner, the home's config
 * and caps across all its boards. The server runs it in a loop and watches the workers it
 * starts; `switchyard dispatch` runs one tick and lets its workers go.
 */

export interface DispatchServiceOptions {
  home: Home;
  /**
   * The home's config, or a function giving the current one (read at every tick, so profiles
   * and caps added to config.yaml take effect without a restart).
   */
  config: Config | (() => Config);
  /**
   * A long-lived host (the server) keeps each worker's handle, records its exit at once
   * (a clean exit with the run still open is a protocol violation, anything else a crash),
   * ends what the worker left running in its process group, and reports it through
   * `onWorkerExit`. A short-lived one (the CLI) lets its workers go, and a later tick's pid
   * check catches a crash and stops the leftovers.
   */
  watchWorkers: boolean;
  /**
   * A place under the caps may be free on `board`: one of its watched workers exited (`taskId`
   * names its task), or a stop of one of its workers' process groups ended (`taskId` null).
   */
  onWorkerExit?: (board: string, taskId: string | null) => void;
  /** The environment workers inherit (before their own variables); defaults to this process's. */
  baseEnv?: Env;
  proc?: ProcessControl;
  clock?: Clock;
  /** This host's id (default: `dispatcherHostId` of the environment and config). */
  host?: string;
  /**
   * The open kernel of a board, kept by the caller (the server's or runner's board pool) and
   * not closed here; without it each step opens the board and closes it again.
   */
  kernels?: (board: string) => Promise<Kernel>;
  /** What this host's heartbeat row says it is (SPEC §13); default `serve`. */
  role?: "serve" | "runner";
  /** Where `worktree` workspaces default to. */
  cwd?: string;
  log?: (message: string) => void;
}

export interface TickOptions {
  dryRun?: boolean;
  /** Spawn at most this many in this tick. */
  maxSpawn?: number;
  failureLimit?: number;
}

export interface DispatchService {
  /** Slugs of the boards the dispatcher serves: every non-archived board, listed afresh. */
  boards(): Promise<string[]>;
  /** One tick of a board. Ticks never overlap, so the global cap holds across boards. */
  tick(board: string, options?: TickOptions): Promise<DispatchResult>;
  isSpawnable(profile: string): boolean;
  hasSpawnableReady(board: string): Promise<boolean>;
  /**
   * When a task of the board waiting out a rate-limit backoff becomes claimable (Unix seconds),
   * or null: the host ticks the board then, since no event will (decision 013).
   */
  nextRetryAt(board: string, after?: number): Promise<number | null>;
  /**
   * The nearest max-runtime deadline (Unix seconds) of the board's local workers, or null: the
   * host ticks the board then, so a limit is enforced when it falls due.
   */
  nextDeadline(board: string): Promise<number | null>;
  /**
   * Stops a worker that lost its run (manual reclaim, reassign) when it runs on this host, and
   * acknowledges it on the board (`worker_stopped`).
   */
  stopWorker(ref: WorkerRef, board?: string): Promise<StopResult | null>;
  /** This host's id on the boards (the host part of its claims). */
  readonly host: string;
  /**
   * Renews this host's lease on every board it serves (SPEC §13), with the profiles it can
   * start and its own cap. Call it at least every third of `dispatch.host_lease_seconds`.
   * Rejects, after trying every board, when one could not be reached.
   */
  heartbeat(): Promise<void>;
  /** A clean stop: this host's rows go (its claims keep their own expiry). */
  leave(): Promise<void>;
  /** Pids of the watched workers that have not exited yet. */
  liveWorkers(): number[];
  /**
   * Shutdown: the watched workers keep running (decision 007), but their handles no longer keep
   * this process alive. Exits that still arrive before the process ends are handled as usual.
   */
  release(): void;
  /**
   * Resolves once every stop this service started has finished and every exit it saw has been
   * handled (recorded, and the worker's process group ended).
   */
  settle(): Promise<void>;
}

/**
 * Stops the worker of a run that is over (SPEC §3.3): SIGTERM to its process group,
 * `dispatch.stop_grace_seconds`, then SIGKILL to the group if any of it is left. A worker on another host (its lock names
 * another host) or without a pid is left alone and null is returned.
 */
export function stopWorker(
  config: Config,
  ref: WorkerRef,
  options: { proc?: ProcessControl; host?: string } = {},
): Promise<StopResult | null> {
  if (ref.pid === null || lockHost(ref.lock) !== (options.host ?? hostname())) return Promise.resolve(null);
  return stopProcess(options.proc ?? systemProcesses, ref.pid, config.dispatch.stop_grace_seconds * 1000, {
    group: true,
  });
}

export function createDispatchService(options: DispatchServiceOptions): DispatchService {
  const { home } = options;
  const source = options.config;
  const currentConfig = typeof source === "function" ? source : () => source;
  const host = options.host ?? dispatcherHostId(options.baseEnv ?? process.env, currentConfig());
  const startedAt = Math.floor(options.clock?.now() ?? Date.now() / 1000);
  const base = options.proc ?? systemProcesses;
  const log = options.log ?? (() => {});
  const children = new Map<number, ChildProcess>();
  /** The board of each watched worker, until its exit has been handled. */
  const boardOf = new Map<number, string>();
  const stopping = new Map<number, Promise<StopResult>>();
  const background = new Set<Promise<unknown>>();
  // A watched child is alive until its exit has been recorded: the tick's pid check must not
  // report it as crashed before its exit code tells a crash from a protocol violation.
  const proc: ProcessControl = { ...base, isAlive: (pid) => children.has(pid) || base.isAlive(pid) };
  let queue: Promise<unknown> = Promise.resolve();

  const open = (board: string): Promise<Kernel> =>
    openBoard(home, board, { clock: options.clock, host, probe: gitProbe });
  const withBoard = async <T>(board: string, fn: (k: Kernel) => Promise<T>): Promise<T> => {
    if (options.kernels) return fn(await options.kernels(board));
    const k = await open(board);
    try {
      return await fn(k);
    } finally {
      await k.close();
    }
  };
  const isSpawnable = (profile: string) => resolveProfile(home, currentConfig(), profile) !== null;

  /**
   * Stops a worker's process group; one stop per pid at a time, and exits it causes are not
   * counted as crashes. When it ends the board hears of it (`onWorkerExit`): the group no longer
   * holds a place under the caps or its task back, and no worker exit may be left to say so.
   */
  const stop = (pid: number, board: string | null = boardOf.get(pid) ?? null): Promise<StopResult> => {
    let work = stopping.get(pid);
    if (!work) {
      work = stopProcess(proc, pid, currentConfig().dispatch.stop_grace_seconds * 1000, { group: true }).finally(() => {
        stopping.delete(pid);
        if (board !== null) options.onWorkerExit?.(board, null);
      });
      stopping.set(pid, work);
      track(work);
    }
    return work;
  };
  const track = (work: Promise<unknown>) => {
    const settled = work.catch((err) => log(`stopping a worker failed: ${(err as Error).message}`));
    background.add(settled);
    void settled.finally(() => background.delete(settled));
  };

  const onExit = async (
    board: string,
    req: SpawnRequest,
    launch: WorkerLaunch,
    pid: number,
    code: number | null,
    signal: string | null,
  ) => {
    children.delete(pid);
    // An exit caused by our own stop is recorded by whoever stopped it (a timeout), or not at all.
    const ours = stopping.has(pid);
    // A worker is its whole process tree: whatever it left running in its group goes with it.
    // (The board hears of the end of that stop below, after the exit is recorded.)
    const leftovers = proc.groupAlive(pid) ? stop(pid, null) : null;
    if (!ours) {
      try {
        const dispatch = currentConfig().dispatch;
        const outcome = await withBoard(board, (k) =>
          recordWorkerExit(
            k,
            req.task.id,
            req.runId,
            {
              pid,
              code,
              signal,
              lastLine: lastLogLine(k.paths, req.task.id),
              agentExpected: launch.agentExpected,
              logTail: runLogTail(k.paths, req.task.id),
            },
            {
              limit: dispatch.failure_limit,
              pauseAfter: dispatch.pause_after_failures,
              backoff: {
                baseSeconds: dispatch.rate_limit_backoff_seconds,
                maxSeconds: dispatch.rate_limit_backoff_max_seconds,
              },
            },
          ),
        );
        if (outcome?.result === "rate_limited") {
          log(
            `worker pid ${pid} of ${req.task.id} on ${board} was rate-limited (exit ${code}): retrying after ${new Date(outcome.retry_after * 1000).toISOString()}`,
          );
        } else if (outcome) {
          log(
            `worker pid ${pid} of ${req.task.id} on ${board} exited (${signal ?? `code ${code}`}) without finishing: ${outcome.result} after ${outcome.failures} failure(s)`,
          );
        }
      } catch (err) {
        log(`could not record the exit of worker pid ${pid} (${req.task.id} on ${board}): ${(err as Error).message}`);
      }
    }
    options.onWorkerExit?.(board, req.task.id);
    if (leftovers) {
      await leftovers.catch(() => {}); // a failed stop is logged where it is tracked
      options.onWorkerExit?.(board, req.task.id);
    }
    boardOf.delete(pid);
  };

  const spawnFor = async (board: string, k: Kernel, req: SpawnRequest, config: Config): Promise<number> => {
    const name = req.task.assignee ?? "";
    const profile = resolveProfile(home, config, name);
    if (!profile) throw new Error(`profile '${name}' is not spawnable: add it under profiles in config.yaml`);
    const launch = planLaunch(
      profile,
      {
        task: req.task,
        profile: name,
        runId: req.runId,
        workspace: req.workspace,
        paths: k.paths,
        home,
        claimTtlSeconds: config.dispatch.claim_ttl_seconds,
      },
      options.baseEnv ?? process.env,
    );
    const child = await startWorker(launch, k.paths, req.task.id);
    const pid = child.pid as number;
    if (options.watchWorkers) {
      children.set(pid, child);
      boardOf.set(pid, board);
      child.once("exit", (code, signal) => {
        const recorded = onExit(board, req, launch, pid, code, signal);
        track(recorded);
      });
    } else {
      child.unref();
    }
    return pid;
  };

  /** Workers on the other boards of the home, which count against the same caps. */
  const inUseElsewhere = async (board: string, dbPath: string) => {
    const byProfile = new Map<string, number>();
    let total = 0;
    for (const other of await listBoards(home, { includeArchived: false })) {
      // With SWITCHYARD_DB pinned, every slug names the same file: count it once.
      if (other.slug === board || other.db_path === dbPath) continue;
      try {
        const used = await withBoard(other.slug, (k) => workersInUse(k, proc));
        total += used.total;
        for (const [p, n] of used.byProfile) byProfile.set(p, (byProfile.get(p) ?? 0) + n);
      } catch (err) {
        log(`board ${other.slug} not counted towards the caps: ${(err as Error).message}`);
      }
    }
    return { total, byProfile };
  };

  /** The board hears that a worker of an ended run is gone (SPEC §13). */
  const acknowledge = (board: string, worker: WorkerRef, result: StopResult) => {
    if (worker.pid === null) return;
    const pid = worker.pid;
    track(withBoard(board, (k) => recordWorkerStopped(k, { ...worker, pid }, result)));
  };

  const runTick = (board: string, tick: TickOptions): Promise<DispatchResult> => {
    const config = currentConfig();
    return withBoard(board, async (k) =>
      dispatchOnce(k, {
        spawn: (req) => spawnFor(board, k, req, config),
        isSpawnable: (profile) => resolveProfile(home, config, profile) !== null,
        proc,
        ttl: config.dispatch.claim_ttl_seconds,
        failureLimit: tick.failureLimit ?? config.dispatch.failure_limit,
        pauseAfter: config.dispatch.pause_after_failures,
        dryRun: tick.dryRun,
        maxSpawn: tick.maxSpawn,
        capacity: {
          maxInProgress: config.dispatch.max_in_progress,
          profileCap: (p) => resolveProfile(home, config, p)?.max_in_progress,
          runningElsewhere: await inUseElsewhere(board, k.paths.dbPath),
          hostCap: config.dispatch.host_max_in_progress,
        },
        stop: (pid) => stop(pid, board),
        onStopped: (w, r) => acknowledge(board, w, r),
        cwd: options.cwd,
        profileRequirements: (p) => {
          const profile = resolveProfile(home, config, p);
          return profile ? { require: profile.require, verify: profile.verify ?? null } : undefined;
        },
        track,
        log: (m) => log(`${board}: ${m}`),
      }),
    );
  };

  /** Runs being checked by this service (SPEC §12). */
  const checking = new Set<number>();
  const checker = `${host}:${process.pid}`;

  /** Whether the `host:pid` that took a run's checks may still be running them. */
  const checkerMayLive = (owner: string): boolean => {
    if (lockHost(owner) !== host) return true;
    const pid = Number(owner.slice(owner.lastIndexOf(":") + 1));
    return pid === process.pid || base.isAlive(pid);
  };

  /**
   * The board's own checks of one handed-in completion: the worker that handed it in is stopped
   * first (it has nothing left to do, and must not change the workspace under the checks), each
   * command runs in the workspace within the time limit, and the kernel decides with the results.
   */
  const checkOne = async (board: string, p: PendingCheck): Promise<void> => {
    if (p.pid !== null && (proc.isAlive(p.pid) || proc.groupAlive(p.pid))) await stop(p.pid, board);
    const dispatch = currentConfig().dispatch;
    const env = {
      ...(options.baseEnv ?? process.env),
      SWITCHYARD_TASK: p.task_id,
      SWITCHYARD_RUN_ID: String(p.run_id),
    };
    const results: CheckResult[] = [];
    for (const c of p.checks) {
      const ran = await runCheck({
        cwd: p.workspace ?? "/nonexistent",
        command: c.command,
        timeoutMs: p.timeout_seconds * 1000,
        env,
      });
      results.push({
        command: c.command,
        source: c.source,
        expected_exit: c.expected_exit,
        ...ran,
        ok: !ran.timed_out && ran.exit_code === c.expected_exit,
      });
    }
    const outcome = await withBoard(board, async (k) => {
      appendCheckLog(k.paths, p.task_id, results);
      return finishChecks(k, p.task_id, p.run_id, results, {
        limit: dispatch.failure_limit,
        pauseAfter: dispatch.pause_after_failures,
      });
    });
    const summary = results
      .map((r) => `\`${r.command}\` ${r.timed_out ? "timed out" : `exited ${r.exit_code}`}`)
      .join(", ");
    if (outcome?.result === "completed") log(`${board}: ${p.task_id} verified (${summary}): done`);
    else if (outcome) log(`${board}: ${p.task_id} refused by its checks (${summary}): ${outcome.failure.result}`);
    options.onWorkerExit?.(board, p.task_id);
  };

  /** Takes and runs the handed-in completions of the board's tasks that run on this host. */
  const runPendingChecks = async (board: string, wait: boolean): Promise<void> => {
    const pending = await withBoard(board, (k) => pendingChecks(k));
    for (const p of pending) {
      if (checking.has(p.run_id)) continue;
      if (p.checking !== null && checkerMayLive(p.checking)) continue;
      if (!(await withBoard(board, (k) => startChecks(k, p.run_id, checker, p.checking)))) continue;
      checking.add(p.run_id);
      const work = checkOne(board, p)
        .catch(async (err) => {
          log(`${board}: checking the completion of ${p.task_id} failed: ${(err as Error).message}`);
          // Give the checks back, so a later tick (or host) runs them again.
          await withBoard(board, (k) => startChecks(k, p.run_id, null, checker)).catch(() => {});
        })
        .finally(() => checking.delete(p.run_id));
      if (wait) await work;
      else track(work);
    }
  };

  const service: DispatchService = {
    boards: async () => (await listBoards(home, { includeArchived: false })).map((b) => b.slug),
    tick(board, tick = {}) {
      const once = async () => {
        const result = await runTick(board, tick);
        if (!tick.dryRun) await runPendingChecks(board, !options.watchWorkers);
        return result;
      };
      const run = queue.then(once, once);
      queue = run.catch(() => {});
      return run;
    },
    isSpawnable,
    hasSpawnableReady: (board) => withBoard(board, (k) => hasSpawnableReady(k, isSpawnable)),
    nextRetryAt: (board, after) => withBoard(board, (k) => nextRetryAt(k, after)),
    nextDeadline: (board) => withBoard(board, (k) => nextDeadline(k)),
    host,
    stopWorker(ref, board) {
      if (ref.pid === null || lockHost(ref.lock) !== host) return Promise.resolve(null);
      const work = stop(ref.pid, board ?? null);
      if (board !== undefined)
        void work.then(
          (r) => acknowledge(board, ref, r),
          () => {},
        );
      return work;
    },
    async heartbeat() {
      const config = currentConfig();
      const beat = {
        role: options.role ?? "serve",
        profiles: spawnableProfiles(home, config),
        maxInProgress: config.dispatch.host_max_in_progress ?? null,
        leaseSeconds: config.dispatch.host_lease_seconds,
        startedAt,
      } as const;
      // Every board is tried; the first failure is then reported to the caller, which retries.
      let failure: unknown = null;
      for (const board of await service.boards()) {
        await withBoard(board, (k) => heartbeatHost(k, beat)).catch((err) => {
          failure ??= new Error(`${board}: ${(err as Error).message}`);
        });
      }
      if (failure) throw failure;
    },
    async leave() {
      for (const board of await service.boards()) {
        await withBoard(board, (k) => leaveHost(k)).catch(() => {});
      }
    },
    liveWorkers: () => [...children.keys()],
    release() {
      for (const child of children.values()) child.unref();
    },
    async settle() {
      while (background.size > 0) await Promise.all([...background]);
    },
  };
  return service;
}

/**
 * This host's id as a dispatcher (SPEC §13): `SWITCHYARD_HOST_ID`, else `dispatch.host_id`,
 * else the host name (cut to a valid id). A malformed `SWITCHYARD_HOST_ID` is refused.
 */
export function dispatcherHostId(env: Env, config: Config): string {
  const fromEnv = env.SWITCHYARD_HOST_ID?.trim();
  if (fromEnv) {
    const parsed = HostId.safeParse(fromEnv);
    if (!parsed.success) {
      throw new CoreError("invalid_input", `SWITCHYARD_HOST_ID: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    }
    return fromEnv;
  }
  if (config.dispatch.host_id) return config.dispatch.host_id;
  const name = hostname()
    .replace(/[^A-Za-z0-9._-]/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 63);
  return name || "localhost";
}

/** `SWITCHYARD_DISPATCH_IN_SERVER` values that turn the in-server dispatcher off. */
const OFF = new Set(["0", "false", "no", "off"]);

/**
 * Whether the server runs the dispatcher (SPEC §4): `--no-dispatch` or
 * `SWITCHYARD_DISPATCH_IN_SERVER=0|false|no|off` turn it off; otherwise `dispatch.in_server`
 * decides. A truthy variable does not override `in_server: false` (reference §5.3).
 */
export function dispatchInServer(config: Config, env: Env, noDispatchFlag = false): boolean {
  if (noDispatchFlag) return false;
  const raw = env.SWITCHYARD_DISPATCH_IN_SERVER?.trim().toLowerCase();
  if (raw !== undefined && OFF.has(raw)) return false;
  return config.dispatch.in_server;
}

/**
 * Events after which a tick may have work to do at once: a task became ready, or a run ended
 * (its place under a cap is free, its task is back to ready, or its worker must be stopped).
 */
export function wakesDispatcher(event: TaskEvent): boolean {
  switch (event.kind) {
    case "created":
      return event.payload.status === "ready";
    case "status":
    case "promoted":
    case "unblocked":
    case "assigned":
    case "reclaimed":
    case "crashed":
    case "timed_out":
    case "spawn_failed":
    case "protocol_violation":
    case "gave_up":
    case "completed":
    case "blocked":
    case "archived":
    case "rate_limited":
    case "profile_resumed":
    case "verifying":
    case "completion_blocked_unverified":
      return true;
    default:
      return false;
  }
}

/** Consecutive ticks with spawnable ready work and nothing started before the warning (reference §5.3). */
export const STUCK_TICKS = 6;
/** The "dispatcher stuck" warning is logged at most this often. */
export const STUCK_WARN_EVERY_SECONDS = 300;

export interface RoundOutcome {
  /** Some board had ready, assigned, unclaimed work for a spawnable profile. */
  spawnableReady: boolean;
  spawned: number;
  /** Work waited only because a cap was full (not a sign of a stuck dispatcher). */
  atCapacity: boolean;
}

/**
 * Health telemetry (reference §5.3): counts consecutive rounds in which spawnable work was
 * ready and nothing was started (caps aside); after `STUCK_TICKS` returns a warning, at most
 * once per `STUCK_WARN_EVERY_SECONDS`.
 */
export function createDispatchHealth() {
  let bad = 0;
  let lastWarned: number | null = null;
  return {
    record(round: RoundOutcome, now: number): string | null {
      if (!round.spawnableReady || round.spawned > 0 || round.atCapacity) {
        bad = 0;
        return null;
      }
      bad++;
      if (bad < STUCK_TICKS) return null;
      if (lastWarned !== null && now - lastWarned < STUCK_WARN_EVERY_SECONDS) return null;
      lastWarned = now;
      return `dispatcher stuck: spawnable ready work has waited ${bad} ticks in a row and nothing was spawned; check the profiles' commands and the worker logs`;
    },
    get badTicks() {
      return bad;
    },
  };
}
