import AxeBuilder from "@axe-core/playwright";
import { card, column, openDashboard } from "../src/board.ts";
import { expect, test } from "../src/fixtures.ts";

for (const theme of ["light", "dark"] as const) {
  test(`a fresh home shows how to add a profile and offers a sample task, with no axe-core violations (${theme} theme)`, async ({
    page,
    switchyard,
  }) => {
    // No profiles, an empty board: what `pnpm start` on a new home shows.
    const sy = await switchyard.start({ dispatch: { interval_seconds: 1 } });
    await page.emulateMedia({ colorScheme: theme });
    await openDashboard(page, sy.url);
    const panel = page.getByRole("region", { name: "Set up a worker" });
    await expect(panel).toContainText("This home has no profile yet, so nothing on the board starts by itself");
    const snippet = panel.getByRole("figure", { name: "Add to config.yaml" });
    await expect(snippet).toContainText("preset: claude-code");
    await panel.getByRole("combobox", { name: "Agent" }).selectOption("opencode");
    await expect(snippet).toContainText("preset: opencode");
    await expect(panel).toContainText("docs/agents/opencode.md");
    await expect(page.locator("html")).toHaveCSS("color-scheme", theme);
    const result = await new AxeBuilder({ page }).analyze();
    expect(result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}`))).toEqual([]);

    await panel.getByRole("button", { name: "Create a sample task" }).click();
    const sample = card(column(page, "ready"), "Sample: write hello.txt");
    await expect(sample).toContainText("No profile named coder: add it to config.yaml");
    await expect(panel.getByRole("status")).toContainText("it starts once the coder profile exists");
  });
}
