import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, test } from "@playwright/test";
import { REPO, SCREENSHOTS } from "../src/paths.ts";

const TESTS = join(REPO, "e2e", "tests");

/** Markdown files of the repository's docs (README and docs/, recursively). */
function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "screenshots" ? [] : markdownFiles(path);
    return entry.name.endsWith(".md") ? [path] : [];
  });
}

/** Names the demos pass to `screenshot(…, "name")`. */
function namesTheDemosTake(): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(TESTS).filter((f) => f.endsWith(".spec.ts"))) {
    for (const m of readFileSync(join(TESTS, file), "utf8").matchAll(/screenshot\(\s*\w+,\s*"([a-z0-9-]+)"\s*\)/g)) {
      if (m[1]) names.add(m[1]);
    }
  }
  return names;
}

test("every screenshot the docs show is one a demo takes", () => {
  const taken = namesTheDemosTake();
  expect(taken.size).toBeGreaterThan(10);
  const shown: string[] = [];
  for (const file of [join(REPO, "README.md"), ...markdownFiles(join(REPO, "docs"))]) {
    for (const m of readFileSync(file, "utf8").matchAll(/screenshots\/([^)\s"']+)\.png/g)) {
      shown.push(`${relative(REPO, file)}: ${m[1]}`);
      expect(taken, `${relative(REPO, file)} shows screenshots/${m[1]}.png, which no demo takes`).toContain(m[1]);
      expect(
        existsSync(join(SCREENSHOTS, `${m[1]}.png`)),
        `${relative(REPO, file)} shows screenshots/${m[1]}.png, which is missing: run pnpm screenshots`,
      ).toBe(true);
    }
  }
  expect(shown.length).toBeGreaterThan(0);
});

test("docs/screenshots holds only pictures a demo takes", () => {
  const taken = namesTheDemosTake();
  const files = readdirSync(SCREENSHOTS).filter((f) => f.endsWith(".png"));
  for (const file of files) expect(taken, `${file} is not taken by any demo`).toContain(file.replace(/\.png$/, ""));
});
