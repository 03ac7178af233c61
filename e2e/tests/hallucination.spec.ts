import { card, column, drawer, drawerSection, openDashboard, taskIdOf } from "../src/board.ts";
import { expect, test } from "../src/fixtures.ts";
import { isRunning } from "../src/processes.ts";
import { screenshot } from "../src/screenshots.ts";
import { fakeAgent } from "../src/switchyard.ts";

const TITLE = "Draft the release notes";
const WARNING = "1 hallucination event(s) since last clean completion";

test("hallucination recovery: a phantom card is refused and flagged, the operator reassigns with Reclaim first, and the clean retry clears the warning but keeps the audit trail", async ({
  page,
  switchyard,
}) => {
  const sy = await switchyard.start({
    dispatch: { interval_seconds: 1, stop_grace_seconds: 1 },
    profiles: {
      // Claims it created t_deadbeef, is refused, and then sits on the task.
      drafter: { command: fakeAgent("--mode", "phantom", "--after-refusal", "hang") },
      editor: { command: fakeAgent("--mode", "complete", "--summary", "Release notes drafted; no follow-up cards") },
    },
  });
  sy.cliJson("create", TITLE, "--assignee", "drafter");
  await openDashboard(page, sy.url);

  // The board: the card keeps running, with a ⚠ badge, and the attention strip appears.
  const running = card(column(page, "running"), TITLE);
  await expect(running.getByRole("img", { name: WARNING })).toBeVisible();
  const id = await taskIdOf(running);
  const strip = page.getByRole("region", { name: "Hallucination warnings" });
  await expect(strip).toContainText("⚠ 1 task(s) with hallucination warnings");
  await strip.getByRole("button", { name: "Show" }).click();
  await expect(strip).toContainText("@drafter");
  await screenshot(page, "hallucination-board");

  // The drawer: Recovery opens by itself, and the event is a red callout with the phantom id.
  await strip.getByRole("button", { name: `Open ${id}` }).click();
  const recovery = drawerSection(page, TITLE, "Recovery");
  await expect(recovery.getByRole("button", { name: "⚠ Recovery" })).toHaveAttribute("aria-expanded", "true");
  const events = drawerSection(page, TITLE, "Events");
  const callout = events.getByRole("listitem").filter({ hasText: "Completion blocked — phantom card ids" });
  await expect(callout.getByRole("list", { name: "Phantom ids" })).toHaveText("t_deadbeef");
  await expect(drawer(page, TITLE).getByRole("img", { name: WARNING })).toBeVisible();
  await screenshot(page, "hallucination-drawer");
  await callout.scrollIntoViewIfNeeded();
  await screenshot(page, "hallucination-callout");

  // Recovery: hand the task to the editor profile, stopping the drafter first.
  const drafterPids = sy.workerPids();
  expect(drafterPids).toHaveLength(1);
  await recovery.getByRole("textbox", { name: "Reason" }).fill("the drafter invents card ids");
  await recovery.getByRole("combobox", { name: "Reassign to profile" }).selectOption("editor");
  await expect(recovery.getByRole("checkbox", { name: "Reclaim first" })).toBeChecked();
  await recovery.getByRole("button", { name: "Reassign" }).click();
  await expect(recovery.getByRole("status")).toHaveText(`Reassigned ${id} to editor.`);

  // The retry completes cleanly: the warning clears, the audit events stay.
  const runs = drawerSection(page, TITLE, "Run history");
  await expect(runs.getByRole("listitem")).toContainText(["completed", "reclaimed"]);
  await expect(runs.getByRole("listitem").first()).toContainText("@editor");
  await expect(runs.getByRole("listitem").nth(1)).toContainText("@drafter");
  await expect(drawer(page, TITLE).getByRole("img", { name: WARNING })).toBeHidden();
  await expect(recovery.getByRole("button", { name: "Recovery", exact: true })).toBeVisible();
  await expect(callout).toBeVisible();
  await expect(events).toContainText("reclaimed");
  await expect(events).toContainText("the drafter invents card ids");
  for (const pid of drafterPids) expect(isRunning(pid), `the drafter's worker ${pid} was stopped`).toBe(false);
  await screenshot(page, "hallucination-recovered");

  await drawer(page, TITLE).getByRole("button", { name: "Close drawer" }).click();
  const done = card(column(page, "done"), TITLE);
  await expect(done).toBeVisible();
  await expect(done.getByRole("img", { name: WARNING })).toHaveCount(0);
  await expect(strip).toBeHidden();
});
