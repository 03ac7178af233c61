import { TaskDetail } from "@switchyard/contract";
import { card, column, dragWithMouse, openDashboard } from "../src/board.ts";
import { expect, test } from "../src/fixtures.ts";
import { fakeAgent } from "../src/switchyard.ts";

test("a card dragged from Triage to Todo stays parked there while the dispatcher runs other work (SPEC §3.13)", async ({
  page,
  switchyard,
}) => {
  const sy = await switchyard.start({
    dispatch: { interval_seconds: 1, stop_grace_seconds: 1 },
    profiles: { coder: { command: fakeAgent("--mode", "complete") } },
  });
  const idea = sy.cliJson("create", "Idea: park me for later", "--triage", "--assignee", "coder") as { id: string };
  await openDashboard(page, sy.url);
  await expect(card(column(page, "triage"), "Idea: park me for later")).toBeVisible();

  await dragWithMouse(page, "Idea: park me for later", "todo");
  await expect(card(column(page, "todo"), "Idea: park me for later")).toBeVisible();
  await expect.poll(() => (sy.cliJson("show", idea.id) as { task: { status: string } }).task.status).toBe("todo");

  // Ticks go by: a task made after the drop is claimed, run and done by the same profile. The
  // reference promoted the parked card on the first of them, and its worker took it at once.
  sy.cliJson("create", "Canary: runs while the idea waits", "--assignee", "coder");
  await expect(card(column(page, "done"), "Canary: runs while the idea waits")).toBeVisible();
  await expect(card(column(page, "todo"), "Idea: park me for later")).toContainText(
    "Parked in Todo: it stays until someone moves it",
  );
  const shown = TaskDetail.parse(await sy.api(`/tasks/${idea.id}`));
  expect([shown.task.status, shown.task.parked, shown.runs]).toEqual(["todo", true, []]);

  // A reload shows the same.
  await page.reload();
  await expect(card(column(page, "todo"), "Idea: park me for later")).toBeVisible();
});
