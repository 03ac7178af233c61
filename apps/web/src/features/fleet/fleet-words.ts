import type { FleetFailureKind, FleetQueueReason, FleetRate } from "@switchyard/contract";
import type { RunTone } from "../../lib/run-tone.ts";

/** Column headings of the failure kinds, in the contract's order. */
export const FAILURE_LABELS: Readonly<Record<FleetFailureKind, string>> = {
  spawn_failed: "Spawn failed",
  crashed: "Crashed",
  timed_out: "Timed out",
  never_connected: "Never connected",
  protocol_violation: "Protocol violation",
  completion_refused: "Completion refused",
};

/** Why ready tasks wait, as the dispatcher says it. */
export const QUEUE_REASONS: Readonly<Record<FleetQueueReason, string>> = {
  rate_limited: "rate-limited",
  unassigned: "no assignee",
  not_spawnable: "not spawnable",
  paused: "paused",
  at_capacity: "at capacity",
};

/** The timeline's signal besides colour: a glyph and a word per outcome tone. */
export const TONE_MARKS: Readonly<Record<RunTone, { glyph: string; label: string }>> = {
  active: { glyph: "▸", label: "running" },
  completed: { glyph: "✓", label: "completed" },
  failed: { glyph: "✕", label: "failed" },
  blocked: { glyph: "⊘", label: "blocked" },
  reclaimed: { glyph: "↺", label: "reclaimed or rate-limited" },
};

/** "2 · 40%": a failure count and its rate per ended run; "0" when none. */
export function formatRate(rate: FleetRate): string {
  if (rate.count === 0 || rate.rate === null) return String(rate.count);
  return `${rate.count} · ${Math.round(rate.rate * 100)}%`;
}
