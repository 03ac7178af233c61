#!/usr/bin/env node
// The `switchyard` (and `sy`) command. It runs the bundle in ../dist, building it first when it
// is missing or older than any file it was built from, so `pnpm sy …` works right after
// `pnpm install` and never runs stale code (docs/decisions/006-cli-bundle.md).
import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const cliDir = dirname(dirname(fileURLToPath(import.meta.url)));
const repoRoot = dirname(dirname(cliDir));
const entry = join(cliDir, "dist", "switchyard.mjs");

function isStale() {
  let builtAt;
  let inputs;
  try {
    builtAt = statSync(entry).mtimeMs;
    inputs = JSON.parse(readFileSync(join(cliDir, "dist", "inputs.json"), "utf8"));
  } catch {
    return true;
  }
  for (const input of inputs) {
    try {
      if (statSync(join(repoRoot, input)).mtimeMs > builtAt) return true;
    } catch {
      return true;
    }
  }
  return false;
}

if (isStale()) {
  try {
    const { build } = await import("../scripts/build.mjs");
    await build();
  } catch (err) {
    process.stderr.write(`switchyard: could not build the CLI: ${err instanceof Error ? err.message : err}\n`);
    process.exit(1);
  }
}
await import(pathToFileURL(entry).href);
