import { describe, expect, it } from "vitest";
import { bulkFailureText } from "./use-board-actions.ts";

describe("the bulk failure message", () => {
  it("says how many of how many failed and names the first three with their reasons", () => {
    const results = [
      { id: "t_1", ok: false, error: "not found" },
      { id: "t_2", ok: true },
      { id: "t_3", ok: false, error: "waiting on t_9" },
      { id: "t_4", ok: false },
      { id: "t_5", ok: false, error: "refused" },
    ];
    expect(bulkFailureText({ results })).toBe(
      "Bulk: 4 of 5 failed: t_1 (not found); t_3 (waiting on t_9); t_4 (refused)",
    );
  });

  it("says nothing when every id succeeded", () => {
    expect(bulkFailureText({ results: [{ id: "t_1", ok: true }] })).toBeNull();
  });
});
