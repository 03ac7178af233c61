import { describe, expect, it } from "vitest";
import { atMost, thousands } from "./limits.ts";

describe("thousands", () => {
  it("writes whole numbers as toLocaleString('en-US') does", () => {
    for (const n of [0, 7, 999, 1_000, 12_345, 200_000, 1_000_000, 31_536_000, 123_456_789, -1_000_000, -42]) {
      expect(thousands(n)).toBe(n.toLocaleString("en-US"));
    }
    expect(atMost(200_000)).toBe("must be at most 200,000 characters");
  });
});
