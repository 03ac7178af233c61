import { expect, type Locator, type Page } from "@playwright/test";
import type { TaskStatus } from "@switchyard/contract";

/** Column headings as the dashboard shows them (reference §12). */
export const COLUMN_LABEL: Readonly<Record<TaskStatus, string>> = {
  triage: "Triage",
  todo: "Todo",
  ready: "Ready",
  running: "In Progress",
  blocked: "Blocked",
  done: "Done",
  archived: "Archived",
};

/** A status column (a region named by its label). */
export function column(page: Page, status: TaskStatus): Locator {
  return page.getByRole("region", { name: COLUMN_LABEL[status], exact: true });
}

/** A task card (an article named by the task's title). */
export function card(scope: Page | Locator, title: string): Locator {
  return scope.getByRole("article", { name: title, exact: true });
}

/** The task drawer (a dialog named by the task's title). */
export function drawer(page: Page, title: string): Locator {
  return page.getByRole("dialog", { name: title, exact: true });
}

/** A section of the drawer (Run history, Events, Worker log, Recovery, …). */
export function drawerSection(page: Page, title: string, section: string): Locator {
  return drawer(page, title).getByRole("region", { name: section, exact: true });
}

/** The id the dashboard shows on a card. */
export async function taskIdOf(cardLocator: Locator): Promise<string> {
  const id = await cardLocator.getAttribute("data-task-id");
  if (!id) throw new Error("the card has no task id");
  return id;
}

/** Opens the dashboard (optionally on a board) and waits until its live stream is connected. */
export async function openDashboard(page: Page, url: string, board?: string): Promise<void> {
  await page.goto(board ? `${url}/?board=${encodeURIComponent(board)}` : url);
  await expect(page.getByRole("status", { name: "Live updates: Live" })).toBeVisible();
}

export interface NewTask {
  title: string;
  assignee?: string;
  /** The title of a task already on the board. */
  parent?: string;
}

/** Creates a task with a column's "+" form, the way a person does, and waits for its card. */
export async function createTaskInColumn(page: Page, status: TaskStatus, task: NewTask): Promise<Locator> {
  await page.getByRole("button", { name: `Create a task in ${COLUMN_LABEL[status]}` }).click();
  const form = page.getByRole("form", { name: `New task in ${COLUMN_LABEL[status]}` });
  await form.getByRole("textbox", { name: "Title" }).fill(task.title);
  if (task.assignee) await form.getByRole("textbox", { name: "Assignee" }).fill(task.assignee);
  if (task.parent) {
    const parentId = await taskIdOf(card(page, task.parent));
    await form.getByRole("combobox", { name: "Parent" }).selectOption(parentId);
  }
  await form.getByRole("textbox", { name: "Title" }).press("Enter");
  await expect(form).toBeHidden();
  const created = card(page, task.title);
  await expect(created).toBeVisible();
  return created;
}

/**
 * Drags a card onto a column with the mouse, in small steps as a hand would (the board's
 * mouse sensor starts a drag after 6 px). Like a person watching the card, it waits until the
 * board has picked the card up before heading for the column (the column is measured
 * then, after any layout change the pick-up caused), and lets go only once the board says the
 * card is over that column.
 */
export async function dragWithMouse(page: Page, title: string, to: TaskStatus): Promise<void> {
  const source = card(page, title);
  await source.scrollIntoViewIfNeeded();
  const from = await source.boundingBox();
  if (!from) throw new Error(`the card ${title} is not on screen`);
  const start = { x: from.x + from.width / 2, y: from.y + Math.min(from.height / 2, 20) };
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + 12, start.y + 4, { steps: 4 });
  // The board marks the page while a card is carried.
  await expect(page.locator("body")).toHaveAttribute("data-dragging", "true");
  const target = await column(page, to).boundingBox();
  if (!target) throw new Error(`the ${COLUMN_LABEL[to]} column is not on screen`);
  await page.mouse.move(target.x + target.width / 2, target.y + Math.min(target.height / 2, 160), { steps: 16 });
  await expect(page.getByText(`${title} is over ${COLUMN_LABEL[to]}.`)).toBeAttached();
  await page.mouse.up();
}

/**
 * Moves a card with the keyboard: focus it, Space picks it up, each arrow carries it one
 * column over (`path` names the columns it passes, in order), Space drops it. Each step waits
 * for the board's screen-reader announcement, as a person waits to see the card move.
 */
export async function dragWithKeyboard(
  page: Page,
  source: Locator,
  title: string,
  from: TaskStatus,
  path: readonly TaskStatus[],
): Promise<void> {
  const order = Object.keys(COLUMN_LABEL) as TaskStatus[];
  await source.focus();
  await page.keyboard.press("Space");
  // Picked up: the announcement says which column the card is over (its own, at first).
  await expect(page.getByText(`${title} is over ${COLUMN_LABEL[from]}.`)).toBeAttached();
  // dnd-kit's keyboard sensor starts listening for arrows in a task it queues on pick-up
  // (setTimeout 0); a task queued now runs after it.
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
  let at = from;
  for (const next of path) {
    await page.keyboard.press(order.indexOf(next) > order.indexOf(at) ? "ArrowRight" : "ArrowLeft");
    await expect(page.getByText(`${title} is over ${COLUMN_LABEL[next]}.`)).toBeAttached();
    at = next;
  }
  await page.keyboard.press("Space");
}
