import { describe, expect, it } from "vitest";
import { BulkBody, PatchTaskBody } from "./api.ts";
import { BoardMetaInput, CreateBoardBody } from "./board.ts";
import { JSON_LIMITS, jsonBoundsProblem } from "./json.ts";
import { CompleteParams } from "./tools.ts";

/** `{"a":{"a":…1…}}` nested `depth` deep, built as text (JSON.stringify itself overflows past ~4,000). */
function deepJsonText(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

describe("jsonBoundsProblem", () => {
  it("counts the characters of compact JSON exactly, as JSON.stringify writes them", () => {
    const values: unknown[] = [
      {},
      [],
      { a: 1 },
      [1, 2, { b: "c" }],
      { a: undefined, b: () => 1, c: [undefined, null, Number.NaN, true, false, "x\n\u0001"] },
      { 'ké"y': [1.5e21, -0, 0.1, -7] },
      [[[]], {}, ""],
    ];
    for (const v of values) {
      const length = JSON.stringify(v).length;
      expect(jsonBoundsProblem(v, { depth: 32, chars: length }), JSON.stringify(v)).toBeNull();
      expect(jsonBoundsProblem(v, { depth: 32, chars: length - 1 }), JSON.stringify(v)).toMatch(/^JSON longer than/);
    }
  });

  it("allows the limit's depth and refuses one more, naming the limit", () => {
    expect(jsonBoundsProblem(JSON.parse(deepJsonText(JSON_LIMITS.depth)))).toBeNull();
    expect(jsonBoundsProblem(JSON.parse(deepJsonText(JSON_LIMITS.depth + 1)))).toBe(
      "JSON nested more than 32 levels deep (the limit is 32)",
    );
    expect(jsonBoundsProblem([[[1]]], { depth: 2 })).toMatch(/more than 2 levels/);
  });

  it("checks a value nested 100,000 deep without overflowing the stack", () => {
    const value = JSON.parse(deepJsonText(100_000));
    expect(() => JSON.stringify(value)).toThrow(RangeError);
    expect(jsonBoundsProblem(value)).toMatch(/nested more than 32 levels/);
    expect(jsonBoundsProblem(value, { depth: 200_000 })).toBeNull();
  });

  it("reports a cycle as too deep, and a bigint as not JSON", () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    expect(jsonBoundsProblem(cycle)).toMatch(/nested more than 32 levels/);
    expect(jsonBoundsProblem({ n: 1n })).toBe("JSON cannot hold a bigint");
  });

  it("stops early on a value far over the size limit", () => {
    const wide = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]));
    expect(jsonBoundsProblem(wide)).toBe("JSON longer than 65,536 characters (the limit is 65,536)");
  });
});

describe("every free-form JSON field of the contract is bounded", () => {
  const deep = () => JSON.parse(deepJsonText(5_000));
  const big = { blob: "x".repeat(JSON_LIMITS.chars) };

  it.each([
    ["PatchTaskBody", (metadata: unknown) => PatchTaskBody.safeParse({ status: "done", metadata })],
    ["BulkBody", (metadata: unknown) => BulkBody.safeParse({ ids: ["t_1"], status: "done", metadata })],
    ["CompleteParams", (metadata: unknown) => CompleteParams.safeParse({ summary: "s", metadata })],
  ])("%s refuses metadata too deep or too long, naming the field and the limit", (_, parse) => {
    for (const [value, message] of [
      [deep(), /nested more than 32 levels deep \(the limit is 32\)/],
      [big, /longer than 65,536 characters/],
    ] as const) {
      const r = parse(value);
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(["metadata"]);
      expect(r.error?.issues[0]?.message).toMatch(message);
    }
    expect(parse({ tests: 12, files: ["a.ts"], nested: { ok: true } }).success).toBe(true);
  });
});

describe("board bodies are strict", () => {
  it("refuses an unknown key in a create or an edit", () => {
    expect(CreateBoardBody.safeParse({ slug: "ops", colour: "red" }).error?.issues[0]?.code).toBe("unrecognized_keys");
    expect(BoardMetaInput.safeParse({ nme: "Ops" }).error?.issues[0]?.code).toBe("unrecognized_keys");
    expect(CreateBoardBody.safeParse({ slug: "ops", name: "Ops", color: "red" }).success).toBe(true);
  });
});
