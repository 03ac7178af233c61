import { completeTask, getTask } from "@switchyard/core";
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { boardHarness, card, column } from "./board-harness.tsx";

const PROFILES = 'profiles:\n  coder:\n    command: ["true"]\n  reviewer:\n    command: ["true"]\n';

function options(dialog: HTMLElement): string[] {
  return within(dialog)
    .getAllByRole("option")
    .map((o) => o.textContent ?? "");
}

/** A card, focused as `j`/`k` would leave it. */
async function focusOn(title: string) {
  const el = await screen.findByRole("article", { name: title });
  act(() => el.focus());
  return el;
}

describe("the single keys on a focused card", () => {
  it("a assigns from the known profiles and assignees, or any name typed", async () => {
    const h = await boardHarness({ config: PROFILES });
    const t = await h.seed("Needs an owner");
    await h.seed("Someone else's", { assignee: "alice" });
    h.renderApp();
    await focusOn("Needs an owner");
    const user = userEvent.setup();

    await user.keyboard("a");
    const picker = screen.getByRole("dialog", { name: `Assign ${t.id}` });
    expect(within(picker).getByRole("combobox", { name: "Assignee" })).toHaveFocus();
    expect(options(picker)).toEqual(["alice", "coder", "reviewer"]);
    await user.keyboard("rev{Enter}");
    expect(screen.queryByRole("dialog", { name: `Assign ${t.id}` })).toBeNull();
    await waitFor(() => expect(within(card("Needs an owner")).getByText("@reviewer")).toBeInTheDocument());
    expect((await getTask(h.k, t.id))?.assignee).toBe("reviewer");
    expect(await screen.findByText(`Assigned ${t.id} to reviewer.`)).toBeInTheDocument();

    await user.keyboard("a");
    const again = screen.getByRole("dialog", { name: `Assign ${t.id}` });
    expect(options(again)).toEqual(["alice", "coder", "reviewercurrent", "Unassign"]);
    await user.keyboard("Night Shift{Enter}");
    await waitFor(async () => expect((await getTask(h.k, t.id))?.assignee).toBe("night shift"));

    await user.keyboard("a");
    await user.keyboard("unass{Enter}");
    await waitFor(async () => expect((await getTask(h.k, t.id))?.assignee).toBeNull());
    expect(within(card("Needs an owner")).getByText("unassigned")).toBeInTheDocument();
  });

  it("p sets the priority from the list or any whole number typed, and the card takes its place", async () => {
    const h = await boardHarness();
    await h.seed("Already urgent", { priority: 3 });
    const t = await h.seed("Make me first");
    h.renderApp();
    await focusOn("Make me first");
    const user = userEvent.setup();

    await user.keyboard("p");
    const picker = screen.getByRole("dialog", { name: `Set priority of ${t.id}` });
    expect(options(picker)).toEqual([
      "Priority 5",
      "Priority 4",
      "Priority 3",
      "Priority 2",
      "Priority 1",
      "Priority 0 (none)current",
      "Priority -1",
    ]);
    await user.keyboard("4{Enter}");
    await waitFor(() =>
      expect(
        within(column("Ready"))
          .getAllByRole("article")
          .map((a) => a.getAttribute("aria-label")),
      ).toEqual(["Make me first", "Already urgent"]),
    );
    expect((await getTask(h.k, t.id))?.priority).toBe(4);
    expect(within(card("Make me first")).getByText("P4")).toBeInTheDocument();

    await focusOn("Make me first");
    await user.keyboard("p");
    await user.keyboard("12{Enter}");
    await waitFor(async () => expect((await getTask(h.k, t.id))?.priority).toBe(12));
  });

  it("s offers only the moves the contract's table allows, and moves the card", async () => {
    const h = await boardHarness();
    const parent = await h.seed("Parent");
    const child = await h.seed("Waiting child", { parents: [parent.id] });
    h.renderApp();
    await focusOn("Waiting child");
    const user = userEvent.setup();

    await user.keyboard("s");
    const menu = screen.getByRole("dialog", { name: `Move ${child.id} to…` });
    const targets = within(menu).getAllByRole("button");
    // From todo a person may go to triage, ready (not while a parent is unfinished) and archived.
    expect(targets.map((b) => [b.textContent?.trim(), (b as HTMLButtonElement).disabled])).toEqual([
      ["Triage", false],
      ["Ready", true],
      ["Archived", false],
    ]);
    expect(within(menu).getByText(`Cannot move ${child.id} to Ready: waiting on unfinished parent ${parent.id}.`));
    expect(within(menu).getByRole("button", { name: /Triage/ })).toHaveFocus();
    await user.keyboard("{ArrowDown}");
    // The arrows skip the disabled Ready.
    expect(within(menu).getByRole("button", { name: /Archived/ })).toHaveFocus();
    await user.keyboard("{ArrowDown}{Enter}");
    await within(column("Triage")).findByRole("article", { name: "Waiting child" });
    await waitFor(async () => expect((await getTask(h.k, child.id))?.status).toBe("triage"));
  });

  it("e edits the title; a refused title stays in the field with the server's reason", async () => {
    const h = await boardHarness();
    const t = await h.seed("Old name");
    h.renderApp();
    await focusOn("Old name");
    const user = userEvent.setup();

    await user.keyboard("e");
    const dialog = screen.getByRole("dialog", { name: `Edit title of ${t.id}` });
    const field = within(dialog).getByRole("textbox", { name: "Title" });
    expect(field).toHaveFocus();
    expect(field).toHaveValue("Old name");
    await user.clear(field);
    await user.type(field, "   {Enter}");
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(/^Invalid input: .*title/);
    expect(field).toHaveValue("   ");
    expect((await getTask(h.k, t.id))?.title).toBe("Old name");

    // A paste longer than a title may be is cut, and the dialog says so.
    await user.clear(field);
    await user.paste("x".repeat(1001));
    expect(field).toHaveValue("x".repeat(1000));
    expect(within(dialog).getByRole("status")).toHaveTextContent("only the first 1,000 were kept");

    await user.clear(field);
    await user.type(field, "New name{Enter}");
    await screen.findByRole("article", { name: "New name" });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect((await getTask(h.k, t.id))?.title).toBe("New name");
  });

  it(". and Ctrl+K on a focused card open that task's actions; Ctrl+K elsewhere opens the command palette", async () => {
    const h = await boardHarness();
    const t = await h.seed("Act on me");
    h.renderApp();
    await focusOn("Act on me");
    const user = userEvent.setup();

    await user.keyboard(".");
    const actions = screen.getByRole("dialog", { name: `Actions for ${t.id}` });
    expect(options(actions)).toEqual([
      "OpenEnter",
      "Assign…a",
      "Set priority…p",
      "Change status…s",
      "Edit title…e",
      "Selectx",
      "ArchiveDelete",
    ]);
    await user.keyboard("status{Enter}");
    expect(screen.getByRole("dialog", { name: `Move ${t.id} to…` })).toBeInTheDocument();
    await user.keyboard("{Escape}");
    await waitFor(() => expect(card("Act on me")).toHaveFocus());

    await user.keyboard("{Control>}k{/Control}");
    expect(screen.getByRole("dialog", { name: `Actions for ${t.id}` })).toBeInTheDocument();
    await user.keyboard("{Escape}");
    await waitFor(() => expect(card("Act on me")).toHaveFocus());

    act(() => (document.activeElement as HTMLElement).blur());
    await user.keyboard("{Control>}k{/Control}");
    expect(screen.getByRole("dialog", { name: "Command palette" })).toBeInTheDocument();
  });

  it("Delete and # archive at once with an Undo in the toast, and focus goes on to the next card", async () => {
    const h = await boardHarness();
    const a = await h.seed("Archive me");
    const b = await h.seed("Then me");
    await h.seed("Stay");
    h.renderApp();
    await focusOn("Archive me");
    const user = userEvent.setup();

    await user.keyboard("{Delete}");
    await waitFor(() => expect(screen.queryByRole("article", { name: "Archive me" })).toBeNull());
    await waitFor(async () => expect((await getTask(h.k, a.id))?.status).toBe("archived"));
    expect(card("Then me")).toHaveFocus();
    const toast = (await screen.findByText(`Archived ${a.id}.`)).closest('[role="status"]') as HTMLElement;

    await user.keyboard("#");
    await waitFor(async () => expect((await getTask(h.k, b.id))?.status).toBe("archived"));
    expect(card("Stay")).toHaveFocus();

    await user.click(within(toast).getByRole("button", { name: "Undo" }));
    await within(column("Ready")).findByRole("article", { name: "Archive me" });
    await waitFor(async () => expect((await getTask(h.k, a.id))?.status).toBe("ready"));
    expect((await getTask(h.k, b.id))?.status).toBe("archived");
  });

  it("Delete on a done card asks first, since nothing can bring it back to done", async () => {
    const h = await boardHarness();
    const t = await h.seed("Finished");
    await completeTask(h.k, t.id, { summary: "shipped" });
    h.renderApp();
    await focusOn("Finished");
    const user = userEvent.setup();
    await user.keyboard("{Delete}");
    const dialog = screen.getByRole("dialog", { name: "Archive this task?" });
    expect((await getTask(h.k, t.id))?.status).toBe("done");
    await user.click(within(dialog).getByRole("button", { name: "Archive" }));
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("archived"));
  });
});
