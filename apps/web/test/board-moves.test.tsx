import { getTask } from "@switchyard/core";
import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { boardHarness, card, column, layOutBoard } from "./board-harness.tsx";

let restore: () => void = () => {};
beforeEach(() => {
  restore = layOutBoard();
});
afterEach(() => restore());

/** Picks a card up with the keyboard, carries it `steps` columns right (or left), and drops it. */
async function carry(title: string, steps: number) {
  const user = userEvent.setup();
  act(() => card(title).focus());
  await user.keyboard(" ");
  const key = steps > 0 ? "{ArrowRight}" : "{ArrowLeft}";
  for (let i = 0; i < Math.abs(steps); i++) await user.keyboard(key);
  await user.keyboard(" ");
}

describe("drag and drop", () => {
  it("moves a card to another column by keyboard", async () => {
    const h = boardHarness();
    const t = h.seed("Park me", { triage: true });
    h.renderApp();
    await screen.findByRole("article", { name: "Park me" });
    await carry("Park me", 1);
    await within(column("Todo")).findByRole("article", { name: "Park me" });
    await waitFor(() => expect(getTask(h.k, t.id)?.status).toBe("todo"));
  });

  it("drops a card from low in a long column onto a short column beside it by keyboard", async () => {
    const h = boardHarness();
    h.seed("First idea", { triage: true });
    h.seed("Second idea", { triage: true });
    const low = h.seed("Low idea", { triage: true });
    h.renderApp();
    await screen.findByRole("article", { name: "Low idea" });
    // Triage holds three cards; Todo is empty, so its box ends above the third card.
    const lowTop = card("Low idea").getBoundingClientRect().top;
    expect(lowTop).toBeGreaterThanOrEqual(column("Todo").getBoundingClientRect().bottom);
    await carry("Low idea", 1);
    await within(column("Todo")).findByRole("article", { name: "Low idea" });
    await waitFor(() => expect(getTask(h.k, low.id)?.status).toBe("todo"));
    expect(within(column("Triage")).getAllByRole("article")).toHaveLength(2);
  });

  it("moves a card by mouse", async () => {
    const h = boardHarness();
    const t = h.seed("Drag me", { triage: true });
    h.renderApp();
    const el = await screen.findByRole("article", { name: "Drag me" });
    fireEvent.mouseDown(el, { button: 0, clientX: 100, clientY: 140 });
    fireEvent.mouseMove(document, { clientX: 110, clientY: 140 });
    fireEvent.mouseMove(document, { clientX: 400, clientY: 140 });
    fireEvent.mouseUp(document, { clientX: 400, clientY: 140 });
    await within(column("Todo")).findByRole("article", { name: "Drag me" });
    await waitFor(() => expect(getTask(h.k, t.id)?.status).toBe("todo"));
    // A drag is not a click: no drawer opened.
    expect(window.location.search).not.toContain("task=");
  });

  it("asks for a required summary when dropping on done, and sends it as result and summary", async () => {
    const h = boardHarness();
    const t = h.seed("Ship it");
    h.renderApp();
    await screen.findByRole("article", { name: "Ship it" });
    await carry("Ship it", 3);
    const dialog = await screen.findByRole("dialog", { name: "Mark this task as done?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Mark done" }));
    expect(within(dialog).getByRole("alert")).toHaveTextContent("A completion summary is required.");
    await userEvent.type(within(dialog).getByRole("textbox"), "Shipped to prod");
    await userEvent.click(within(dialog).getByRole("button", { name: "Mark done" }));
    await within(column("Done")).findByRole("article", { name: "Ship it" });
    await waitFor(() => expect(getTask(h.k, t.id)?.result).toBe("Shipped to prod"));
    const run = h.k.stmt("SELECT summary FROM task_runs WHERE task_id = ?").get(t.id) as { summary: string };
    expect(run.summary).toBe("Shipped to prod");
  });

  it("asks before blocking (with an optional reason) and before archiving; cancelling sends nothing", async () => {
    const h = boardHarness();
    const t = h.seed("Risky");
    h.renderApp();
    await screen.findByRole("article", { name: "Risky" });
    await carry("Risky", 2);
    await userEvent.click(
      within(await screen.findByRole("dialog", { name: "Block this task?" })).getByRole("button", { name: "Cancel" }),
    );
    expect(within(column("Ready")).getByRole("article", { name: "Risky" })).toBeInTheDocument();
    expect(h.requests.some((r) => r.method === "PATCH")).toBe(false);

    await carry("Risky", 2);
    const dialog = await screen.findByRole("dialog", { name: "Block this task?" });
    await userEvent.type(within(dialog).getByRole("textbox", { name: "Reason (optional)" }), "needs keys");
    await userEvent.click(within(dialog).getByRole("button", { name: "Block" }));
    await within(column("Blocked")).findByRole("article", { name: "Risky" });
    await waitFor(() => expect(getTask(h.k, t.id)?.status).toBe("blocked"));

    await userEvent.click(screen.getByRole("checkbox", { name: "Show archived" }));
    await screen.findByRole("region", { name: "Archived" });
    await carry("Risky", 2);
    const archive = await screen.findByRole("dialog", { name: "Archive this task?" });
    await userEvent.click(within(archive).getByRole("button", { name: "Archive" }));
    await within(column("Archived")).findByRole("article", { name: "Risky" });
    await waitFor(() => expect(getTask(h.k, t.id)?.status).toBe("archived"));
  });

  it("shows a refused move at once, then rolls it back with the server's reason (ready with unfinished parents)", async () => {
    const h = boardHarness();
    const parent = h.seed("Parent first");
    const child = h.seed("Child waits", { parents: [parent.id] });
    h.renderApp();
    await screen.findByRole("article", { name: "Child waits" });
    expect(card("Child waits").closest("section")).toHaveAttribute("aria-label", "Todo");
    const release = h.hold((r) => r.method === "PATCH");
    await carry("Child waits", 1);
    // Optimistic: in Ready, at the top, before the server has answered.
    await waitFor(() => expect(within(column("Ready")).getAllByRole("article")[0]).toHaveAccessibleName("Child waits"));
    release();
    await within(column("Todo")).findByRole("article", { name: "Child waits" });
    expect(screen.getByRole("alert")).toHaveTextContent(
      `Move failed: cannot move ${child.id} to ready: waiting on unfinished parent(s) ${parent.id}`,
    );
    expect(getTask(h.k, child.id)?.status).toBe("todo");
  });

  it("rolls back a drop on In Progress: only the dispatcher starts tasks", async () => {
    const h = boardHarness();
    const t = h.seed("Start me");
    h.renderApp();
    await screen.findByRole("article", { name: "Start me" });
    await carry("Start me", 1);
    await waitFor(() =>
      expect(screen.getByRole("alert")).toHaveTextContent(/^Move failed: Cannot set status to 'running'/),
    );
    expect(within(column("Ready")).getByRole("article", { name: "Start me" })).toBeInTheDocument();
    expect(within(column("In Progress")).queryByRole("article")).toBeNull();
    expect(getTask(h.k, t.id)?.status).toBe("ready");
  });

  it("cancels a keyboard drag with Escape", async () => {
    const h = boardHarness();
    h.seed("Stay put");
    h.renderApp();
    await screen.findByRole("article", { name: "Stay put" });
    const user = userEvent.setup();
    act(() => card("Stay put").focus());
    await user.keyboard(" {ArrowRight}{Escape}");
    expect(within(column("Ready")).getByRole("article", { name: "Stay put" })).toBeInTheDocument();
    expect(h.requests.some((r) => r.method === "PATCH")).toBe(false);
  });
});
