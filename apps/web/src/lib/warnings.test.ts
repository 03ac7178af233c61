import type { Warnings } from "@switchyard/contract";
import { describe, expect, it } from "vitest";
import { hasUnverifiedWarning, stripWords, warningBadgeText, warningTopic } from "./warnings.ts";

function warnings(kinds: Record<string, number>): Warnings {
  return { count: Object.values(kinds).reduce((a, b) => a + b, 0), kinds, latest_at: 1_700_000_000 };
}

describe("how warnings are named", () => {
  it("keeps the hallucination wording when every warning is a hallucinated card", () => {
    const w = warnings({ completion_blocked_hallucination: 1, suspected_hallucinated_references: 1 });
    expect(warningBadgeText(w)).toBe("2 hallucination event(s) since last clean completion");
    expect(stripWords([w])).toEqual({ region: "Hallucination warnings", what: "hallucination warnings" });
  });

  it("names unverified completions when every warning is one", () => {
    const w = warnings({ completion_blocked_unverified: 2 });
    expect(warningBadgeText(w)).toBe("2 unverified completion(s) since last clean completion");
    expect(stripWords([w])).toEqual({ region: "Unverified completions", what: "unverified completions" });
    expect(hasUnverifiedWarning(w)).toBe(true);
  });

  it("says warnings when they are mixed, on one task or across the strip's tasks", () => {
    const both = warnings({ completion_blocked_hallucination: 1, completion_blocked_unverified: 2 });
    expect(warningBadgeText(both)).toBe("3 warning(s) since last clean completion");
    const lies = warnings({ completion_blocked_hallucination: 1 });
    const unproven = warnings({ completion_blocked_unverified: 1 });
    expect(stripWords([lies, unproven])).toEqual({ region: "Warnings", what: "warnings" });
  });

  it("reads a kind it does not know as a generic warning, and a count without kinds as before", () => {
    expect(warningTopic(["some_future_kind"])).toBe("mixed");
    expect(warningTopic([])).toBe("hallucination");
    expect(warningTopic(["completion_blocked_unverified", "completion_blocked_unverified"])).toBe("unverified");
    expect(hasUnverifiedWarning(warnings({ completion_blocked_hallucination: 1 }))).toBe(false);
    expect(hasUnverifiedWarning(undefined)).toBe(false);
  });
});
