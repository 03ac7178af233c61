import { card, column, drawerSection, openDashboard } from "../src/board.ts";
import { expect, test } from "../src/fixtures.ts";
import { screenshot } from "../src/screenshots.ts";
import { fakeAgent } from "../src/switchyard.ts";

test("circuit breaker and crash recovery: a command that cannot start gives up after the limit; a crashed worker is retried", async ({
  page,
  switchyard,
}) => {
  // `/nonexistent` is the home of Debian's `nobody`, which by convention never exists.
  const missing = "/nonexistent/bin/deploy-agent";
  const sy = await switchyard.start({
    dispatch: { interval_seconds: 1, stop_grace_seconds: 1, failure_limit: 3 },
    profiles: {
      // The deploy agent's binary is not installed: every spawn fails.
      deployer: { command: [missing, "--task", "{task_id}"] },
      // Killed (as by the OOM killer) on its first run; the retry completes.
      cruncher: {
        command: fakeAgent("--mode", "crash", "--signal", "SIGKILL", "--times", "1", "--later", "complete"),
      },
    },
  });
  sy.cliJson("create", "Deploy to staging", "--assignee", "deployer");
  sy.cliJson("create", "Crunch the quarterly numbers", "--assignee", "cruncher");
  await openDashboard(page, sy.url);

  // The breaker: three failed spawns, then the task is blocked with gave_up.
  const deploy = "Deploy to staging";
  await expect(card(column(page, "blocked"), deploy)).toBeVisible();
  await card(page, deploy).click();
  const deployRuns = drawerSection(page, deploy, "Run history");
  await expect(deployRuns).toContainText("Run history (3)");
  await expect(deployRuns.getByRole("listitem")).toContainText(["gave_up", "spawn_failed", "spawn_failed"]);
  await expect(deployRuns.getByRole("listitem").first()).toContainText(missing);
  const events = drawerSection(page, deploy, "Events");
  await expect(events).toContainText("gave_up");
  await expect(events).toContainText('"failures":3');
  await deployRuns.scrollIntoViewIfNeeded();
  await screenshot(page, "breaker-gave-up");
  await page.keyboard.press("Escape");

  // The crash: run 1 killed by SIGKILL, run 2 completes, and the history shows both.
  const crunch = "Crunch the quarterly numbers";
  await expect(card(column(page, "done"), crunch)).toBeVisible();
  await card(page, crunch).click();
  const crunchRuns = drawerSection(page, crunch, "Run history");
  await expect(crunchRuns).toContainText("Run history (2)");
  await expect(crunchRuns.getByRole("listitem")).toContainText(["completed", "crashed"]);
  await expect(crunchRuns.getByRole("listitem").nth(1)).toContainText("SIGKILL");
  await crunchRuns.scrollIntoViewIfNeeded();
  await screenshot(page, "crash-retried");
});
