// Bundles the CLI with esbuild into apps/cli/dist (see docs/decisions/006-cli-bundle.md).
//
// `node scripts/build.mjs` builds; bin/switchyard.mjs calls build() itself when the bundle is
// missing or older than a source it was built from. Several processes may build at once and
// others may be running the bundle meanwhile, so every file is written to a temporary name and
// renamed into place, chunks before the entry, and old chunks are only removed once stale.
// buildRelease() bundles the same way into a release's own directory (scripts/pack.mjs).
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const cliDir = dirname(dirname(fileURLToPath(import.meta.url)));
const repoRoot = dirname(dirname(cliDir));
export const distDir = join(cliDir, "dist");
export const entryFile = join(distDir, "switchyard.mjs");
export const inputsFile = join(distDir, "inputs.json");

/** Files whose change makes the bundle stale besides its sources: dependencies and this script. */
const EXTRA_INPUTS = ["pnpm-lock.yaml", "apps/cli/package.json", "apps/cli/scripts/build.mjs"];
const CHUNK_MAX_AGE_MS = 10 * 60 * 1000;

function writeAtomic(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

function pruneChunks(keep) {
  const dir = join(distDir, "chunks");
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    const path = join(dir, name);
    if (keep.has(path)) continue;
    try {
      if (now - statSync(path).mtimeMs > CHUNK_MAX_AGE_MS) rmSync(path, { force: true });
    } catch {
      // another build removed it
    }
  }
}

/** esbuild's options for the CLI bundle in `outdir`: the checkout's `dist/`, or a release's (scripts/pack.mjs). */
export function bundleOptions(outdir) {
  return {
    absWorkingDir: cliDir,
    entryPoints: { switchyard: join(cliDir, "src/main.ts") },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    splitting: true,
    outdir,
    entryNames: "[name]",
    chunkNames: "chunks/[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    // The native module stays a normal dependency; ws's optional native helpers are optional.
    external: ["better-sqlite3", "bufferutil", "utf-8-validate"],
    // Bundled CommonJS packages call require() for Node builtins.
    banner: {
      js: "import { createRequire as __syCreateRequire } from 'node:module'; const require = __syCreateRequire(import.meta.url);",
    },
    minify: true,
    legalComments: "none",
    metafile: true,
    logLevel: "error",
  };
}

export async function build() {
  const started = new Date();
  const result = await esbuild.build({ ...bundleOptions(distDir), write: false });
  const outputs = result.outputFiles;
  const entry = outputs.find((f) => f.path === entryFile);
  if (!entry) throw new Error(`esbuild produced no ${entryFile}`);
  for (const f of outputs) if (f !== entry) writeAtomic(f.path, f.contents);
  const inputs = Object.keys(result.metafile.inputs)
    .map((p) => relative(repoRoot, join(cliDir, p)))
    .filter((p) => !p.includes("node_modules"));
  writeAtomic(inputsFile, JSON.stringify([...new Set([...inputs, ...EXTRA_INPUTS])]));
  writeAtomic(entryFile, entry.contents);
  // Stamp the bundle with the time the build started, so a source saved during the build still counts as newer.
  utimesSync(entryFile, started, started);
  pruneChunks(new Set(outputs.map((f) => f.path)));
}

/**
 * Bundles the CLI once into `outdir`, which must be empty, for a release tarball (scripts/pack.mjs):
 * no inputs.json, nothing pruned. Returns esbuild's metafile, whose outputs list the imports left
 * external (what the package must declare or Node must provide).
 */
export async function buildRelease(outdir) {
  const result = await esbuild.build({ ...bundleOptions(outdir), write: true });
  return result.metafile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await build();
}
