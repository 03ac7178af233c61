import AxeBuilder from "@axe-core/playwright";
import type { Locator, Page } from "@playwright/test";
import { drawer, openDashboard } from "../src/board.ts";
import { expect, test } from "../src/fixtures.ts";
import { screenshot } from "../src/screenshots.ts";
import { fakeAgent } from "../src/switchyard.ts";

const WRITER_TASKS = ["Draft the changelog", "Summarise the standup", "Tidy the glossary"];
const CRASHER_TASKS = ["Resize the product photos", "Transcode the launch video"];
const FAILURE_LIMIT = 3;

/** Every axe-core violation on the page, one readable line each (as accessibility.spec.ts prints them). */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id}: ${n.target.join(" ")} — ${n.failureSummary?.replace(/\s+/g, " ") ?? v.help}`),
  );
}

/** The cell of a table's row (named by its row header) under the column header `column`. */
async function cell(table: Locator, row: string, column: string): Promise<Locator> {
  const headers = await table.getByRole("columnheader").allInnerTexts();
  const at = headers.findIndex((h) => h.trim() === column);
  if (at < 1) throw new Error(`no column ${column} in ${headers.join(" | ")}`);
  const line = table.getByRole("row").filter({ has: table.page().getByRole("rowheader", { name: row, exact: true }) });
  // The row header is the first column; the cells are the rest.
  return line.getByRole("cell").nth(at - 1);
}

test("fleet view: the fake agents run for a while; the timeline, throughput and failure rates show them, and the crashing profile stands out", async ({
  page,
  switchyard,
}) => {
  const sy = await switchyard.start({
    // No pause after identical failures (it would stop the crasher at a moment that depends on
    // timing): every crasher task runs until it gives up at the failure limit.
    dispatch: { interval_seconds: 1, stop_grace_seconds: 1, failure_limit: FAILURE_LIMIT, pause_after_failures: 0 },
    profiles: {
      // Works one task at a time for about two seconds each, so its bars follow one another.
      writer: { command: fakeAgent("--mode", "heartbeat", "--every", "1", "--for", "2"), max_in_progress: 1 },
      // Exits 1 on every run: each task is retried until it gives up at the failure limit.
      crasher: { command: fakeAgent("--mode", "crash", "--code", "1") },
    },
  });

  // The Fleet tab, opened before any work: the live stream keeps it current from here on.
  await openDashboard(page, sy.url);
  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Fleet", exact: true }).click();
  await expect(page).toHaveURL(/[?&]view=fleet\b/);
  const fleet = page.getByRole("region", { name: "Fleet", exact: true });
  await expect(fleet.getByRole("heading", { name: "Fleet", level: 2 })).toBeVisible();
  await fleet.getByRole("radio", { name: "Last hour" }).check();

  for (const title of WRITER_TASKS) sy.cliJson("create", title, "--assignee", "writer");
  for (const title of CRASHER_TASKS) sy.cliJson("create", title, "--assignee", "crasher");

  // The timeline: a lane per profile, a bar per run, named by its task and outcome.
  const timeline = fleet.getByRole("region", { name: "Timeline", exact: true });
  const writerLane = timeline.getByRole("listitem", { name: /^writer: \d+ runs$/ });
  const crasherLane = timeline.getByRole("listitem", { name: /^crasher: \d+ runs$/ });
  const runs = FAILURE_LIMIT * CRASHER_TASKS.length;
  await expect(writerLane).toHaveAccessibleName(`writer: ${WRITER_TASKS.length} runs`, { timeout: 60_000 });
  await expect(crasherLane).toHaveAccessibleName(`crasher: ${runs} runs`, { timeout: 60_000 });
  for (const title of WRITER_TASKS) {
    await expect(writerLane.getByRole("button", { name: new RegExp(`^${title} — completed, `) })).toHaveCount(1);
  }
  for (const title of CRASHER_TASKS) {
    // Crashed, crashed, then given up at the limit: every one of its runs failed.
    await expect(crasherLane.getByRole("button", { name: new RegExp(`^${title} — crashed, `) })).toHaveCount(
      FAILURE_LIMIT - 1,
    );
    await expect(crasherLane.getByRole("button", { name: new RegExp(`^${title} — gave up, `) })).toHaveCount(1);
  }
  await expect(crasherLane.getByRole("button", { name: / — completed, / })).toHaveCount(0);
  await expect(timeline.getByRole("list", { name: "Outcomes" }).getByRole("listitem")).toContainText([
    "completed",
    "failed",
  ]);

  // Per profile: the writer's runs ended and its tasks done; the crasher's crash rate is 100 %.
  const workers = fleet.getByRole("region", { name: "Workers", exact: true }).getByRole("table", {
    name: "Per profile",
  });
  await expect(await cell(workers, "writer", "Runs ended")).toHaveText(String(WRITER_TASKS.length));
  await expect(await cell(workers, "writer", "Done")).toHaveText(String(WRITER_TASKS.length));
  await expect(await cell(workers, "writer", "Crashed")).toHaveText("0");
  await expect(await cell(workers, "crasher", "Runs ended")).toHaveText(String(runs));
  await expect(await cell(workers, "crasher", "Done")).toHaveText("0");
  await expect(await cell(workers, "crasher", "Crashed")).toHaveText(`${runs} · 100%`);
  // It stands out: a failing rate is drawn bold in the danger colour, a zero is not.
  const crashRate = await cell(workers, "crasher", "Crashed");
  const noCrashes = await cell(workers, "writer", "Crashed");
  await expect(crashRate).toHaveCSS("font-weight", "600");
  await expect(noCrashes).toHaveCSS("font-weight", "400");
  const colours = await Promise.all([crashRate, noCrashes].map((c) => c.evaluate((el) => getComputedStyle(el).color)));
  expect(colours[0]).not.toBe(colours[1]);

  // Throughput: the writer's tasks done in the window, in one of the hourly bars.
  const throughput = fleet.getByRole("region", { name: "Throughput", exact: true });
  const doneInWindow = throughput
    .locator("dl > div")
    .filter({ has: page.getByRole("term").filter({ hasText: "Done in the window" }) })
    .getByRole("definition");
  await expect(doneInWindow).toHaveText(String(WRITER_TASKS.length));
  const perHour = throughput.getByRole("list", { name: "Tasks done per hour" });
  // The hourly bars add up to the same (the runs may straddle an hour's boundary).
  const doneInBars = async () => {
    const labels = await perHour
      .getByRole("listitem")
      .evaluateAll((items) => items.map((i) => i.getAttribute("aria-label") ?? ""));
    return labels.reduce((sum, label) => sum + Number(/: (\d+) done$/.exec(label)?.[1] ?? Number.NaN), 0);
  };
  await expect.poll(doneInBars).toBe(WRITER_TASKS.length);

  // The crasher's tasks wait in Blocked, not in the queue; nothing is ready.
  await expect(fleet.getByRole("region", { name: "Queue", exact: true })).toContainText("No ready task is waiting.");

  await screenshot(page, "fleet-view");

  // axe-core: no violation on the Fleet page, light and dark.
  expect(await violations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(page.locator("html")).toHaveCSS("color-scheme", "dark");
  expect(await violations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: "light" });

  // A click on a bar opens that task's drawer. The crasher's bars lie close together on an hour's
  // scale; the lane's newest is drawn on top of the others, so that is the one a person can hit.
  const newest = crasherLane.getByRole("button").last();
  const label = (await newest.getAttribute("aria-label")) ?? "";
  const title = label.split(" — ")[0] ?? "";
  expect(CRASHER_TASKS).toContain(title);
  await newest.click();
  await expect(drawer(page, title)).toBeVisible();
  await expect(page).toHaveURL(/[?&]task=/);
  await expect(drawer(page, title).getByRole("region", { name: "Run history", exact: true })).toContainText(
    `Run history (${FAILURE_LIMIT})`,
  );
});
