// Builds the dashboard (apps/web) when `apps/web/dist` is missing or older than its sources.
// Used by `pnpm start`, `pnpm demo` and the e2e suite's global setup; run directly it exits
// with the build's status (`node scripts/build-web.mjs`).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const builtIndex = join(repo, "apps/web/dist/index.html");

/** What the SPA bundle is built from: its own sources and the packages it imports. */
const WEB_INPUTS = [
  "apps/web/src",
  "apps/web/public",
  "apps/web/index.html",
  "apps/web/vite.config.ts",
  "apps/web/package.json",
  "packages/contract/src",
  "apps/server/src/client.ts",
  "pnpm-lock.yaml",
];

function newestMtime(path) {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === "node_modules" || entry === "dist") continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

export function webIsStale() {
  if (!existsSync(builtIndex)) return true;
  const builtAt = statSync(builtIndex).mtimeMs;
  return WEB_INPUTS.some((input) => newestMtime(join(repo, input)) > builtAt);
}

/** Builds the dashboard if it is stale; returns 0, or the failed build's exit status. */
export function buildWebIfStale() {
  if (!webIsStale()) return 0;
  process.stderr.write("switchyard: building the dashboard (apps/web)…\n");
  const build = spawnSync("pnpm", ["--filter", "@switchyard/web", "build"], { cwd: repo, stdio: "inherit" });
  return build.status ?? 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const status = buildWebIfStale();
  if (status !== 0) process.stderr.write("switchyard: the dashboard did not build; fix the error above\n");
  process.exit(status);
}
