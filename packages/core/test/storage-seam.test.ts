import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The storage seam holds (decision 012): only core's storage modules know the database library
 * or its pragmas. Every other source file of the product runs statements through the kernel.
 */

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const STORAGE = join("packages", "core", "src", "storage");

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (/\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out;
}

function productSources(): string[] {
  const roots = ["packages", "apps"].flatMap((group) =>
    readdirSync(join(ROOT, group)).map((name) => join(ROOT, group, name, "src")),
  );
  return roots
    .flatMap((dir) => {
      try {
        return sources(dir);
      } catch {
        return [];
      }
    })
    .map((path) => relative(ROOT, path));
}

describe("the storage seam", () => {
  it("finds the product's sources, storage modules included", () => {
    const files = productSources();
    expect(files.some((f) => f.startsWith(STORAGE))).toBe(true);
    expect(files.some((f) => f.startsWith(join("apps", "server")))).toBe(true);
    expect(files.length).toBeGreaterThan(100);
  });

  it("keeps better-sqlite3 and pragmas inside core's storage modules", () => {
    const leaks = productSources()
      .filter((file) => !file.startsWith(STORAGE))
      .filter((file) => /better-sqlite3|\bpragma\b|data_version/i.test(readFileSync(join(ROOT, file), "utf8")));
    expect(leaks).toEqual([]);
  });
});
