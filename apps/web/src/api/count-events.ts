import type { EventKind, TaskEvent } from "@switchyard/contract";

/**
 * Whether each event kind may change a board's task counts as `GET /boards` reports them (a
 * total and a count per status): a new task, or a task changing status. A record over every
 * kind, so a new kind is a compile error until someone says which it is.
 */
const CHANGES_COUNTS: Readonly<Record<EventKind, boolean>> = {
  created: true,
  promoted: true,
  claimed: true,
  spawned: false,
  worker_stopped: false,
  heartbeat: false,
  completed: true,
  // A refused completion leaves the task where it was.
  completion_blocked_hallucination: false,
  suspected_hallucinated_references: false,
  // Refused by the board's own check (phase verify), the task goes back to ready.
  completion_blocked_unverified: true,
  // Handed in for checking: the task stays running.
  verifying: false,
  // The `completed` event that follows moves it.
  completion_waived: false,
  edited: false,
  blocked: true,
  unblocked: true,
  archived: true,
  assigned: false,
  // A new parent sends a ready child back to todo without a status event of its own.
  linked: true,
  unlinked: true,
  commented: false,
  reprioritized: false,
  status: true,
  reclaimed: true,
  crashed: true,
  timed_out: true,
  spawn_failed: true,
  protocol_violation: true,
  gave_up: true,
  // A rate-limited run sends its task back to ready (or todo).
  rate_limited: true,
  max_retries_set: false,
  profile_paused: false,
  profile_resumed: false,
};

/** Whether a burst of events may have changed the board's counts in the board switcher. */
export function changesBoardCounts(events: readonly TaskEvent[]): boolean {
  return events.some((event) => CHANGES_COUNTS[event.kind]);
}
