import { findChromium, NO_CHROMIUM_MESSAGE } from "../src/chromium.ts";
import { expect, test } from "../src/fixtures.ts";
import { isRunning } from "../src/processes.ts";
import { fakeAgent, startSwitchyard } from "../src/switchyard.ts";

test.describe("the browser finder", () => {
  const none = () => false;

  test("prefers the system Chromium over Playwright's own", () => {
    const choice = findChromium({
      env: {},
      exists: (path) => path === "/usr/bin/chromium" || path === "/pw/chrome",
      playwrightChromium: () => "/pw/chrome",
    });
    expect(choice).toEqual({ executablePath: "/usr/bin/chromium", source: "system" });
  });

  test("falls back to Playwright's own Chromium when the system has none", () => {
    const choice = findChromium({
      env: {},
      exists: (path) => path === "/pw/chrome",
      playwrightChromium: () => "/pw/chrome",
    });
    expect(choice).toEqual({ executablePath: undefined, source: "playwright" });
  });

  test("honours SWITCHYARD_E2E_CHROMIUM, and refuses one that does not exist", () => {
    const env = { SWITCHYARD_E2E_CHROMIUM: "/opt/chromium" };
    expect(findChromium({ env, exists: (path) => path === "/opt/chromium" }).executablePath).toBe("/opt/chromium");
    expect(() => findChromium({ env, exists: none })).toThrow("SWITCHYARD_E2E_CHROMIUM=/opt/chromium does not exist");
  });

  test("with no Chromium anywhere it fails with the exact instruction", () => {
    expect(() => findChromium({ env: {}, exists: none, playwrightChromium: () => "/pw/chrome" })).toThrow(
      NO_CHROMIUM_MESSAGE,
    );
    expect(NO_CHROMIUM_MESSAGE).toContain("apt-get install -y chromium");
  });
});

test.describe("the e2e server", () => {
  test("serves the dashboard on a fresh home and leaves no server or worker behind when stopped", async ({ page }) => {
    const sy = await startSwitchyard({
      dispatch: { interval_seconds: 1, stop_grace_seconds: 1 },
      profiles: { sleeper: { command: fakeAgent("--mode", "hang") } },
    });
    try {
      sy.cliJson("create", "Sleep until stopped", "--assignee", "sleeper");
      await page.goto(sy.url);
      await expect(page.getByRole("heading", { name: "Switchyard" })).toBeVisible();
      const running = page.getByRole("region", { name: "In Progress", exact: true });
      await expect(running.getByRole("article", { name: "Sleep until stopped" })).toBeVisible();
      await expect.poll(() => sy.workerPids().length).toBe(1);
    } finally {
      await sy.stop();
    }
    expect(isRunning(sy.pid)).toBe(false);
    for (const pid of sy.workerPids()) expect(isRunning(pid), `worker ${pid}`).toBe(false);
  });

  test("refuses a config the contract rejects before booting anything", async () => {
    await expect(startSwitchyard({ dispatch: { interval_seconds: 0 } })).rejects.toThrow("bad e2e config");
  });
});
