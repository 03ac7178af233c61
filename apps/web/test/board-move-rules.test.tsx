import { getTask, linkTasks } from "@switchyard/core";
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { boardHarness, card, carry, column, layOutBoard } from "./board-harness.tsx";

let restore: () => void = () => {};
beforeEach(() => {
  restore = layOutBoard();
});
afterEach(() => restore());

/*
 * Moves the contract's transition table (or a card's `waiting_on`) rules out are refused on the
 * board, before any dialog or request; the server's own refusals still roll back (board-moves).
 */
describe("moves the kernel would refuse", () => {
  it("refuses a drop on Done for a Triage card before any dialog opens, and sends nothing", async () => {
    const h = await boardHarness();
    const t = await h.seed("Rough idea", { triage: true });
    h.renderApp();
    await screen.findByRole("article", { name: "Rough idea" });
    await carry("Rough idea", 5);
    expect(await screen.findByRole("alert")).toHaveTextContent(
      `Cannot move ${t.id} to Done: Triage → Done is not an allowed move.`,
    );
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(within(column("Triage")).getByRole("article", { name: "Rough idea" })).toBeInTheDocument();
    expect(h.requests.some((r) => r.method === "PATCH")).toBe(false);
    expect((await getTask(h.k, t.id))?.status).toBe("triage");
  });

  it("refuses a drop on In Progress: only the dispatcher starts tasks", async () => {
    const h = await boardHarness();
    const t = await h.seed("Start me");
    h.renderApp();
    await screen.findByRole("article", { name: "Start me" });
    await carry("Start me", 1);
    expect(await screen.findByRole("alert")).toHaveTextContent(
      `Cannot move ${t.id} to In Progress: Ready → In Progress is not an allowed move.`,
    );
    expect(within(column("Ready")).getByRole("article", { name: "Start me" })).toBeInTheDocument();
    expect(h.requests.some((r) => r.method === "PATCH")).toBe(false);
  });

  it("refuses a drop on Ready for a card waiting on parents, naming them", async () => {
    const h = await boardHarness();
    const parent = await h.seed("Parent first");
    const child = await h.seed("Child waits", { parents: [parent.id] });
    h.renderApp();
    await screen.findByRole("article", { name: "Child waits" });
    await carry("Child waits", 1);
    expect(await screen.findByRole("alert")).toHaveTextContent(
      `Cannot move ${child.id} to Ready: waiting on unfinished parent ${parent.id}.`,
    );
    expect(within(column("Todo")).getByRole("article", { name: "Child waits" })).toBeInTheDocument();
    expect(h.requests.some((r) => r.method === "PATCH")).toBe(false);
  });

  it("still shows an allowed move at once, and rolls it back with the server's reason when the kernel refuses it", async () => {
    const h = await boardHarness();
    const parent = await h.seed("Parent first");
    const child = await h.seed("Late child", { triage: true });
    h.renderApp();
    await screen.findByRole("article", { name: "Late child" });
    const release = h.hold((r) => r.method === "PATCH");
    await carry("Late child", 2);
    // Optimistic: in Ready before the server answers; then the board learns of a parent it did not know.
    await waitFor(() => expect(within(column("Ready")).getAllByRole("article")[0]).toHaveAccessibleName("Late child"));
    await linkTasks(h.k, parent.id, child.id);
    release();
    expect(await screen.findByRole("alert")).toHaveTextContent(
      `Move failed: Waiting on parents: cannot move ${child.id} to ready: waiting on unfinished parent(s) ${parent.id}`,
    );
    await within(column("Triage")).findByRole("article", { name: "Late child" });
    expect((await getTask(h.k, child.id))?.status).toBe("triage");
  });

  it("lists in the move menu only the columns a person may move the card to", async () => {
    const h = await boardHarness();
    const parent = await h.seed("Parent first");
    const child = await h.seed("Child waits", { parents: [parent.id] });
    h.renderApp();
    await screen.findByRole("article", { name: "Child waits" });
    const user = userEvent.setup();
    act(() => card("Child waits").focus());
    await user.keyboard("m");
    const menu = screen.getByRole("dialog", { name: `Move ${child.id} to…` });
    const names = within(menu)
      .getAllByRole("button")
      .map((b) => b.textContent?.trim());
    expect(names).toContain("Triage");
    expect(names).not.toContain("Done");
    expect(names).not.toContain("In Progress");
    expect(within(menu).getByRole("button", { name: "Ready" })).toBeDisabled();
    expect(menu).toHaveTextContent(`waiting on unfinished parent ${parent.id}`);
  });

  it("completes in bulk only the cards that may be done, and reports the others", async () => {
    const h = await boardHarness();
    const idea = await h.seed("Idea", { triage: true });
    const work = await h.seed("Work");
    h.renderApp();
    await screen.findByRole("article", { name: "Work" });
    await userEvent.click(within(card("Idea")).getByRole("checkbox"));
    await userEvent.click(within(card("Work")).getByRole("checkbox"));
    await userEvent.click(
      within(screen.getByRole("region", { name: "Bulk actions" })).getByRole("button", { name: "Complete" }),
    );
    const dialog = await screen.findByRole("dialog", { name: "Mark 1 task(s) as done?" });
    await userEvent.type(within(dialog).getByRole("textbox"), "done");
    await userEvent.click(within(dialog).getByRole("button", { name: "Mark done" }));
    expect(await screen.findByText(/^Bulk: 1 of 2 failed: /)).toHaveTextContent(
      `${idea.id} (Triage → Done is not an allowed move)`,
    );
    await waitFor(async () => expect((await getTask(h.k, work.id))?.status).toBe("done"));
    expect((await getTask(h.k, idea.id))?.status).toBe("triage");
  });
});
