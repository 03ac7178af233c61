import { chromium, defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, findChromium } from "./src/chromium.ts";

const browser = findChromium({ playwrightChromium: () => chromium.executablePath() });

/**
 * The end-to-end demos: each test boots `switchyard serve` on its own temporary home, with
 * fake-agent workers, and drives the real dashboard in Chromium. One test at a time (the
 * machines have 2 cores and each demo runs real worker processes); no retries: a demo that
 * flakes is a bug to fix.
 */
export default defineConfig({
  testDir: "./tests",
  globalSetup: "./src/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    browserName: "chromium",
    viewport: { width: 1600, height: 960 },
    colorScheme: "light",
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: { executablePath: browser.executablePath, args: [...CHROMIUM_ARGS] },
  },
});
