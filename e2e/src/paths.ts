import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout this suite runs in. */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The `switchyard` bin (it rebuilds its bundle when stale, decision 006). */
export const CLI = join(REPO, "apps", "cli", "bin", "switchyard.mjs");
/** The scriptable stand-in for an agent that every e2e profile runs (e2e/fake-agent/README.md). */
export const FAKE_AGENT = join(REPO, "e2e", "fake-agent", "fake-agent.mjs");
/** The pictures the docs show, as the demos last took them (committed). */
export const SCREENSHOTS = join(REPO, "docs", "screenshots");
/**
 * Where a demo writes its pictures: `docs/screenshots/` when asked to refresh the docs
 * (`pnpm screenshots`, i.e. SWITCHYARD_UPDATE_SCREENSHOTS=1), else beside the run's other
 * results, so that a test run never changes committed files.
 */
export const SCREENSHOTS_OUT =
  process.env.SWITCHYARD_UPDATE_SCREENSHOTS === "1" ? SCREENSHOTS : join(REPO, "e2e", "test-results", "screenshots");
