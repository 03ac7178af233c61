import { existsSync } from "node:fs";
import { card, column, openDashboard } from "../src/board.ts";
import { expect, test } from "../src/fixtures.ts";
import { screenshot } from "../src/screenshots.ts";

const MINUTE = 60_000;

test("serve --demo: a newcomer sees the stories' cards move through the columns on their own within a minute, and the throwaway home goes away with the server", async ({
  page,
  switchyard,
}) => {
  const sy = await switchyard.demo();
  expect(sy.home).toContain("switchyard-demo-");
  await openDashboard(page, sy.url);

  // Seeded: the stories' tasks, ideas waiting in Triage, work for a person that no worker takes.
  await expect(card(column(page, "triage"), "Idea: export the board as CSV")).toBeVisible();
  await expect(card(column(page, "ready"), "Review the pricing page copy")).toContainText(
    "No profile named alice: add it to config.yaml, or take the task with switchyard claim",
  );

  // Nobody touches the board: workers start, finish, block and give up by themselves.
  await expect(column(page, "running").getByRole("article").first()).toBeVisible({ timeout: MINUTE });
  await expect(card(column(page, "done"), "Design the schema")).toBeVisible({ timeout: MINUTE });
  await expect(card(column(page, "blocked"), "Deploy to staging")).toBeVisible({ timeout: MINUTE });
  await expect(card(column(page, "blocked"), "Implement the CSV importer")).toBeVisible({ timeout: MINUTE });
  await expect(
    card(page, "Draft the release notes").getByRole("img", { name: /hallucination event\(s\)/ }),
  ).toBeVisible({ timeout: MINUTE });
  await screenshot(page, "demo-board");

  // Stopping the server stops the demo's workers and deletes its home.
  await sy.stop();
  expect(existsSync(sy.home)).toBe(false);
});
