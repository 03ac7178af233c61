// `pnpm start`: build the dashboard when it is missing or older than its sources, then run
// `switchyard serve` (the CLI builds itself when stale) on the default home, passing on any
// arguments (`pnpm start --port 9000`). Ctrl-C or SIGTERM shuts the server down gracefully.
import { spawn, spawnSync } from "node:child_process";
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

function webIsStale() {
  if (!existsSync(builtIndex)) return true;
  const builtAt = statSync(builtIndex).mtimeMs;
  return WEB_INPUTS.some((input) => newestMtime(join(repo, input)) > builtAt);
}

if (webIsStale()) {
  process.stderr.write("switchyard: building the dashboard (apps/web)…\n");
  const build = spawnSync("pnpm", ["--filter", "@switchyard/web", "build"], { cwd: repo, stdio: "inherit" });
  if (build.status !== 0) {
    process.stderr.write("switchyard: the dashboard did not build; fix the error above and run `pnpm start` again\n");
    process.exit(build.status ?? 1);
  }
}

// The server runs in its own process group, so a Ctrl-C reaches it once, through this script.
const server = spawn(process.execPath, [join(repo, "apps/cli/bin/switchyard.mjs"), "serve", ...process.argv.slice(2)], {
  cwd: repo,
  stdio: "inherit",
  detached: true,
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => server.kill(signal === "SIGHUP" ? "SIGTERM" : signal));
}
server.on("exit", (code, signal) => {
  process.exit(code ?? (signal === "SIGINT" || signal === "SIGTERM" ? 0 : 1));
});
