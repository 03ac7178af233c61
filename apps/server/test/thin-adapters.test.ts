import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The server is an adapter (issue 12): its route handlers validate, call one core command and
 * format the answer. SQL, transactions and the storage engine live in @switchyard/core; these
 * checks read the source so that a handler which starts to query the database fails the build.
 */

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const ROUTES = join(SRC, "routes");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The contents of the string literals and templates of a source text. */
function stringLiterals(text: string): string[] {
  return [...text.matchAll(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g)].map((m) => m[0].slice(1, -1));
}

/** What in a source text looks like database access; empty when there is none. */
function databaseAccess(text: string): string[] {
  const found: string[] = [];
  if (stringLiterals(text).some((s) => /\b(SELECT|INSERT|UPDATE|DELETE)\b\s/.test(s))) found.push("SQL in a string");
  if (/\b(SELECT|INSERT|UPDATE|DELETE)\s[^;]{0,300}?\b(FROM|INTO|SET)\b/.test(text)) found.push("an SQL statement");
  if (text.includes(".write(")) found.push("a write transaction (.write()");
  if (text.includes(".db.")) found.push("raw statements (.db.)");
  if (/from\s+["']better-sqlite3["']|require\(\s*["']better-sqlite3["']\s*\)/.test(text)) found.push("better-sqlite3");
  if (/pragma/i.test(text)) found.push("a pragma");
  return found;
}

const routeFiles = readdirSync(ROUTES)
  .filter((name) => name.endsWith(".ts"))
  .map((name) => join(ROUTES, name));

describe("the server's route handlers", () => {
  it("are found (the check below reads real files)", () => {
    expect(routeFiles.map((f) => relative(ROUTES, f)).sort()).toEqual(
      expect.arrayContaining(["board.ts", "boards.ts", "events.ts", "links.ts", "task-actions.ts", "tasks.ts"]),
    );
  });

  it("recognise database access when they see it", () => {
    expect(databaseAccess('await k.db.all("SELECT * FROM tasks WHERE id = ?", [id]);')).toEqual([
      "SQL in a string",
      "an SQL statement",
      "raw statements (.db.)",
    ]);
    expect(databaseAccess("const sql = `UPDATE tasks\n  SET priority = ?`;")).toEqual([
      "SQL in a string",
      "an SQL statement",
    ]);
    expect(databaseAccess("await k.write(async (k) => moveTask(k, id, patch));")).toEqual([
      "a write transaction (.write()",
    ]);
    expect(databaseAccess('import Database from "better-sqlite3";')).toEqual(["better-sqlite3"]);
    expect(databaseAccess('k.db.pragma("data_version")')).toEqual(["raw statements (.db.)", "a pragma"]);
    expect(databaseAccess('.delete("/links", valid("query", LinkQuery), async (c) => c.json({ ok: true }))')).toEqual(
      [],
    );
  });

  it("contain no SQL, no transactions, no raw statements and no storage engine", () => {
    const offences = routeFiles
      .map((file) => ({ file: relative(SRC, file), found: databaseAccess(readFileSync(file, "utf8")) }))
      .filter((o) => o.found.length > 0);
    expect(offences).toEqual([]);
  });
});

describe("the server's source", () => {
  const files = sourceFiles(SRC);

  it("never imports better-sqlite3 nor talks to SQLite itself", () => {
    const offences = files.flatMap((file) => {
      const text = readFileSync(file, "utf8");
      const found = [
        /["']better-sqlite3["']/.test(text) && "better-sqlite3",
        /pragma/i.test(text) && "pragma",
        /data_version/i.test(text) && "data_version",
      ].filter((x): x is string => typeof x === "string");
      return found.length > 0 ? [{ file: relative(SRC, file), found }] : [];
    });
    expect(offences).toEqual([]);
  });

  it("leaves noticing commits and stale board files to the kernel (no file watching or file identity)", () => {
    const offences = ["event-hub.ts", "board-pool.ts"].flatMap((name) => {
      const text = readFileSync(join(SRC, name), "utf8");
      const found = [
        /\bwatch\(/.test(text) && "fs.watch",
        /\bstatSync\b|\bfstatSync\b/.test(text) && "stat",
        /fileIdentity/.test(text) && "fileIdentity",
        text.includes(".db.") && "raw statements (.db.)",
      ].filter((x): x is string => typeof x === "string");
      return found.length > 0 ? [{ file: name, found }] : [];
    });
    expect(offences).toEqual([]);
  });
});
