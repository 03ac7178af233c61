import { describe, expect, it } from "vitest";
import { refusalSync } from "../test/fixtures.ts";
import { parseDuration } from "./duration.ts";

describe("parseDuration", () => {
  it("accepts bare seconds and s, m, h, d suffixes", () => {
    expect(parseDuration("90")).toBe(90);
    expect(parseDuration("30s")).toBe(30);
    expect(parseDuration("5m")).toBe(300);
    expect(parseDuration("2h")).toBe(7200);
    expect(parseDuration("1d")).toBe(86400);
    expect(parseDuration(" 2H ")).toBe(7200);
    expect(parseDuration("0")).toBe(0);
  });

  it("rejects garbage with an invalid_input refusal that shows the accepted forms", () => {
    for (const bad of ["", "   ", "abc", "m", "5x", "-5", "1.5h", "5mm", "1e3", "2h30m", "5 minutes"]) {
      const err = refusalSync(() => parseDuration(bad));
      expect(err.code).toBe("invalid_input");
      expect(err.message).toContain("30s");
    }
  });

  it("rejects a number too large to count seconds exactly", () => {
    expect(refusalSync(() => parseDuration("99999999999999999999d")).code).toBe("invalid_input");
  });
});
