import * as z from "zod";
import { CheckResult, ReceiptVerdict, SavedWork } from "./receipts.ts";
import { TaskStatus } from "./status.ts";

const ids = z.array(z.string());
const nullableText = z.string().nullable();
const int = z.number().int();
/** Where the change left the task, on events whose resulting status depends on the board (Switchyard adds it). */
const resulting = TaskStatus.optional();

function kind<K extends string, P extends z.ZodType>(k: K, payload: P) {
  return z.object({
    id: int,
    task_id: z.string(),
    run_id: int.nullable(),
    kind: z.literal(k),
    payload,
    created_at: int,
  });
}

/**
 * Every event kind of reference §6 with its payload, plus Switchyard's `protocol_violation`
 * (a worker that exited without completing or blocking). Payloads are loose objects: a board
 * written by another version may carry extra keys, and they are kept.
 */
export const TaskEvent = z.discriminatedUnion("kind", [
  kind(
    "created",
    z.looseObject({
      assignee: nullableText,
      status: TaskStatus,
      parents: ids,
      tenant: nullableText,
      skills: ids.nullable(),
    }),
  ),
  kind("promoted", z.null()),
  kind("claimed", z.looseObject({ lock: z.string(), expires: int, run_id: int })),
  kind("spawned", z.looseObject({ pid: int })),
  kind("heartbeat", z.looseObject({ note: nullableText.optional() }).nullable()),
  kind(
    "completed",
    z.looseObject({
      result_len: int,
      summary: nullableText,
      verified_cards: ids.optional(),
      /** Switchyard (SPEC §12): how many receipts were verified; `waived` when a person accepted it without proof. */
      receipts_verified: int.optional(),
      waived: z.boolean().optional(),
    }),
  ),
  /**
   * Switchyard (SPEC §12): a completion was refused because claims could not be verified. Phase
   * `receipts` is the kernel's check at the completion call (the task is unchanged); phase
   * `verify` is the board's own run of `verify` or a claimed test after it (the task went back to
   * `status`, `failures` counted).
   */
  kind(
    "completion_blocked_unverified",
    z.looseObject({
      phase: z.enum(["receipts", "verify"]),
      refused: z.array(ReceiptVerdict),
      verified: z.array(ReceiptVerdict),
      checks: z.array(CheckResult).optional(),
      summary_preview: nullableText,
      status: resulting,
      failures: int.optional(),
    }),
  ),
  /** Switchyard (SPEC §12): the worker's completion was handed in; the board runs these checks before it counts. */
  kind(
    "verifying",
    z.looseObject({
      checks: z.array(z.object({ command: z.string(), source: z.enum(["verify", "test"]) })),
      verified: z.array(ReceiptVerdict),
    }),
  ),
  /** Switchyard (SPEC §12): a person accepted the completion without proof, with a reason. */
  kind("completion_waived", z.looseObject({ reason: z.string(), by: z.string(), refused: z.array(ReceiptVerdict) })),
  kind(
    "completion_blocked_hallucination",
    z.looseObject({
      phantom_cards: ids,
      verified_cards: ids,
      summary_preview: nullableText,
    }),
  ),
  kind("suspected_hallucinated_references", z.looseObject({ phantom_refs: ids, source: z.string() })),
  kind(
    "edited",
    z
      .looseObject({
        fields: ids,
        result_len: int.optional(),
        summary: nullableText.optional(),
      })
      .nullable(),
  ),
  /** `author` (Switchyard): who blocked it, a person or the worker's profile. */
  kind("blocked", z.looseObject({ reason: nullableText, author: z.string().optional() }).nullable()),
  kind("unblocked", z.null()),
  kind("archived", z.null()),
  kind("assigned", z.looseObject({ assignee: nullableText })),
  kind("linked", z.looseObject({ parent: z.string(), child: z.string(), child_status: resulting })),
  kind("unlinked", z.looseObject({ parent: z.string(), child: z.string(), child_status: resulting })),
  kind("commented", z.looseObject({ author: z.string(), len: int })),
  kind("reprioritized", z.looseObject({ priority: int })),
  /** `parked` (Switchyard, decision 015): a person put the task in todo while nothing held it back. */
  kind("status", z.looseObject({ status: z.string(), parked: z.literal(true).optional() })),
  kind(
    "reclaimed",
    z.union([
      z.looseObject({
        manual: z.literal(true),
        reason: nullableText,
        prev_lock: nullableText,
        prev_pid: int.nullable(),
        status: resulting,
        /** Switchyard (SPEC §12): the worker's uncommitted changes, saved before it was stopped. */
        wip: SavedWork.optional(),
      }),
      z.looseObject({
        stale_lock: nullableText,
        status: resulting,
        /** Switchyard (SPEC §13): the claim was released because its host's lease passed. */
        host_lost: z.string().optional(),
      }),
    ]),
  ),
  kind(
    "crashed",
    z.looseObject({ pid: int.nullable(), claimer: nullableText, failures: int.optional(), status: resulting }),
  ),
  kind(
    "timed_out",
    z.looseObject({
      pid: int.nullable(),
      elapsed_seconds: int,
      limit_seconds: int,
      sigkill: z.boolean(),
      failures: int.optional(),
      status: resulting,
      wip: SavedWork.optional(),
    }),
  ),
  kind("spawn_failed", z.looseObject({ error: z.string(), failures: int, status: resulting })),
  kind(
    "protocol_violation",
    z.looseObject({
      pid: int.nullable(),
      exit_code: int.nullable(),
      signal: nullableText,
      failures: int,
      status: resulting,
    }),
  ),
  kind("gave_up", z.looseObject({ failures: int, error: nullableText, cause: z.string().optional() })),
  /**
   * Switchyard (decision 013): the worker exited 75 (EX_TEMPFAIL, rate-limited). Not a failure:
   * the task went back to `status` and cannot be claimed before `retry_after`.
   */
  kind(
    "rate_limited",
    z.looseObject({
      pid: int.nullable(),
      exit_code: int,
      status: TaskStatus,
      retry_after: int,
      delay_seconds: int,
      /** Rate limits in a row for this task, this one included. */
      rate_limits: int,
    }),
  ),
  /** Switchyard: `max_retries` was set (null: back to `dispatch.failure_limit`). */
  kind("max_retries_set", z.looseObject({ max_retries: int.nullable() })),
  /**
   * Switchyard (decision 013): runs of `profile` failed `failures` times with one fingerprint
   * within `window_seconds`; nothing more is spawned for it on this board until it is resumed.
   * Appended on the task whose failure tripped the pause.
   */
  kind(
    "profile_paused",
    z.looseObject({
      profile: z.string(),
      fingerprint: z.string(),
      failures: int,
      window_seconds: int,
      tasks: ids,
    }),
  ),
  /** Switchyard: a person resumed a paused profile (on the task that paused it). */
  kind("profile_resumed", z.looseObject({ profile: z.string(), fingerprint: z.string(), by: nullableText })),
  /**
   * Switchyard (SPEC §13): the host a run's worker ran on stopped it after its run ended (a
   * reclaim or reassign, from any server, or a released claim): the acknowledgement that the
   * worker's process tree is gone. `sigkill` when the grace period ran out.
   */
  kind(
    "worker_stopped",
    z.looseObject({ host: z.string(), pid: int, run_id: int.nullable(), sigkill: z.boolean(), stopped: z.boolean() }),
  ),
]);
export type TaskEvent = z.infer<typeof TaskEvent>;
export type EventKind = TaskEvent["kind"];
export type EventPayload<K extends EventKind> = Extract<TaskEvent, { kind: K }>["payload"];

export const EVENT_KINDS = TaskEvent.options.map((o) => o.shape.kind.value) as EventKind[];

/** Event kinds that feed the hallucination warning rule (reference §7.3). */
export const HALLUCINATION_KINDS = [
  "completion_blocked_hallucination",
  "suspected_hallucinated_references",
] as const satisfies readonly EventKind[];

/**
 * Event kinds that count as a task's warning until its next clean completion (reference §7.3,
 * extended by SPEC §12 with unverified completions).
 */
export const WARNING_KINDS = [
  ...HALLUCINATION_KINDS,
  "completion_blocked_unverified",
] as const satisfies readonly EventKind[];

/** Kinds the notifier delivers (reference §13). */
export const NOTIFY_KINDS = [
  "completed",
  "blocked",
  "gave_up",
  "crashed",
  "timed_out",
] as const satisfies readonly EventKind[];

/** Legacy kinds renamed in place when a board is opened (reference §1.4). */
export const LEGACY_EVENT_KINDS: Readonly<Record<string, EventKind>> = {
  ready: "promoted",
  priority: "reprioritized",
  spawn_auto_blocked: "gave_up",
};

/** What the live stream sends (reference §11): new events and the cursor after them. */
export const EventsMessage = z.object({
  events: z.array(TaskEvent),
  cursor: int,
});
export type EventsMessage = z.infer<typeof EventsMessage>;
