import type { Locator, Page } from "@playwright/test";
import type { TaskStatus } from "@switchyard/contract";
import { card, column, drawer, openDashboard } from "../src/board.ts";
import { expect, test } from "../src/fixtures.ts";
import type { Switchyard } from "../src/switchyard.ts";

const SIX: readonly TaskStatus[] = ["triage", "todo", "ready", "running", "blocked", "done"];
/** The longest title the board takes (the contract's LIMITS.title). */
const LONG_TITLE = `Refactor ${"the importer and its tests ".repeat(40)}`.slice(0, 1000).trim();

/** A card in each of the six columns (Done's count once widened the page), one of them with a 1,000-character title. */
function seedEveryColumn(sy: Switchyard): void {
  sy.cliJson("create", "Idea: a print stylesheet", "--triage");
  const parent = sy.cliJson("create", "Parent of a waiting task") as { id: string };
  sy.cliJson("create", "Waits on its parent", "--parent", parent.id);
  sy.cliJson("create", LONG_TITLE);
  const running = sy.cliJson("create", "Being worked on") as { id: string };
  sy.cli("claim", running.id);
  const blocked = sy.cliJson("create", "Needs a decision") as { id: string };
  sy.cli("block", blocked.id, "Which database?");
  const done = sy.cliJson("create", "Already shipped") as { id: string };
  sy.cli("complete", done.id, "--result", "shipped");
}

/** How wide the page's scrollable area is, against the window. */
function pageWidths(page: Page) {
  return page.evaluate(() => ({
    scrollWidth: document.scrollingElement?.scrollWidth ?? Number.POSITIVE_INFINITY,
    innerWidth: window.innerWidth,
  }));
}

/** The board area: the box that holds the columns. */
function boardArea(page: Page): Locator {
  return column(page, "triage").locator("xpath=..");
}

test("only the board scrolls sideways: at 390 px the page cannot pan into blank space, and at 1440 px all six columns fit", async ({
  page,
  switchyard,
}) => {
  const sy = await switchyard.start({ dispatch: { interval_seconds: 1 } });
  seedEveryColumn(sy);

  await page.setViewportSize({ width: 390, height: 844 });
  await openDashboard(page, sy.url);
  await expect(card(column(page, "done"), "Already shipped")).toBeAttached();
  let widths = await pageWidths(page);
  expect(widths.scrollWidth).toBeLessThanOrEqual(widths.innerWidth);
  // The columns do not fit: the board area scrolls instead of the page.
  const narrow = await boardArea(page).evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(narrow.scroll).toBeGreaterThan(narrow.client);
  // A sideways swipe or wheel over the header moves nothing.
  await page.mouse.move(200, 20);
  await page.mouse.wheel(600, 0);
  await expect.poll(() => page.evaluate(() => window.scrollX)).toBe(0);

  await page.setViewportSize({ width: 1440, height: 900 });
  await expect
    .poll(async () => {
      const w = await pageWidths(page);
      return w.scrollWidth <= w.innerWidth;
    })
    .toBe(true);
  widths = await pageWidths(page);
  const wide = await boardArea(page).evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(wide.scroll).toBeLessThanOrEqual(wide.client);
  for (const status of SIX) {
    const box = await column(page, status).boundingBox();
    if (!box) throw new Error(`the ${status} column is not laid out`);
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(widths.innerWidth);
  }
});

test("a 1,000-character title takes three lines on its card (one when compact) and shows whole in the drawer; compact cards are shorter", async ({
  page,
  switchyard,
}) => {
  const sy = await switchyard.start({ dispatch: { interval_seconds: 1 } });
  seedEveryColumn(sy);
  await page.setViewportSize({ width: 1440, height: 900 });
  await openDashboard(page, sy.url);

  const long = card(page, LONG_TITLE);
  const title = long.locator(".sy-card-title");
  const lineHeight = await title.evaluate((el) => Number.parseFloat(getComputedStyle(el).lineHeight));
  const comfortable = await title.boundingBox();
  expect(comfortable?.height).toBeLessThanOrEqual(3 * lineHeight + 1);
  const shortCard = await card(page, "Already shipped").boundingBox();

  await page.getByRole("button", { name: "Compact" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-density", "compact");
  await expect.poll(async () => (await title.boundingBox())?.height).toBeLessThanOrEqual(lineHeight + 1);
  const compactCard = await card(page, "Already shipped").boundingBox();
  expect(compactCard?.height).toBeLessThan(shortCard?.height ?? 0);

  // Remembered on reload.
  await page.reload();
  await expect(page.getByRole("button", { name: "Compact" })).toHaveAttribute("aria-pressed", "true");

  await long.click();
  const dialog = drawer(page, LONG_TITLE);
  await expect(dialog.getByRole("heading", { level: 2 })).toHaveText(LONG_TITLE);
  const heading = await dialog.getByRole("heading", { level: 2 }).boundingBox();
  expect(heading?.height).toBeGreaterThan(5 * lineHeight);
});

test("a stale card keeps its amber mark and still shows the keyboard focus ring, whole, when focused", async ({
  page,
  switchyard,
}) => {
  const sy = await switchyard.start({ dispatch: { interval_seconds: 1 } });
  sy.cliJson("create", "Nobody picked this up");
  sy.cliJson("create", "Neither this");
  await page.clock.install();
  await openDashboard(page, sy.url);
  const stale = card(page, "Nobody picked this up");
  const fresh = card(page, "Neither this");
  await expect(stale).toBeVisible();

  // Two hours on: a ready card goes amber after an hour (the board's clock follows this page's).
  await page.clock.fastForward("02:00:00");
  await expect(stale).toHaveClass(/sy-stale-amber/);

  const look = (el: Element) => {
    const s = getComputedStyle(el);
    return {
      focusVisible: el.matches(":focus-visible"),
      outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
      border: s.borderTopColor,
    };
  };
  const ring = await fresh.evaluate((el) => {
    (el as HTMLElement).focus();
    return getComputedStyle(el).outlineColor;
  });
  await stale.focus();
  const focused = await stale.evaluate(look);
  expect(focused.focusVisible).toBe(true);
  // The focus ring is the same as on a fresh card, and the amber mark stays.
  expect(focused.outline).toBe(`solid 2px ${ring}`);
  expect(focused.border).toBe("rgb(224, 165, 38)");

  await page.keyboard.press("Tab");
  const blurred = await stale.evaluate(look);
  expect(blurred.outline).toMatch(/^none /);
  expect(blurred.border).toBe("rgb(224, 165, 38)");

  // The ring (2 px, 2 px away) fits inside the column's scrolling body, which would clip it.
  const room = await stale.evaluate((el) => {
    const body = el.closest(".sy-column-body");
    if (!body) return null;
    const c = el.getBoundingClientRect();
    const b = body.getBoundingClientRect();
    return Math.min(c.left - b.left, b.right - c.right, c.top - b.top);
  });
  expect(room).toBeGreaterThanOrEqual(4);
});
