import * as z from "zod";
import { BoardQuery } from "./api.ts";
import { RunOutcome } from "./status.ts";

/**
 * The fleet figures (issue 19): what a board's workers are doing, how fast, where they fail and
 * where tasks wait, over a window from `since` to `now` (Unix seconds). Computed by the kernel
 * from runs and events (`fleetFigures`); caps and the reasons that need config (spawnable
 * profiles, caps) are filled in by whoever holds the config (`withFleetConfig`).
 *
 * Run figures count worker runs: runs taken by a claim (`host:pid`), not the zero-length run a
 * completion without a claim records.
 */

const int = z.number().int();
const ts = z.number().int();

/** The kinds of failure a run can end with, plus a completion a gate refused. */
export const FLEET_FAILURE_KINDS = [
  "spawn_failed",
  "crashed",
  "timed_out",
  /** The worker was started with the board's tools and its agent never reached them (a crash or protocol violation). */
  "never_connected",
  "protocol_violation",
  /** `completion_blocked_hallucination` and `completion_blocked_unverified` events. */
  "completion_refused",
] as const;
export const FleetFailureKind = z.enum(FLEET_FAILURE_KINDS);
export type FleetFailureKind = z.infer<typeof FleetFailureKind>;

/** How many, and how many per run ended in the window (null when none ended). */
export const FleetRate = z.object({ count: int, rate: z.number().nullable() });
export type FleetRate = z.infer<typeof FleetRate>;

/** Every failure kind with its count and rate. */
export const FleetFailures = z.record(FleetFailureKind, FleetRate);
export type FleetFailures = z.infer<typeof FleetFailures>;

/** A median and 90th percentile (linear interpolation between ranks, to the hundredth) over `count` values; null when none. */
export const FleetSpread = z.object({ count: int, median: z.number().nullable(), p90: z.number().nullable() });
export type FleetSpread = z.infer<typeof FleetSpread>;

const groupFigures = {
  /** Tasks running now. */
  running: int,
  /** The cap on running workers; null when none applies or the config is not known. */
  cap: int.nullable(),
  /** Runs that ended in the window. */
  runs: int,
  /** Runs that ended `completed` in the window. */
  done: int,
  /** Duration of the runs that ended in the window, in seconds. */
  duration_seconds: FleetSpread,
  failures: FleetFailures,
};

/** One profile (a run's `profile`, a running task's assignee). */
export const FleetProfile = z.object({
  profile: z.string(),
  /** Paused on this board after repeated identical failures (decision 013). */
  paused: z.boolean(),
  ...groupFigures,
});
export type FleetProfile = z.infer<typeof FleetProfile>;

/** One dispatcher host (the host part of claim locks); `cap` is its own `host_max_in_progress`. */
export const FleetHost = z.object({
  host: z.string(),
  /** Its lease has passed; null when it keeps no row in `hosts` (left, or a claim from a terminal). */
  expired: z.boolean().nullable(),
  ...groupFigures,
});
export type FleetHost = z.infer<typeof FleetHost>;

/** One run for the timeline: started, and not ended before the window. */
export const FleetRun = z.object({
  run_id: int,
  task_id: z.string(),
  title: z.string().nullable(),
  profile: z.string().nullable(),
  host: z.string().nullable(),
  started_at: ts,
  ended_at: ts.nullable(),
  outcome: RunOutcome.nullable(),
});
export type FleetRun = z.infer<typeof FleetRun>;

/** Tasks done (`completed` events) per bucket, from the bucket's `start` for `bucket_seconds`. */
export const FleetBucket = z.object({ start: ts, done: int });
export type FleetBucket = z.infer<typeof FleetBucket>;

export const FleetThroughput = z.object({
  /** 3600 (an hour) unless the window is too long for that many buckets. */
  bucket_seconds: int,
  /** Every bucket from the one holding `since` to the one holding `now`, empty ones included. */
  buckets: z.array(FleetBucket),
  /** Completions in the window. */
  done: int,
  /** From a task's creation to its completion, for completions in the window. */
  cycle_time_seconds: FleetSpread,
});
export type FleetThroughput = z.infer<typeof FleetThroughput>;

/**
 * Why ready tasks wait, in the dispatcher's order: all of them are waiting out a rate-limit
 * backoff; no assignee; the profile cannot be started here; it is paused; it is at its cap (or
 * the board at the global cap). Null: nothing known holds them back.
 */
export const FLEET_QUEUE_REASONS = ["rate_limited", "unassigned", "not_spawnable", "paused", "at_capacity"] as const;
export const FleetQueueReason = z.enum(FLEET_QUEUE_REASONS);
export type FleetQueueReason = z.infer<typeof FleetQueueReason>;

/** Ready, unclaimed tasks of one assignee (null: unassigned). */
export const FleetQueue = z.object({
  profile: z.string().nullable(),
  ready: int,
  /** Of those, waiting out a rate-limit backoff. */
  rate_limited: int,
  /** When the first backoff ends; null when none is waiting one out. */
  next_retry_at: ts.nullable(),
  /** Age of the oldest, from its creation. */
  oldest_age_seconds: int,
  reason: FleetQueueReason.nullable(),
});
export type FleetQueue = z.infer<typeof FleetQueue>;

/** `GET /fleet`, and the `fleet` key of `switchyard stats --json`. */
export const FleetFigures = z.object({
  since: ts,
  now: ts,
  /** Sorted by name. */
  profiles: z.array(FleetProfile),
  /** Sorted by id. */
  hosts: z.array(FleetHost),
  /** Newest first (by start), at most the kernel's limit. */
  runs: z.array(FleetRun),
  /** More runs fell in the window than `runs` holds. */
  runs_truncated: z.boolean(),
  throughput: FleetThroughput,
  /** Sorted by assignee, unassigned last. */
  queue: z.array(FleetQueue),
});
export type FleetFigures = z.infer<typeof FleetFigures>;

/** `GET /fleet?board=&since=`: the window starts at `since` (default: 24 hours ago). */
export const FleetQuery = BoardQuery.extend({
  since: z
    .string()
    .regex(/^\d{1,15}$/, "since must be Unix seconds: a whole number, 0 or more")
    .transform(Number)
    .optional(),
});
export type FleetQuery = z.infer<typeof FleetQuery>;
