import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./paths.ts";

/**
 * Real agent CLIs for the e2e suite, installed from the npm registry on first use. They are not
 * dependencies of the workspace (Claude Code alone is hundreds of megabytes, and every
 * `pnpm install` would fetch it): their versions are pinned in e2e/package.json under
 * `switchyardAgents`, and each is installed into `e2e/.agents/` (git-ignored) with
 * `npm install --prefix e2e/.agents --no-save <package>@<version>`, then reused while the
 * installed version is the pinned one.
 */

/** Where the agents are installed. */
export const AGENTS_DIR = join(REPO, "e2e", ".agents");

/** How long one install may take (a cold npm cache downloads the whole CLI). */
export const INSTALL_TIMEOUT_MS = 10 * 60_000;

/** The versions e2e/package.json pins, by npm package name. */
export function pinnedAgents(): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(REPO, "e2e", "package.json"), "utf8")) as {
    switchyardAgents?: Record<string, string>;
  };
  return manifest.switchyardAgents ?? {};
}

function installedVersion(pkg: string): string | null {
  const manifest = join(AGENTS_DIR, "node_modules", ...pkg.split("/"), "package.json");
  if (!existsSync(manifest)) return null;
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version?: string }).version ?? null;
}

export interface InstalledAgent {
  pkg: string;
  version: string;
  /** The directory of its executable, to put first on a worker's PATH. */
  binDir: string;
  /** Its executable. */
  bin: string;
}

/**
 * Installs the pinned version of `pkg` (unless it is there already) and returns where its
 * executable `bin` is. Throws, with npm's own output, when the package is not pinned or cannot
 * be installed: a real-agent test fails rather than skips when the registry cannot be reached.
 */
export function installAgent(pkg: string, bin: string): InstalledAgent {
  const version = pinnedAgents()[pkg];
  if (!version) throw new Error(`${pkg} has no pinned version under "switchyardAgents" in e2e/package.json`);
  const binDir = join(AGENTS_DIR, "node_modules", ".bin");
  const executable = join(binDir, bin);
  if (installedVersion(pkg) !== version || !existsSync(executable)) {
    mkdirSync(AGENTS_DIR, { recursive: true });
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const args = ["install", "--prefix", AGENTS_DIR, "--no-save", "--no-audit", "--no-fund", `${pkg}@${version}`];
    const r = spawnSync(npm, args, { encoding: "utf8", timeout: INSTALL_TIMEOUT_MS });
    if (r.status !== 0 || installedVersion(pkg) !== version || !existsSync(executable)) {
      const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}`;
      const output = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-20).join("\n");
      throw new Error(
        `could not install ${pkg}@${version} from the npm registry (\`${npm} ${args.join(" ")}\`: ${why}); ` +
          `this test needs the real agent CLI and network access to the registry.\n${output}`,
      );
    }
  }
  return { pkg, version, binDir, bin: executable };
}
