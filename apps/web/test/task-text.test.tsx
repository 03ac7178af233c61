import { LIMITS } from "@switchyard/contract";
import { addComment } from "@switchyard/core";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { boardHarness, card, column } from "./board-harness.tsx";
import { drawerHarness } from "./drawer-harness.tsx";

const LONG_TITLE = `Refactor ${"the importer and its tests ".repeat(40)}`.slice(0, LIMITS.title);
const HEBREW = "לתקן את הייבוא של קובצי CSV";

describe("titles on the board", () => {
  it("clamps a long title on its card and keeps the whole title as the card's name", async () => {
    const h = await boardHarness();
    await h.seed(LONG_TITLE);
    h.renderApp();
    const shown = await screen.findByRole("article", { name: LONG_TITLE.trim() });
    const title = shown.querySelector(".sy-card-title");
    // The clamp (three lines, one when compact) is CSS on this class; the text itself is whole.
    expect(title).toHaveClass("sy-clamp");
    expect(title?.textContent).toBe(LONG_TITLE.trim());
  });

  it("lets a right-to-left title run in its own direction on the card", async () => {
    const h = await boardHarness();
    await h.seed(HEBREW);
    h.renderApp();
    const shown = await screen.findByRole("article", { name: HEBREW });
    expect(shown.querySelector(".sy-card-title")).toHaveAttribute("dir", "auto");
  });

  it("says so when a pasted title is longer than the limit and was cut", async () => {
    const h = await boardHarness();
    const user = userEvent.setup();
    h.renderApp();
    await user.click(await screen.findByRole("button", { name: "Create a task in Ready" }));
    const form = screen.getByRole("form", { name: "New task in Ready" });
    const title = within(form).getByRole("textbox", { name: "Title" });
    expect(title).toHaveAttribute("dir", "auto");

    await user.click(title);
    await user.paste("a".repeat(5000));
    expect((title as HTMLInputElement).value).toHaveLength(LIMITS.title);
    expect(within(form).getByRole("status")).toHaveTextContent(
      "The pasted title had 5,000 characters; only the first 1,000 were kept (the limit).",
    );

    // A paste that fits says nothing.
    await user.clear(title);
    await user.paste("Import the CSV files");
    expect(within(form).queryByRole("status")).toBeNull();
    await user.keyboard("{Enter}");
    expect(await screen.findByRole("article", { name: "Import the CSV files" })).toBeInTheDocument();
    expect(card("Import the CSV files", column("Ready"))).toBeInTheDocument();
  });
});

describe("text in the drawer", () => {
  it("shows the whole title, unclamped, in its own direction", async () => {
    const h = await drawerHarness();
    const task = await h.seed(LONG_TITLE);
    h.renderDrawer(task.id);
    const dialog = await screen.findByRole("dialog", { name: LONG_TITLE.trim() });
    const title = within(dialog).getByRole("heading", { level: 2 });
    expect(title).toHaveTextContent(LONG_TITLE.trim());
    expect(title.querySelector(".sy-clamp")).toBeNull();
    expect(within(title).getByRole("button")).toHaveAttribute("dir", "auto");
  });

  it("says so when a title pasted into the editor is longer than the limit", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Short title");
    h.renderDrawer(task.id);
    const dialog = await screen.findByRole("dialog", { name: "Short title" });
    await user.click(within(dialog).getByRole("button", { name: "Short title" }));
    const input = within(dialog).getByRole("textbox", { name: "Title" });
    expect(input).toHaveAttribute("dir", "auto");
    await user.clear(input);
    await user.paste("b".repeat(1500));
    expect((input as HTMLInputElement).value).toHaveLength(LIMITS.title);
    expect(within(dialog).getByRole("status")).toHaveTextContent(
      "The pasted title had 1,500 characters; only the first 1,000 were kept (the limit).",
    );
  });

  it("lets descriptions and comments written right to left run in their own direction", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Import", { body: HEBREW });
    await addComment(h.k, task.id, "dana", "שלום, זה מוכן");
    h.renderDrawer(task.id);
    const dialog = await screen.findByRole("dialog", { name: "Import" });

    const description = within(within(dialog).getByRole("region", { name: "Description" }));
    expect(description.getByText(HEBREW).closest("[dir='auto']")).not.toBeNull();
    const comments = within(within(dialog).getByRole("region", { name: "Comments" }));
    expect((await comments.findByText("שלום, זה מוכן")).closest("[dir='auto']")).not.toBeNull();
    expect(within(dialog).getByRole("textbox", { name: "Add a comment" })).toHaveAttribute("dir", "auto");

    await user.click(description.getByRole("button", { name: "Edit description" }));
    expect(description.getByRole("textbox", { name: "Description" })).toHaveAttribute("dir", "auto");
  });
});
