import type { Run, TaskEvent } from "@switchyard/contract";

export type HallucinationEvent = Extract<
  TaskEvent,
  { kind: "completion_blocked_hallucination" | "suspected_hallucinated_references" }
>;

export function isHallucinationEvent(event: TaskEvent): event is HallucinationEvent {
  return event.kind === "completion_blocked_hallucination" || event.kind === "suspected_hallucinated_references";
}

/** The headline and phantom ids of a hallucination event (reference §12 drawer, item 11). */
export function describeHallucination(event: HallucinationEvent): { label: string; phantomIds: string[] } {
  switch (event.kind) {
    case "completion_blocked_hallucination":
      return { label: "Completion blocked — phantom card ids", phantomIds: event.payload.phantom_cards };
    case "suspected_hallucinated_references":
      return { label: "Prose referenced phantom card ids", phantomIds: event.payload.phantom_refs };
  }
}

/** Events newest first: by time, then by id (the order they were appended). */
export function newestFirst(events: readonly TaskEvent[]): TaskEvent[] {
  return [...events].sort((a, b) => b.created_at - a.created_at || b.id - a.id);
}

/** Runs newest first (by start, then id). */
export function latestRunsFirst(runs: readonly Run[]): Run[] {
  return [...runs].sort((a, b) => b.started_at - a.started_at || b.id - a.id);
}

/** Seconds a run lasted, or has lasted so far while open. */
export function runElapsed(run: Run, nowSeconds: number): number {
  return (run.ended_at ?? nowSeconds) - run.started_at;
}
