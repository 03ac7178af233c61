import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { card, column, drawer, drawerSection, openDashboard } from "../src/board.ts";
import { expect, test } from "../src/fixtures.ts";
import { fakeAgent, type Switchyard } from "../src/switchyard.ts";

const DONE = "Write the release notes";
/** Long enough that the worker log (which prints the task's context) scrolls. */
const NOTES = Array.from({ length: 60 }, (_, i) => `- note ${i + 1}: what changed and why`).join("\n");

/** Every axe-core violation on the page, one readable line each (rule, node, why), so a failure says what to fix. */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id}: ${n.target.join(" ")} — ${n.failureSummary?.replace(/\s+/g, " ") ?? v.help}`),
  );
}

/** A card in every column: a running one, and a finished task with a worker log, a comment and a description. */
async function seed(sy: Switchyard): Promise<void> {
  sy.cliJson("create", "Idea: a dark print stylesheet", "--triage");
  sy.cliJson("create", "Ready for anyone", "--priority", "2", "--tenant", "acme");
  const blocked = sy.cliJson("create", "Waiting on legal") as { id: string };
  sy.cli("block", blocked.id, "Needs a signature");
  sy.cliJson("create", "Ship after legal", "--parent", blocked.id);
  sy.cliJson("create", "Crawl the docs", "--assignee", "sleeper");
  const done = sy.cliJson("create", DONE, "--assignee", "coder", "--body", `# Release notes\n\n${NOTES}`) as {
    id: string;
  };
  sy.cli("comment", done.id, "Remember the **migration** step.");
}

for (const theme of ["light", "dark"] as const) {
  test(`axe-core finds no violations on the board and in the open drawer (${theme} theme)`, async ({
    page,
    switchyard,
  }) => {
    const sy = await switchyard.start({
      dispatch: { interval_seconds: 1 },
      profiles: {
        coder: { command: fakeAgent("--print-context", "--mode", "complete", "--summary", "Notes written") },
        sleeper: { command: fakeAgent("--mode", "hang") },
      },
    });
    await seed(sy);
    await page.emulateMedia({ colorScheme: theme });
    await openDashboard(page, sy.url);
    await expect(card(column(page, "done"), DONE)).toBeVisible();
    await expect(card(column(page, "running"), "Crawl the docs")).toBeVisible();
    await expect(page.locator("html")).toHaveCSS("color-scheme", theme);
    expect(await violations(page)).toEqual([]);

    await card(page, DONE).click();
    await expect(drawerSection(page, DONE, "Worker log").locator("pre")).toContainText("note 60");
    await expect(drawerSection(page, DONE, "Comments")).toContainText("Remember the migration step.");
    await expect(drawer(page, DONE)).toBeVisible();
    expect(await violations(page)).toEqual([]);
  });
}
