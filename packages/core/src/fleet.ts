import {
  FLEET_FAILURE_KINDS,
  type FleetFailureKind,
  type FleetFailures,
  type FleetFigures,
  type FleetHost,
  type FleetProfile,
  type FleetQueue,
  type FleetQueueReason,
  type FleetRun,
  type FleetSpread,
  type RunOutcome,
} from "@switchyard/contract";
import { CoreError } from "./errors.ts";
import { listHosts } from "./hosts.ts";
import { type Kernel, lockHost } from "./kernel.ts";
import { pausedProfiles } from "./pauses.ts";

/**
 * The fleet figures (issue 19): read from the runs, events and tasks the board already keeps,
 * with no bookkeeping of their own. Every query reads the window (or what is running or ready
 * now), so the rows read grow with the window, not with the board's history. Percentiles are
 * computed here from the window's durations: the two engines' percentile functions differ.
 */

/** The longest timeline `fleetFigures` returns unless asked for another. */
export const FLEET_RUNS_MAX = 5000;
/** Hour buckets, unless the window would need more than this many of them. */
export const FLEET_BUCKETS_MAX = 24 * 31;
/** The window when none is asked for: the last 24 hours. */
export const FLEET_WINDOW_SECONDS = 86_400;
const HOUR = 3600;

export interface FleetOptions {
  /** The window's start (Unix seconds), at most `now`; by default `FLEET_WINDOW_SECONDS` before it (or 0). */
  since?: number;
  /** The window's end; the kernel's clock by default. */
  now?: number;
  /** The most runs listed for the timeline (newest first). */
  runLimit?: number;
}

/**
 * Value at quantile `q` of sorted `values`, interpolated linearly between ranks (numpy's
 * default), rounded to the hundredth (the inputs are whole seconds).
 */
export function quantile(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return Math.round((a + (b - a) * (pos - lo)) * 100) / 100;
}

/**
 * Median and p90 of `values` (any order). A typed array sorts numbers without a comparator
 * call per comparison: a week's 50,000 durations sort several times faster.
 */
export function spread(values: readonly number[]): FleetSpread {
  const sorted = Float64Array.from(values).sort();
  return { count: sorted.length, median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9) };
}

/** What is tallied per profile and per host before it becomes figures. */
interface Tally {
  running: number;
  runs: number;
  done: number;
  durations: number[];
  failures: Record<FleetFailureKind, number>;
}

function emptyTally(): Tally {
  const failures = Object.fromEntries(FLEET_FAILURE_KINDS.map((k) => [k, 0])) as Record<FleetFailureKind, number>;
  return { running: 0, runs: 0, done: 0, durations: [], failures };
}

function tallyOf(map: Map<string, Tally>, key: string): Tally {
  let t = map.get(key);
  if (!t) {
    t = emptyTally();
    map.set(key, t);
  }
  return t;
}

function figuresOf(t: Tally) {
  const failures = Object.fromEntries(
    FLEET_FAILURE_KINDS.map((kind) => [
      kind,
      { count: t.failures[kind], rate: t.runs === 0 ? null : t.failures[kind] / t.runs },
    ]),
  ) as FleetFailures;
  return { running: t.running, runs: t.runs, done: t.done, duration_seconds: spread(t.durations), failures };
}

function parseObject(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * The failure an ended run counts as, or null. A run given up at the failure limit counts as
 * the failure that gave it up (the `gave_up` event's `cause`); a crash or protocol violation of
 * a worker whose agent never reached the board's tools counts as `never_connected`. Refused
 * completions are counted from their events, so an `unverified` run is not counted again.
 */
function failureOf(outcome: string | null, metadata: string | null, gaveUp: string | null): FleetFailureKind | null {
  const cause = outcome === "gave_up" ? parseObject(gaveUp)?.cause : outcome;
  switch (cause) {
    case "spawn_failed":
    case "timed_out":
      return cause;
    case "crashed":
    case "protocol_violation":
      return parseObject(metadata)?.agent_connected === false ? "never_connected" : cause;
    default:
      return null;
  }
}

/**
 * Why ready tasks of one assignee wait, in the dispatcher's order (dispatcher.ts): a backoff
 * hides every one of them, no assignee, a profile that cannot be started here, a paused
 * profile, a cap reached. `config` is what only the config knows; without it those reasons
 * are left out.
 */
export function queueReason(
  q: Pick<FleetQueue, "profile" | "ready" | "rate_limited">,
  facts: { paused: boolean },
  config?: { spawnable: boolean; atCapacity: boolean },
): FleetQueueReason | null {
  if (q.rate_limited >= q.ready) return "rate_limited";
  if (q.profile === null) return "unassigned";
  if (config && !config.spawnable) return "not_spawnable";
  if (facts.paused) return "paused";
  if (config?.atCapacity) return "at_capacity";
  return null;
}

/**
 * The fleet figures of a board over `[since, now]`: per profile and per host what runs now,
 * the runs that ended in the window (done, durations, failures by kind and per run), the
 * timeline of runs, tasks done per hour and their cycle time, and the ready queue. Caps of
 * profiles and the reasons that need config are left for `withFleetConfig`.
 */
export async function fleetFigures(k: Kernel, options: FleetOptions = {}): Promise<FleetFigures> {
  const now = options.now ?? k.clock.now();
  const since = options.since ?? Math.max(0, now - FLEET_WINDOW_SECONDS);
  if (!Number.isSafeInteger(since) || since < 0 || since > now) {
    throw new CoreError("invalid_input", `since must be Unix seconds between 0 and now (${now}), not ${since}`);
  }
  const runLimit = Math.max(0, Math.floor(options.runLimit ?? FLEET_RUNS_MAX));
  const profiles = new Map<string, Tally>();
  const hosts = new Map<string, Tally>();
  const each = (profile: string | null, lock: string | null, fn: (t: Tally) => void) => {
    if (profile) fn(tallyOf(profiles, profile));
    const host = lockHost(lock);
    if (host) fn(tallyOf(hosts, host));
  };

  for (const r of await k.db.all<{ assignee: string | null; claim_lock: string | null }>(
    "SELECT assignee, claim_lock FROM tasks WHERE status = 'running'",
  )) {
    each(r.assignee, r.claim_lock, (t) => t.running++);
  }

  // Worker runs that ended in the window; the metadata and `gave_up` payload only where they tell the failure.
  for (const r of await k.db.all<{
    profile: string | null;
    claim_lock: string | null;
    started_at: number;
    ended_at: number;
    outcome: RunOutcome | null;
    metadata: string | null;
    gave_up: string | null;
  }>(
    `SELECT r.profile, r.claim_lock, r.started_at, r.ended_at, r.outcome,
            CASE WHEN r.outcome IN ('crashed', 'protocol_violation', 'gave_up') THEN r.metadata END AS metadata,
            CASE WHEN r.outcome = 'gave_up' THEN
              (SELECT e.payload FROM task_events e WHERE e.run_id = r.id AND e.kind = 'gave_up' ORDER BY e.id DESC LIMIT 1)
            END AS gave_up
       FROM task_runs r
      WHERE r.ended_at >= CAST(? AS BIGINT) AND r.ended_at <= CAST(? AS BIGINT) AND r.claim_lock IS NOT NULL`,
    [since, now],
  )) {
    const failure = failureOf(r.outcome, r.metadata, r.gave_up);
    const duration = Math.max(0, Number(r.ended_at) - Number(r.started_at));
    each(r.profile, r.claim_lock, (t) => {
      t.runs++;
      if (r.outcome === "completed") t.done++;
      t.durations.push(duration);
      if (failure) t.failures[failure]++;
    });
  }

  // Completions refused by a gate in the window, under the run they refused: the event's own,
  // or (a card-gate refusal names none) the task's latest run started by then.
  for (const r of await k.db.all<{ profile: string | null; claim_lock: string | null; n: number }>(
    `SELECT r.profile, r.claim_lock, COUNT(*) AS n
       FROM task_events e
       JOIN task_runs r ON r.id = COALESCE(e.run_id,
            (SELECT r2.id FROM task_runs r2 WHERE r2.task_id = e.task_id AND r2.started_at <= e.created_at
              ORDER BY r2.started_at DESC, r2.id DESC LIMIT 1))
      WHERE e.kind IN ('completion_blocked_hallucination', 'completion_blocked_unverified')
        AND e.created_at >= CAST(? AS BIGINT) AND e.created_at <= CAST(? AS BIGINT) AND r.claim_lock IS NOT NULL
      GROUP BY r.profile, r.claim_lock`,
    [since, now],
  )) {
    each(r.profile, r.claim_lock, (t) => {
      t.failures.completion_refused += Number(r.n);
    });
  }

  const paused = new Set((await pausedProfiles(k)).map((p) => p.profile));
  const known = new Map((await listHosts(k)).map((h) => [h.id, h]));
  for (const id of known.keys()) tallyOf(hosts, id);
  for (const p of paused) tallyOf(profiles, p);

  const queue = await readyQueue(k, now, paused);
  for (const q of queue) if (q.profile) tallyOf(profiles, q.profile);

  const byName = <T>(map: Map<string, T>) => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const timeline = await runsInWindow(k, since, now, runLimit);
  return {
    since,
    now,
    profiles: byName(profiles).map(
      ([profile, t]): FleetProfile => ({ profile, paused: paused.has(profile), cap: null, ...figuresOf(t) }),
    ),
    hosts: byName(hosts).map(([host, t]): FleetHost => {
      const row = known.get(host);
      return { host, expired: row ? row.expired : null, cap: row?.max_in_progress ?? null, ...figuresOf(t) };
    }),
    runs: timeline.runs,
    runs_truncated: timeline.truncated,
    throughput: await throughput(k, since, now),
    queue,
  };
}

/** Worker runs that were running at some time in the window, newest first, at most `limit`. */
async function runsInWindow(
  k: Kernel,
  since: number,
  now: number,
  limit: number,
): Promise<{ runs: FleetRun[]; truncated: boolean }> {
  const rows = await k.db.all<{
    id: number;
    task_id: string;
    title: string | null;
    profile: string | null;
    claim_lock: string | null;
    started_at: number;
    ended_at: number | null;
    outcome: RunOutcome | null;
  }>(
    // The newest runs first, then their titles: joining before the LIMIT would look up the task
    // of every run in the window (50,000 in a busy week) to keep 5,000.
    `SELECT r.id, r.task_id, t.title, r.profile, r.claim_lock, r.started_at, r.ended_at, r.outcome
       FROM (SELECT id, task_id, profile, claim_lock, started_at, ended_at, outcome FROM task_runs
              WHERE claim_lock IS NOT NULL AND started_at <= CAST(? AS BIGINT)
                AND (ended_at IS NULL OR ended_at >= CAST(? AS BIGINT))
              ORDER BY started_at DESC, id DESC
              LIMIT ?) r
       LEFT JOIN tasks t ON t.id = r.task_id
      ORDER BY r.started_at DESC, r.id DESC`,
    [now, since, limit + 1],
  );
  return {
    truncated: rows.length > limit,
    runs: rows.slice(0, limit).map((r) => ({
      run_id: Number(r.id),
      task_id: r.task_id,
      title: r.title,
      profile: r.profile,
      host: lockHost(r.claim_lock),
      started_at: Number(r.started_at),
      ended_at: r.ended_at === null ? null : Number(r.ended_at),
      outcome: r.outcome,
    })),
  };
}

/** Completions per bucket over the window, and their tasks' cycle time (created to completed). */
async function throughput(k: Kernel, since: number, now: number): Promise<FleetFigures["throughput"]> {
  const hours = Math.floor(now / HOUR) - Math.floor(since / HOUR) + 1;
  const size = HOUR * Math.max(1, Math.ceil(hours / FLEET_BUCKETS_MAX));
  const first = Math.floor(since / size) * size;
  const buckets = Array.from({ length: Math.floor(now / size) - first / size + 1 }, (_, i) => ({
    start: first + i * size,
    done: 0,
  }));
  const cycle: number[] = [];
  const rows = await k.db.all<{ done_at: number; created_at: number }>(
    `SELECT e.created_at AS done_at, t.created_at
       FROM task_events e JOIN tasks t ON t.id = e.task_id
      WHERE e.kind = 'completed' AND e.created_at >= CAST(? AS BIGINT) AND e.created_at <= CAST(? AS BIGINT)`,
    [since, now],
  );
  for (const r of rows) {
    const at = Number(r.done_at);
    const bucket = buckets[Math.floor((at - first) / size)];
    if (bucket) bucket.done++;
    cycle.push(Math.max(0, at - Number(r.created_at)));
  }
  return { bucket_seconds: size, buckets, done: rows.length, cycle_time_seconds: spread(cycle) };
}

/** Ready, unclaimed tasks per assignee, with the kernel's reasons (config's are `withFleetConfig`'s). */
async function readyQueue(k: Kernel, now: number, paused: ReadonlySet<string>): Promise<FleetQueue[]> {
  const rows = await k.db.all<{
    assignee: string | null;
    ready: number;
    oldest: number;
    rate_limited: number;
    next_retry_at: number | null;
  }>(
    `SELECT assignee, COUNT(*) AS ready, MIN(created_at) AS oldest,
            SUM(CASE WHEN retry_after > CAST(? AS BIGINT) THEN 1 ELSE 0 END) AS rate_limited,
            MIN(CASE WHEN retry_after > CAST(? AS BIGINT) THEN retry_after END) AS next_retry_at
       FROM tasks WHERE status = 'ready' AND claim_lock IS NULL
      GROUP BY assignee`,
    [now, now],
  );
  return rows
    .map((r) => {
      const q = {
        profile: r.assignee,
        ready: Number(r.ready),
        rate_limited: Number(r.rate_limited ?? 0),
        next_retry_at: r.next_retry_at === null ? null : Number(r.next_retry_at),
        oldest_age_seconds: Math.max(0, now - Number(r.oldest)),
      };
      return { ...q, reason: queueReason(q, { paused: r.assignee !== null && paused.has(r.assignee) }) };
    })
    .sort((a, b) =>
      a.profile === b.profile ? 0 : a.profile === null ? 1 : b.profile === null ? -1 : a.profile < b.profile ? -1 : 1,
    );
}

/** What the config says, for `withFleetConfig`. */
export interface FleetConfig {
  /** The profiles the dispatcher can start here. */
  spawnable: readonly string[];
  /** A profile's own cap (`profiles.<name>.max_in_progress`), if it has one. */
  profileCap: (profile: string) => number | null | undefined;
  /** `dispatch.max_in_progress`. */
  maxInProgress: number;
  /**
   * Running workers the caps count (the caps are global: every board's); by default this
   * board's running tasks.
   */
  running?: { total: number; byProfile: ReadonlyMap<string, number> };
}

/**
 * The figures with what only the config knows: every spawnable profile listed, each profile's
 * cap, and the queue's `not_spawnable` and `at_capacity` reasons.
 */
export function withFleetConfig(f: FleetFigures, config: FleetConfig): FleetFigures {
  const listed = new Set(f.profiles.map((p) => p.profile));
  const empty = figuresOf(emptyTally());
  const profiles = [
    ...f.profiles,
    ...config.spawnable
      .filter((name) => !listed.has(name))
      .map((profile): FleetProfile => ({ profile, paused: false, cap: null, ...empty })),
  ]
    .sort((a, b) => (a.profile < b.profile ? -1 : a.profile > b.profile ? 1 : 0))
    .map((p) => ({ ...p, cap: config.profileCap(p.profile) ?? null }));
  const running = config.running ?? {
    total: f.profiles.reduce((n, p) => n + p.running, 0),
    byProfile: new Map(f.profiles.map((p) => [p.profile, p.running])),
  };
  const queue = f.queue.map((q) => {
    const cap = q.profile === null ? null : (config.profileCap(q.profile) ?? null);
    const atCapacity =
      running.total >= config.maxInProgress ||
      (q.profile !== null && cap !== null && (running.byProfile.get(q.profile) ?? 0) >= cap);
    const paused = profiles.find((p) => p.profile === q.profile)?.paused ?? false;
    return {
      ...q,
      reason: queueReason(
        q,
        { paused },
        { spawnable: q.profile !== null && config.spawnable.includes(q.profile), atCapacity },
      ),
    };
  });
  return { ...f, profiles, queue };
}
