import * as z from "zod";

/** One dispatcher tick's outcome (reference §5.1 `DispatchResult`, plus Switchyard's caps). */
export const DispatchResult = z.object({
  reclaimed: z.number().int(),
  crashed: z.array(z.string()),
  timed_out: z.array(z.string()),
  auto_blocked: z.array(z.string()),
  promoted: z.number().int(),
  spawned: z.array(z.object({ task_id: z.string(), assignee: z.string(), workspace: z.string() })),
  skipped_unassigned: z.array(z.string()),
  skipped_nonspawnable: z.array(z.string()),
  /** Ready, spawnable tasks left waiting because a global or per-profile cap is full. */
  skipped_capacity: z.array(z.string()),
  /** Tasks whose worker could not be started this tick (also in `auto_blocked` at the limit). */
  spawn_failed: z.array(z.string()),
  /** Ready tasks left waiting because their profile is paused on this board (decision 013). */
  skipped_paused: z.array(z.string()),
});
export type DispatchResult = z.infer<typeof DispatchResult>;

export function emptyDispatchResult(): DispatchResult {
  return {
    reclaimed: 0,
    crashed: [],
    timed_out: [],
    auto_blocked: [],
    promoted: 0,
    spawned: [],
    skipped_unassigned: [],
    skipped_nonspawnable: [],
    skipped_capacity: [],
    spawn_failed: [],
    skipped_paused: [],
  };
}

/**
 * A dispatcher host working a board (SPEC §13): `serve` with its dispatcher, or `runner`. Its
 * row is renewed by its heartbeat; when `expires_at` passes the host is gone and the claims it
 * held are released. `profiles` are the ones it can start (capability routing);
 * `max_in_progress` is its own cap (null: only the board's caps apply).
 */
export const Host = z.object({
  id: z.string(),
  role: z.enum(["serve", "runner"]),
  pid: z.number().int(),
  profiles: z.array(z.string()),
  max_in_progress: z.number().int().nullable(),
  started_at: z.number().int(),
  seen_at: z.number().int(),
  expires_at: z.number().int(),
  /** Tasks running under this host's claims now. */
  running: z.number().int(),
  /** True once its lease has passed. */
  expired: z.boolean(),
});
export type Host = z.infer<typeof Host>;
