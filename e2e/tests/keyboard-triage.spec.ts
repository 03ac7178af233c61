import type { Page } from "@playwright/test";
import { card, column, drawer, openDashboard } from "../src/board.ts";
import { expect, test } from "../src/fixtures.ts";
import { screenshot } from "../src/screenshots.ts";
import type { Switchyard } from "../src/switchyard.ts";

const IDEAS = [
  "Idea: a CSV export",
  "Idea: per-board colours",
  "Idea: an RSS feed of done tasks",
  "Idea: a cheat sheet of the keys",
  "Idea: dark mode for the docs",
];

/** What the CLI says of a task's status, assignee and priority. */
function shown(sy: Switchyard, id: string): { status: string; assignee: string | null; priority: number } {
  const { status, assignee, priority } = (
    sy.cliJson("show", id) as { task: { status: string; assignee: string | null; priority: number } }
  ).task;
  return { status, assignee, priority };
}

/** The card that has keyboard focus, by its title. */
function focusedCard(page: Page) {
  return page.locator("article[data-task-id]:focus");
}

async function press(page: Page, ...keys: string[]) {
  for (const key of keys) await page.keyboard.press(key);
}

test("keyboard-only triage: create five ideas with c and Create more, assign, prioritise and move each with a, p and s, step through them in the drawer with j/k, undo a move with Ctrl+Z", async ({
  page,
  switchyard,
}) => {
  // No profiles: nothing is spawnable, so only the keyboard moves cards.
  const sy = await switchyard.start({ dispatch: { interval_seconds: 1 } });
  sy.cliJson("create", "Set up CI", "--assignee", "alice");
  await openDashboard(page, sy.url);
  await expect(card(column(page, "ready"), "Set up CI")).toBeVisible();

  // c: the create dialog. Shift+Tab from the title wraps to "Create more", then on to "Start in Triage".
  await press(page, "c");
  const dialog = page.getByRole("dialog", { name: "New task" });
  const title = dialog.getByRole("textbox", { name: "Title" });
  await expect(title).toBeFocused();
  await press(page, "Shift+Tab");
  await expect(dialog.getByRole("checkbox", { name: "Create more" })).toBeFocused();
  await press(page, "Space", "Shift+Tab", "Shift+Tab");
  await expect(dialog.getByRole("checkbox", { name: "Start in Triage" })).toBeFocused();
  await press(page, "Space");
  await expect(dialog.getByRole("checkbox", { name: "Create more" })).toBeChecked();
  await expect(dialog.getByRole("checkbox", { name: "Start in Triage" })).toBeChecked();
  // Back up to the title: Parents, Priority, Assignee, Description, Title.
  await press(page, "Shift+Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab");
  await expect(title).toBeFocused();
  for (const idea of IDEAS) {
    await page.keyboard.type(idea);
    await press(page, "Enter");
    await expect(card(column(page, "triage"), idea)).toBeVisible();
    // Create more: the dialog stays, its title emptied and focused for the next one.
    await expect(title).toHaveValue("");
    await expect(title).toBeFocused();
  }
  await press(page, "Escape");
  await expect(dialog).toBeHidden();
  await expect(column(page, "triage").getByRole("article")).toHaveCount(5);
  const ids: string[] = [];
  for (const idea of IDEAS) {
    const id = await card(page, idea).getAttribute("data-task-id");
    if (!id) throw new Error(`no id on ${idea}`);
    ids.push(id);
  }

  // Triage each idea from the top of Triage: a (assign), p (priority), s (move to Ready).
  await press(page, "j");
  for (const [i, idea] of IDEAS.entries()) {
    await expect(focusedCard(page)).toHaveAccessibleName(idea);

    await press(page, "a");
    const assign = page.getByRole("dialog", { name: `Assign ${ids[i]}` });
    await expect(assign.getByRole("option", { name: "alice" })).toBeVisible();
    if (i === 0) await screenshot(page, "keyboard-assign");
    await page.keyboard.type("ali");
    await press(page, "Enter");
    await expect(assign).toBeHidden();
    await expect(card(page, idea).getByText("@alice")).toBeVisible();

    await press(page, "p");
    const priority = page.getByRole("dialog", { name: `Set priority of ${ids[i]}` });
    await page.keyboard.type("2");
    await expect(priority.getByRole("option", { selected: true })).toHaveText("Priority 2");
    await press(page, "Enter");
    await expect(card(page, idea).getByText("P2")).toBeVisible();

    await press(page, "s");
    const move = page.getByRole("dialog", { name: `Move ${ids[i]} to…` });
    await expect(move.getByRole("button", { name: "Todo" })).toBeFocused();
    await press(page, "ArrowDown");
    await expect(move.getByRole("button", { name: "Ready" })).toBeFocused();
    await press(page, "Enter");
    await expect(card(column(page, "ready"), idea)).toBeVisible();
    await expect.poll(() => shown(sy, ids[i] ?? "")).toEqual({ status: "ready", assignee: "alice", priority: 2 });

    // The moved card keeps focus in Ready; ← goes back to Triage and k up to its top.
    await expect(focusedCard(page)).toHaveAccessibleName(idea);
    if (i < IDEAS.length - 1) {
      await press(page, "ArrowLeft", "k", "k", "k", "k", "k");
    }
  }
  await expect(column(page, "triage").getByRole("article")).toHaveCount(0);

  // Peek and step: the drawer opens on the first idea (top of Ready: P2 before Set up CI's P0),
  // then j/k walk the column without closing it.
  await press(page, "k", "k", "k", "k", "k");
  await expect(focusedCard(page)).toHaveAccessibleName(IDEAS[0] ?? "");
  await press(page, "Enter");
  await expect(drawer(page, IDEAS[0] ?? "")).toBeVisible();
  for (const idea of IDEAS.slice(1)) {
    await press(page, "j");
    await expect(drawer(page, idea)).toBeVisible();
  }
  await press(page, "k");
  const fourth = IDEAS[3] ?? "";
  await expect(drawer(page, fourth)).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`task=${ids[3]}`));

  // s in the drawer moves its task; Ctrl+Z undoes the move through the API.
  await press(page, "s");
  const move = page.getByRole("dialog", { name: `Move ${ids[3]} to…` });
  await expect(move.getByRole("button", { name: "Triage" })).toBeFocused();
  await press(page, "Enter");
  await expect(card(column(page, "triage"), fourth)).toBeAttached();
  await expect.poll(() => shown(sy, ids[3] ?? "").status).toBe("triage");
  await expect(page.getByRole("status").filter({ hasText: `Moved ${ids[3]} to Triage.` })).toBeVisible();
  await screenshot(page, "keyboard-undo");
  await press(page, "Control+z");
  await expect(card(column(page, "ready"), fourth)).toBeAttached();
  await expect.poll(() => shown(sy, ids[3] ?? "").status).toBe("ready");
  await expect(page.getByRole("status").filter({ hasText: `Moved ${ids[3]} to Ready.` })).toBeVisible();

  // Esc closes the drawer; focus is on the card last shown in it.
  await press(page, "Escape");
  await expect(drawer(page, fourth)).toBeHidden();
  await expect(focusedCard(page)).toHaveAccessibleName(fourth);
});
