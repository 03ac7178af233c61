import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { card, column, openDashboard } from "../src/board.ts";
import { expect, test } from "../src/fixtures.ts";

test("a server restart during an action: the page keeps reconnecting, says so, and catches up without a reload", async ({
  page,
  switchyard,
}) => {
  // No profiles: only the operator and the CLI change the board.
  const sy = await switchyard.start({ dispatch: { interval_seconds: 1 } });
  const before = sy.cliJson("create", "Written before the outage") as { id: string };
  await openDashboard(page, sy.url);
  await expect(card(column(page, "ready"), "Written before the outage")).toBeVisible();
  // Set on this page only: a reload would lose it.
  await page.evaluate(() => {
    document.documentElement.dataset.sameVisit = "yes";
  });

  const banner = page.getByRole("status", { name: /^Connection lost — reconnecting… \(attempt \d+\)$/ });
  const form = page.getByRole("form", { name: "New task in Ready" });
  await sy.restart(async () => {
    // The outage shows as a banner across the board, not as a grey word.
    await expect(banner).toBeVisible();
    // An action during the outage fails and says why.
    await page.getByRole("button", { name: "Create a task in Ready" }).click();
    await form.getByRole("textbox", { name: "Title" }).fill("Typed during the outage");
    await form.getByRole("textbox", { name: "Title" }).press("Enter");
    await expect(form.getByRole("alert")).toContainText("Cannot reach the Switchyard server");
    // Meanwhile the CLI changes the board behind the page's back.
    sy.cliJson("create", "Made while the page was away");
    sy.cli("assign", before.id, "dave");
    sy.cli("comment", before.id, "Noted while the server was down.");
  });

  // Back on its own (no Refresh, no reload): the stream reconnects and catches up from its cursor.
  await expect(page.getByRole("status", { name: "Live updates: Live" })).toBeVisible();
  await expect(page.getByText("Reconnected — caught up")).toBeVisible();
  await expect(banner).toBeHidden();
  await expect(card(column(page, "ready"), "Made while the page was away")).toBeVisible();
  await expect(card(page, "Written before the outage").getByText("@dave")).toBeVisible();
  await expect(card(page, "Written before the outage").getByTitle("1 comment(s)")).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.dataset.sameVisit)).toBe("yes");

  // The form kept what was typed: sending it again now works, and the board shows it live.
  await form.getByRole("textbox", { name: "Title" }).press("Enter");
  await expect(form).toBeHidden();
  await expect(card(column(page, "ready"), "Typed during the outage")).toBeVisible();
  const tasks = sy.cliJson("list") as Array<{ title: string }>;
  expect(tasks.map((t) => t.title)).toContain("Typed during the outage");

  // The activity feed heard it all from the same stream, the outage's changes included, newest first.
  await page.getByRole("button", { name: "Activity" }).click();
  const feed = page.getByRole("complementary", { name: "Activity" });
  const rows = feed.getByRole("listitem");
  await expect(rows.first()).toContainText("“Typed during the outage”: Created in Ready");
  await expect(feed.getByRole("button", { name: /^“Written before the outage”: Assigned to dave/ })).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
  await feed.getByRole("button", { name: /^“Made while the page was away”: Created in Ready/ }).click();
  await expect(page).toHaveURL(/[?&]task=t_/);
  await expect(page.getByRole("dialog", { name: "Made while the page was away" })).toBeVisible();
});

/** Every axe-core violation on the page, one readable line each. */
async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id}: ${n.target.join(" ")} — ${n.failureSummary?.replace(/\s+/g, " ") ?? v.help}`),
  );
}
