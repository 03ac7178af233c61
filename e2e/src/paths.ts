import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout this suite runs in. */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The `switchyard` bin (it rebuilds its bundle when stale, decision 006). */
export const CLI = join(REPO, "apps", "cli", "bin", "switchyard.mjs");
/** The scriptable stand-in for an agent that every e2e profile runs (e2e/fake-agent/README.md). */
export const FAKE_AGENT = join(REPO, "e2e", "fake-agent", "fake-agent.mjs");
/** Where the demos write the pictures the docs show. */
export const SCREENSHOTS = join(REPO, "docs", "screenshots");
