import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ERROR_CODES } from "@switchyard/contract";
import { CoreError } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { EXIT_BY_CODE, EXIT_REFUSED, EXIT_USAGE, exitFor, HINT_BY_CODE } from "../src/errors.ts";
import { TOOL_ERROR } from "../src/tools/tool-errors.ts";

/**
 * The CLI's verbs and the worker tools are adapters (issue 12): they parse, call one core
 * command and format. Rules, SQL and transactions live in the kernel.
 */

const SRC = fileURLToPath(new URL("../src", import.meta.url));

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

/** The text of every string and template literal in a TypeScript source (a rough scan; enough for SQL). */
function stringLiterals(source: string): string[] {
  return [...source.matchAll(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g)].map((m) => m[0]);
}

const ADAPTERS = [...sourcesUnder(join(SRC, "commands")), ...sourcesUnder(join(SRC, "tools"))];

describe("the CLI's verbs and tools are thin adapters", () => {
  it("finds the adapter sources to check", () => {
    const names = ADAPTERS.map((f) => relative(SRC, f));
    expect(names).toEqual(
      expect.arrayContaining(["commands/tasks.ts", "commands/lifecycle.ts", "tools/worker-tools.ts"]),
    );
  });

  it.each(ADAPTERS.map((f) => [relative(SRC, f), f]))("%s has no SQL, transactions or storage access", (_, file) => {
    const source = readFileSync(file, "utf8");
    const sql = stringLiterals(source).filter((s) => /\b(SELECT|INSERT|UPDATE|DELETE) /.test(s));
    expect(sql).toEqual([]);
    expect(source).not.toMatch(/\.write\(/);
    expect(source).not.toMatch(/\.db\./);
    expect(source).not.toMatch(/pragma/i);
    expect(source).not.toMatch(/["']better-sqlite3["']/);
  });

  it("no CLI source imports better-sqlite3", () => {
    for (const file of sourcesUnder(SRC)) {
      expect(readFileSync(file, "utf8"), relative(SRC, file)).not.toMatch(
        /from\s+["']better-sqlite3["']|import\(\s*["']better-sqlite3["']\s*\)|require\(\s*["']better-sqlite3["']\s*\)/,
      );
    }
  });
});

describe("refusals are mapped once per surface, for every contract code", () => {
  it("gives every error code an exit code, a hint entry and a tool text", () => {
    for (const code of ERROR_CODES) {
      expect([EXIT_REFUSED, EXIT_USAGE], code).toContain(EXIT_BY_CODE[code]);
      expect(code in HINT_BY_CODE, code).toBe(true);
      expect(typeof TOOL_ERROR[code], code).toBe("function");
    }
    expect(Object.keys(EXIT_BY_CODE).sort()).toEqual([...ERROR_CODES].sort());
    expect(Object.keys(HINT_BY_CODE).sort()).toEqual([...ERROR_CODES].sort());
    expect(Object.keys(TOOL_ERROR).sort()).toEqual([...ERROR_CODES].sort());
  });

  it("turns every code into one line with its exit code, and a tool text naming the tool", () => {
    for (const code of ERROR_CODES) {
      const err = new CoreError(code, `refused (${code})`, { task_id: "t_0000abcd" });
      const { code: exit, message } = exitFor(err);
      expect(exit, code).toBe(EXIT_BY_CODE[code]);
      expect(message, code).toContain(`refused (${code})`);
      expect(message, code).not.toContain("\n");
      const text = TOOL_ERROR[code](err.message, { ...err.facts, tool: "kanban_complete", status: "running" });
      expect(text, code).toMatch(/^kanban_complete/);
    }
  });

  it("words reclaim's and reassign's refusals as the reference does, and a refused serve as a usage error", () => {
    const missing = new CoreError("not_found", "task t_0000abcd not found", { task_id: "t_0000abcd" });
    expect(exitFor(missing, "reclaim")).toEqual({
      code: EXIT_REFUSED,
      message: "cannot reclaim t_0000abcd (not running or unknown id)",
    });
    expect(exitFor(missing, "reassign").message).toMatch(/^cannot reassign t_0000abcd: unknown id, or still running/);
    expect(exitFor(missing, "show")).toEqual({ code: EXIT_REFUSED, message: "task t_0000abcd not found" });
    expect(exitFor(new CoreError("invalid_input", "a public --host needs a token"), "serve")).toEqual({
      code: EXIT_USAGE,
      message: "a public --host needs a token",
    });
  });
});
