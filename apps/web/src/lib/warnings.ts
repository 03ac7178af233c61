import { HALLUCINATION_KINDS, type Warnings } from "@switchyard/contract";

/**
 * What a task's active warnings are about (reference §7.3, SPEC §12): hallucinated cards,
 * unverified completions, or both (or a kind this dashboard does not know). The badge and the
 * attention strip name the one kind when there is one, and say "warnings" otherwise.
 */
export type WarningTopic = "hallucination" | "unverified" | "mixed";

const UNVERIFIED = "completion_blocked_unverified";

/** The topic of a set of warning kinds (those with a count above 0). An empty set reads as hallucination, as before unverified completions existed. */
export function warningTopic(kinds: Iterable<string>): WarningTopic {
  const present = [...kinds];
  if (present.every((k) => (HALLUCINATION_KINDS as readonly string[]).includes(k))) return "hallucination";
  if (present.every((k) => k === UNVERIFIED)) return "unverified";
  return "mixed";
}

/** The kinds a task's warnings count (kinds whose count is 0 left out). */
export function warningKinds(warnings: Warnings): string[] {
  return Object.entries(warnings.kinds)
    .filter(([, n]) => n > 0)
    .map(([kind]) => kind);
}

/** Whether a task's active warnings include a refused (unverified) completion. */
export function hasUnverifiedWarning(warnings: Warnings | undefined): boolean {
  return (warnings?.kinds[UNVERIFIED] ?? 0) > 0;
}

const BADGE_NOUN: Readonly<Record<WarningTopic, string>> = {
  hallucination: "hallucination event(s)",
  unverified: "unverified completion(s)",
  mixed: "warning(s)",
};

/** The ⚠ badge's tooltip and accessible name: "2 unverified completion(s) since last clean completion". */
export function warningBadgeText(warnings: Warnings): string {
  return `${warnings.count} ${BADGE_NOUN[warningTopic(warningKinds(warnings))]} since last clean completion`;
}

/** The attention strip's words for the warnings it lists. */
export interface StripWords {
  /** The strip's region name, e.g. "Hallucination warnings". */
  region: string;
  /** "task(s) with …". */
  what: string;
}

const STRIP_WORDS: Readonly<Record<WarningTopic, StripWords>> = {
  hallucination: { region: "Hallucination warnings", what: "hallucination warnings" },
  unverified: { region: "Unverified completions", what: "unverified completions" },
  mixed: { region: "Warnings", what: "warnings" },
};

/** How the attention strip names the warnings of the tasks it lists. */
export function stripWords(warnings: readonly Warnings[]): StripWords {
  return STRIP_WORDS[warningTopic(new Set(warnings.flatMap(warningKinds)))];
}
