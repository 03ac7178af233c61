import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { CLI, REPO } from "./paths.ts";

function run(what: string, args: string[]): void {
  const r = spawnSync(process.execPath, args, { cwd: REPO, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`e2e setup: ${what} failed (exit ${r.status ?? r.signal}); see the output above`);
}

/**
 * Before any demo: the dashboard is built when missing or stale (as `pnpm start` does), and
 * the CLI bundle is brought up to date once, so the first server and workers do not race to
 * build it.
 */
export default function globalSetup(): void {
  run("building the dashboard", [join(REPO, "scripts", "build-web.mjs")]);
  run("building the CLI", [CLI, "--version"]);
}
