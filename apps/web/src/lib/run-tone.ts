import type { Run } from "@switchyard/contract";

/**
 * How a run is coloured, in the drawer's run history and on the fleet page's timeline: by
 * outcome, or "active" while it is open (an ended run without an outcome counts as failed).
 */
export type RunTone = "active" | "completed" | "blocked" | "failed" | "reclaimed";

export function runTone(run: Pick<Run, "outcome" | "ended_at">): RunTone {
  if (run.outcome === null) return run.ended_at === null ? "active" : "failed";
  switch (run.outcome) {
    case "completed":
      return "completed";
    case "blocked":
      return "blocked";
    case "reclaimed":
    case "rate_limited":
      return "reclaimed";
    case "crashed":
    case "timed_out":
    case "gave_up":
    case "spawn_failed":
    case "protocol_violation":
    case "unverified":
      return "failed";
  }
}
