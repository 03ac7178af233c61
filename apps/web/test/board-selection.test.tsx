import { getTask } from "@switchyard/core";
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { boardHarness, card, column } from "./board-harness.tsx";

function bulkBar() {
  return screen.getByRole("region", { name: "Bulk actions" });
}

function checked(title: string): boolean {
  return (within(card(title)).getByRole("checkbox") as HTMLInputElement).checked;
}

describe("selection", () => {
  it("opens the drawer on a plain click and puts the task in the URL", async () => {
    const h = await boardHarness();
    const t = await h.seed("Open me");
    h.renderApp();
    await userEvent.click(await screen.findByRole("article", { name: "Open me" }));
    expect(new URLSearchParams(window.location.search).get("task")).toBe(t.id);
    expect(await screen.findByRole("dialog", { name: "Open me" })).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Bulk actions" })).toBeNull();
  });

  it("closes the drawer with Back, and opens it from a link that names the task", async () => {
    const h = await boardHarness();
    const t = await h.seed("Linked task");
    window.history.replaceState(null, "", `/?task=${t.id}`);
    h.renderApp();
    expect(await screen.findByRole("dialog", { name: "Linked task" })).toBeInTheDocument();
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Close drawer" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    act(() => window.history.back());
    expect(await screen.findByRole("dialog", { name: "Linked task" })).toBeInTheDocument();
    act(() => window.history.forward());
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  it("toggles with Ctrl/Cmd-click keeping the rest, selects a range with Shift-click, and adds with the checkbox", async () => {
    const h = await boardHarness();
    for (const title of ["One", "Two", "Three", "Four"]) await h.seed(title);
    h.renderApp();
    await screen.findByRole("article", { name: "Four" });
    const user = userEvent.setup();
    const all = () => ["One", "Two", "Three", "Four"].map(checked);

    await user.keyboard("{Control>}");
    await user.click(card("One"));
    await user.click(card("Two"));
    await user.keyboard("{/Control}");
    expect(all()).toEqual([true, true, false, false]);
    expect(within(bulkBar()).getByText("2 selected")).toBeInTheDocument();
    expect(window.location.search).not.toContain("task=");

    await user.keyboard("{Meta>}");
    await user.click(card("One"));
    await user.keyboard("{/Meta}");
    expect(all()).toEqual([false, true, false, false]);

    // From the card toggled last (One) down to Four, on top of what was selected before (Two).
    await user.keyboard("{Shift>}");
    await user.click(card("Four"));
    expect(all()).toEqual([true, true, true, true]);
    // A second Shift-click moves the end of the same range: it shrinks back to One–Two.
    await user.click(card("Two"));
    await user.keyboard("{/Shift}");
    expect(all()).toEqual([true, true, false, false]);
    expect(window.location.search).not.toContain("task=");

    await user.click(within(card("Three")).getByRole("checkbox", { name: /^Select / }));
    expect(all()).toEqual([true, true, true, false]);
    expect(window.location.search).not.toContain("task=");

    await user.click(within(bulkBar()).getByRole("button", { name: "Clear" }));
    expect(screen.queryByRole("region", { name: "Bulk actions" })).toBeNull();
  });
});

describe("selection by keyboard", () => {
  it("Shift+j/k extend a range from the focused card and shrink it back; Ctrl/Cmd+A selects the focused column", async () => {
    const h = await boardHarness();
    await h.seed("Idea", { triage: true });
    for (const title of ["R1", "R2", "R3", "R4"]) await h.seed(title);
    h.renderApp();
    const r2 = await screen.findByRole("article", { name: "R2" });
    act(() => r2.focus());
    const user = userEvent.setup();
    const ready = () => ["R1", "R2", "R3", "R4"].map(checked);

    await user.keyboard("{Shift>}jj{/Shift}");
    expect(ready()).toEqual([false, true, true, true]);
    expect(card("R4")).toHaveFocus();
    await user.keyboard("{Shift>}{ArrowUp}{/Shift}");
    expect(ready()).toEqual([false, true, true, false]);
    await user.keyboard("{Shift>}kk{/Shift}");
    expect(ready()).toEqual([true, true, false, false]);
    expect(within(bulkBar()).getByText("2 selected")).toBeInTheDocument();

    await user.keyboard("{Escape}");
    expect(ready()).toEqual([false, false, false, false]);
    await user.keyboard("{Control>}a{/Control}");
    expect(ready()).toEqual([true, true, true, true]);
    expect(checked("Idea")).toBe(false);
    await user.keyboard("{ArrowLeft}{Meta>}a{/Meta}");
    expect(checked("Idea")).toBe(true);
    expect(within(bulkBar()).getByText("1 selected")).toBeInTheDocument();
  });
});

describe("the bulk action bar", () => {
  async function select(titles: string[]) {
    for (const title of titles) {
      await userEvent.click(within(card(title)).getByRole("checkbox"));
    }
  }

  it("moves the selection to ready", async () => {
    const h = await boardHarness();
    await h.seed("Idea one", { triage: true });
    await h.seed("Idea two", { triage: true });
    h.renderApp();
    await screen.findByRole("article", { name: "Idea two" });
    await select(["Idea one", "Idea two"]);
    await userEvent.click(within(bulkBar()).getByRole("button", { name: "→ ready" }));
    await waitFor(() => expect(within(column("Ready")).getAllByRole("article")).toHaveLength(2));
    expect(screen.queryByRole("region", { name: "Bulk actions" })).toBeNull();
  });

  it("completes the selection with a required summary, after confirmation", async () => {
    const h = await boardHarness();
    const a = await h.seed("Task A");
    const b = await h.seed("Task B");
    h.renderApp();
    await screen.findByRole("article", { name: "Task B" });
    await select(["Task A", "Task B"]);
    await userEvent.click(within(bulkBar()).getByRole("button", { name: "Complete" }));
    const dialog = screen.getByRole("dialog", { name: "Mark 2 task(s) as done?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Mark done" }));
    expect(within(dialog).getByRole("alert")).toHaveTextContent("A completion summary is required.");
    expect(h.requests.some((r) => r.path === "/tasks/bulk")).toBe(false);

    await userEvent.type(within(dialog).getByRole("textbox"), "Both shipped");
    await userEvent.click(within(dialog).getByRole("button", { name: "Mark done" }));
    await waitFor(() => expect(within(column("Done")).getAllByRole("article")).toHaveLength(2));
    expect((await getTask(h.k, a.id))?.result).toBe("Both shipped");
    expect((await getTask(h.k, b.id))?.status).toBe("done");
  });

  it("archives the selection after confirmation, and cancelling changes nothing", async () => {
    const h = await boardHarness();
    const a = await h.seed("Old A");
    h.renderApp();
    await screen.findByRole("article", { name: "Old A" });
    await select(["Old A"]);
    await userEvent.click(within(bulkBar()).getByRole("button", { name: "Archive" }));
    await userEvent.click(
      within(screen.getByRole("dialog", { name: "Archive 1 task(s)?" })).getByRole("button", { name: "Cancel" }),
    );
    expect((await getTask(h.k, a.id))?.status).toBe("ready");

    await userEvent.click(within(bulkBar()).getByRole("button", { name: "Archive" }));
    await userEvent.click(
      within(screen.getByRole("dialog", { name: "Archive 1 task(s)?" })).getByRole("button", { name: "Archive" }),
    );
    await waitFor(() => expect(screen.queryByRole("article", { name: "Old A" })).toBeNull());
    expect((await getTask(h.k, a.id))?.status).toBe("archived");
  });

  it("reassigns the selection to a profile, and unassigns it", async () => {
    const h = await boardHarness({ config: 'profiles:\n  worker:\n    command: ["true"]\n' });
    const a = await h.seed("Task A", { assignee: "alice" });
    const b = await h.seed("Task B");
    h.renderApp();
    await screen.findByRole("article", { name: "Task B" });
    await select(["Task A", "Task B"]);
    const target = within(bulkBar()).getByRole("combobox", { name: "Reassign selected tasks to" });
    expect(
      within(target)
        .getAllByRole("option")
        .map((o) => o.textContent),
    ).toEqual(["— reassign —", "(unassign)", "alice", "worker"]);
    expect(within(bulkBar()).getByRole("button", { name: "Apply" })).toBeDisabled();
    await userEvent.selectOptions(target, "worker");
    await userEvent.click(within(bulkBar()).getByRole("button", { name: "Apply" }));
    await waitFor(() => expect(within(card("Task B")).getByText("@worker")).toBeInTheDocument());
    expect((await getTask(h.k, a.id))?.assignee).toBe("worker");

    await select(["Task A"]);
    await userEvent.selectOptions(within(bulkBar()).getByRole("combobox"), "(unassign)");
    await userEvent.click(within(bulkBar()).getByRole("button", { name: "Apply" }));
    await waitFor(() => expect(within(card("Task A")).getByText("unassigned")).toBeInTheDocument());
    expect((await getTask(h.k, b.id))?.assignee).toBe("worker");
  });

  it("reports partial failures with the ids and reasons, and keeps the failed tasks selected", async () => {
    const h = await boardHarness();
    const parent = await h.seed("Parent");
    const child = await h.seed("Waiting child", { parents: [parent.id] });
    await h.seed("Free idea", { triage: true });
    h.renderApp();
    await screen.findByRole("article", { name: "Free idea" });
    await select(["Waiting child", "Free idea"]);
    await userEvent.click(within(bulkBar()).getByRole("button", { name: "→ ready" }));
    const message = await screen.findByText(/^Bulk: 1 of 2 failed: /);
    expect(message).toHaveTextContent(`Bulk: 1 of 2 failed: ${child.id} (`);
    expect(message).toHaveTextContent(parent.id);
    await waitFor(() => expect(within(column("Ready")).getByRole("article", { name: "Free idea" })).toBeTruthy());
    expect(within(bulkBar()).getByText("1 selected")).toBeInTheDocument();
    expect(checked("Waiting child")).toBe(true);
  });
});
