import { TaskDetail } from "@switchyard/contract";
import { card, column, createTaskInColumn, drawer, drawerSection, openDashboard, taskIdOf } from "../src/board.ts";
import { expect, test } from "../src/fixtures.ts";
import { screenshot } from "../src/screenshots.ts";
import { fakeAgent } from "../src/switchyard.ts";

const CHAIN = ["Design the schema", "Build the API", "Write the API tests"] as const;

test("solo dev: a schema → API → tests chain runs one task at a time, and the child's drawer shows its parent's handoff", async ({
  page,
  switchyard,
}) => {
  const sy = await switchyard.start({
    dispatch: { interval_seconds: 1, stop_grace_seconds: 1 },
    profiles: { coder: { command: fakeAgent("--mode", "complete", "--print-context") } },
  });
  await openDashboard(page, sy.url);

  // The chain is written first, unassigned, so nothing starts before it is whole.
  await createTaskInColumn(page, "ready", { title: CHAIN[0] });
  await createTaskInColumn(page, "ready", { title: CHAIN[1], parent: CHAIN[0] });
  await createTaskInColumn(page, "ready", { title: CHAIN[2], parent: CHAIN[1] });
  const schemaId = await taskIdOf(card(page, CHAIN[0]));
  const apiId = await taskIdOf(card(page, CHAIN[1]));
  const testsId = await taskIdOf(card(page, CHAIN[2]));

  // Only the first is ready; the others wait in Todo and say on whom.
  await expect(card(column(page, "ready"), CHAIN[0])).toContainText("Unassigned");
  await expect(card(column(page, "todo"), CHAIN[1])).toContainText(`Waiting on parent ${schemaId}`);
  await expect(card(column(page, "todo"), CHAIN[2])).toContainText(`Waiting on parent ${apiId}`);
  await screenshot(page, "solo-dev-chain");

  // Hand the whole chain to the coder profile with the bulk bar.
  for (const id of [schemaId, apiId, testsId]) await page.getByRole("checkbox", { name: `Select ${id}` }).check();
  const bulk = page.getByRole("region", { name: "Bulk actions" });
  await expect(bulk).toContainText("3 selected");
  await bulk.getByRole("combobox", { name: "Reassign selected tasks to" }).selectOption("coder");
  await bulk.getByRole("button", { name: "Apply" }).click();
  await expect(bulk).toBeHidden();

  // The dispatcher runs each in turn, and every card ends in Done.
  for (const title of CHAIN) await expect(card(column(page, "done"), title)).toBeVisible();
  await screenshot(page, "solo-dev-done");

  // In turn: each child's only run started after its parent's run had completed.
  const runsOf = async (id: string) => TaskDetail.parse(await sy.api(`/tasks/${id}`)).runs;
  const chain = [await runsOf(schemaId), await runsOf(apiId), await runsOf(testsId)];
  for (const runs of chain) expect(runs.map((r) => r.outcome)).toEqual(["completed"]);
  for (let i = 1; i < chain.length; i++) {
    const parentEnded = chain[i - 1]?.[0]?.ended_at ?? Number.POSITIVE_INFINITY;
    expect(chain[i]?.[0]?.started_at).toBeGreaterThanOrEqual(parentEnded);
  }

  // The API task's drawer: its parent, and the parent's handoff in the context its worker read.
  await card(page, CHAIN[1]).click();
  await expect(drawer(page, CHAIN[1])).toBeVisible();
  await expect(drawerSection(page, CHAIN[1], "Dependencies")).toContainText(schemaId);
  const log = drawerSection(page, CHAIN[1], "Worker log");
  await expect(log).toContainText("## Parent task results");
  await expect(log).toContainText(`### ${schemaId}`);
  await expect(log).toContainText(`finished ${schemaId}`);
  await expect(drawerSection(page, CHAIN[1], "Run history")).toContainText("completed");
  await log.scrollIntoViewIfNeeded();
  await screenshot(page, "solo-dev-handoff");
});
