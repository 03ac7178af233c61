import { card, column, dragWithKeyboard, dragWithMouse, openDashboard } from "../src/board.ts";
import { expect, test } from "../src/fixtures.ts";
import { screenshot } from "../src/screenshots.ts";
import type { Switchyard } from "../src/switchyard.ts";

async function statusOf(sy: Switchyard, id: string): Promise<string> {
  const shown = sy.cliJson("show", id) as { task: { status: string } };
  return shown.task.status;
}

test("triage by drag and drop: by mouse and by keyboard, with confirmations, and refused moves rolled back with the reason", async ({
  page,
  switchyard,
}) => {
  // No profiles: nothing here is spawnable, so only the operator moves cards.
  const sy = await switchyard.start({ dispatch: { interval_seconds: 1 } });
  const csv = sy.cliJson("create", "Idea: export the board as CSV", "--triage") as { id: string };
  // Higher priorities sort first, so the dark-mode idea sits lowest in Triage.
  for (const idea of ["a cheat sheet of the shortcuts", "an RSS feed of done tasks", "per-board colours"]) {
    sy.cliJson("create", `Idea: ${idea}`, "--triage", "--priority", "1");
  }
  const dark = sy.cliJson("create", "Idea: dark mode for the docs", "--triage") as { id: string };
  const release = sy.cliJson("create", "Release v2") as { id: string };
  const announce = sy.cliJson("create", "Announce v2", "--parent", release.id) as { id: string };
  const notes = sy.cliJson("create", "Write the changelog") as { id: string };
  await openDashboard(page, sy.url);
  await expect(card(column(page, "triage"), "Idea: export the board as CSV")).toBeVisible();
  await screenshot(page, "triage-before");

  // By mouse: a triaged idea goes to Ready.
  await dragWithMouse(page, "Idea: export the board as CSV", "ready");
  await expect(card(column(page, "ready"), "Idea: export the board as CSV")).toBeVisible();
  await expect.poll(() => statusOf(sy, csv.id)).toBe("ready");

  // By keyboard: Space, Right, Right, Space carries the lowest idea of Triage over Todo (one
  // card, so its box ends above the carried card) into Ready.
  const darkCard = card(page, "Idea: dark mode for the docs");
  await expect(column(page, "triage").getByRole("article").last()).toHaveAccessibleName("Idea: dark mode for the docs");
  const carried = await darkCard.boundingBox();
  const todo = await column(page, "todo").boundingBox();
  if (!carried || !todo) throw new Error("the card or Todo is not on screen");
  expect(carried.y).toBeGreaterThan(todo.y + todo.height);
  await dragWithKeyboard(page, darkCard, "Idea: dark mode for the docs", "triage", ["todo", "ready"]);
  await expect(card(column(page, "ready"), "Idea: dark mode for the docs")).toBeVisible();
  await expect.poll(() => statusOf(sy, dark.id)).toBe("ready");

  // Done asks first, and wants a summary.
  await dragWithMouse(page, "Write the changelog", "done");
  const confirm = page.getByRole("dialog", { name: "Mark this task as done?" });
  await confirm.getByRole("button", { name: "Mark done" }).click();
  await expect(confirm.getByRole("alert")).toHaveText("A completion summary is required.");
  await confirm.getByRole("textbox", { name: "Completion summary (required)" }).fill("Changelog written by hand.");
  await screenshot(page, "triage-confirm-done");
  await confirm.getByRole("button", { name: "Mark done" }).click();
  await expect(card(column(page, "done"), "Write the changelog")).toBeVisible();
  await expect.poll(() => statusOf(sy, notes.id)).toBe("done");

  // Refused, by keyboard: Announce v2 cannot be ready while Release v2 is unfinished. The
  // dashboard refuses it from the contract's transition table before sending anything: the
  // card goes back to Todo and a notification gives the reason.
  await dragWithKeyboard(page, card(page, "Announce v2"), "Announce v2", "todo", ["ready"]);
  const refusal = page.getByRole("alert").filter({ hasText: "Cannot move" });
  await expect(refusal).toContainText(
    `Cannot move ${announce.id} to Ready: waiting on unfinished parent ${release.id}.`,
  );
  await expect(card(column(page, "todo"), "Announce v2")).toBeVisible();
  await expect(card(column(page, "ready"), "Announce v2")).toHaveCount(0);
  expect(await statusOf(sy, announce.id)).toBe("todo");
  await screenshot(page, "triage-refused");

  // Refused, by mouse: running is the dispatcher's to set, so a drop on In Progress goes back.
  await refusal.getByRole("button", { name: "Dismiss message" }).click();
  await expect(refusal).toBeHidden();
  await dragWithMouse(page, "Release v2", "running");
  await expect(refusal).toContainText(
    `Cannot move ${release.id} to In Progress: Ready → In Progress is not an allowed move.`,
  );
  await expect(card(column(page, "ready"), "Release v2")).toBeVisible();
  await expect(card(column(page, "running"), "Release v2")).toHaveCount(0);
  expect(await statusOf(sy, release.id)).toBe("ready");
});
