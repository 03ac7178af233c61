import { claimTask, getTask } from "@switchyard/core";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { boardHarness, column } from "./board-harness.tsx";

function focusedTitle(): string | null {
  return document.activeElement?.getAttribute("aria-label") ?? null;
}

describe("the keyboard", () => {
  it("creates, finds, opens, selects and moves a task without the mouse", async () => {
    const h = await boardHarness();
    await h.seed("Existing work");
    h.renderApp();
    await screen.findByRole("article", { name: "Existing work" });
    const user = userEvent.setup();

    // c: create
    await user.keyboard("c");
    expect(screen.getByRole("textbox", { name: "Title" })).toHaveFocus();
    await user.keyboard("Keyboard task{Enter}");
    await screen.findByRole("article", { name: "Keyboard task" });

    // /: find
    await user.keyboard("/");
    expect(screen.getByRole("searchbox", { name: "Search tasks" })).toHaveFocus();
    await user.keyboard("keyboard");
    await waitFor(() => expect(screen.getAllByRole("article")).toHaveLength(1));
    await user.keyboard("{Escape}{Escape}");
    expect(screen.getAllByRole("article")).toHaveLength(2);
    expect(screen.getByRole("searchbox", { name: "Search tasks" })).not.toHaveFocus();

    // j/k: move focus down the column
    await user.keyboard("j");
    expect(focusedTitle()).toBe("Existing work");
    await user.keyboard("j");
    expect(focusedTitle()).toBe("Keyboard task");
    await user.keyboard("k");
    await user.keyboard("{ArrowDown}");
    expect(focusedTitle()).toBe("Keyboard task");

    // Enter: open; Esc: close
    await user.keyboard("{Enter}");
    await screen.findByRole("dialog", { name: "Keyboard task" });
    expect(new URLSearchParams(window.location.search).get("task")).toMatch(/^t_/);
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Keyboard task" })).toBeNull());
    expect(window.location.search).not.toContain("task=");

    // x: select
    await user.keyboard("j");
    await user.keyboard("x");
    expect(within(screen.getByRole("region", { name: "Bulk actions" })).getByText("1 selected")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("region", { name: "Bulk actions" })).toBeNull();

    // m: move to another column
    const focused = focusedTitle() ?? "";
    await user.keyboard("m");
    const menu = screen.getByRole("dialog", { name: /^Move t_.* to…$/ });
    expect(within(menu).getByRole("button", { name: "Triage" })).toHaveFocus();
    await user.keyboard("{Tab}{Enter}");
    await within(column("Todo")).findByRole("article", { name: focused });
    const id = within(column("Todo")).getByRole("article", { name: focused }).getAttribute("data-task-id") ?? "";
    await waitFor(async () => expect((await getTask(h.k, id))?.status).toBe("todo"));
  });

  it("moves focus across columns with the left and right arrows", async () => {
    const h = await boardHarness();
    await h.seed("Idea", { triage: true });
    await h.seed("Ready one");
    await h.seed("Ready two");
    h.renderApp();
    await screen.findByRole("article", { name: "Ready two" });
    const user = userEvent.setup();
    await user.keyboard("j");
    expect(focusedTitle()).toBe("Idea");
    await user.keyboard("{ArrowRight}");
    expect(focusedTitle()).toBe("Ready one");
    await user.keyboard("j{ArrowLeft}");
    expect(focusedTitle()).toBe("Idea");
    await user.keyboard("{ArrowLeft}");
    expect(focusedTitle()).toBe("Idea");
  });

  it("moves focus in the order lanes show the running column", async () => {
    const h = await boardHarness();
    const zed = await h.seed("Zed's urgent job", { assignee: "zed", priority: 5 });
    await claimTask(h.k, zed.id);
    const amy = await h.seed("Amy's job", { assignee: "amy" });
    await claimTask(h.k, amy.id);
    h.renderApp();
    await screen.findByRole("article", { name: "Amy's job" });
    const user = userEvent.setup();
    await user.keyboard("j");
    expect(focusedTitle()).toBe("Amy's job");
    await user.keyboard("j");
    expect(focusedTitle()).toBe("Zed's urgent job");
  });

  it("ignores single-key shortcuts while typing in a field", async () => {
    const h = await boardHarness();
    await h.seed("Quiet");
    h.renderApp();
    await screen.findByRole("article", { name: "Quiet" });
    const user = userEvent.setup();
    await user.keyboard("/");
    await user.keyboard("cjx?");
    expect(screen.getByRole("searchbox", { name: "Search tasks" })).toHaveValue("cjx?");
    expect(screen.queryByRole("form")).toBeNull();
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("shows the shortcut help on ?, and Esc closes it", async () => {
    const h = await boardHarness();
    h.renderApp();
    await screen.findByRole("region", { name: "Ready" });
    const user = userEvent.setup();
    await user.keyboard("?");
    const help = screen.getByRole("dialog", { name: "Keyboard shortcuts" });
    expect(within(help).getByText("Command palette: actions and tasks")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog", { name: "Keyboard shortcuts" })).toBeNull();
  });

  it("opens the command palette with Ctrl+K to open a task or run an action", async () => {
    const h = await boardHarness();
    const t = await h.seed("Find me in the palette");
    await h.seed("Something else");
    h.renderApp();
    await screen.findByRole("article", { name: "Find me in the palette" });
    const user = userEvent.setup();

    await user.keyboard("{Control>}k{/Control}");
    const palette = screen.getByRole("dialog", { name: "Command palette" });
    expect(within(palette).getByRole("combobox", { name: "Search actions and tasks" })).toHaveFocus();
    await user.keyboard("palette");
    expect(
      within(palette)
        .getAllByRole("option")
        .map((o) => o.textContent),
    ).toEqual([`Find me in the palette${t.id} · ready`]);
    await user.keyboard("{Enter}");
    await screen.findByRole("dialog", { name: "Find me in the palette" });
    expect(new URLSearchParams(window.location.search).get("task")).toBe(t.id);
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());

    await user.keyboard("{Meta>}k{/Meta}");
    await user.keyboard("archived");
    const option = within(screen.getByRole("dialog", { name: "Command palette" })).getByRole("option", {
      name: "Show archived tasks",
    });
    expect(option).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{Enter}");
    await screen.findByRole("region", { name: "Archived" });
    expect(screen.getByRole("checkbox", { name: "Show archived" })).toBeChecked();
  });
});
