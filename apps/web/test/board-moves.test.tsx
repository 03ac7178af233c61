import { getTask } from "@switchyard/core";
import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { boardHarness, card, carry, column, layOutBoard } from "./board-harness.tsx";

let restore: () => void = () => {};
beforeEach(() => {
  restore = layOutBoard();
});
afterEach(() => restore());

describe("drag and drop", () => {
  it("moves a card to another column by keyboard", async () => {
    const h = await boardHarness();
    const t = await h.seed("Park me", { triage: true });
    h.renderApp();
    await screen.findByRole("article", { name: "Park me" });
    await carry("Park me", 1);
    await within(column("Todo")).findByRole("article", { name: "Park me" });
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("todo"));
  });

  it("drops a card from low in a long column onto a short column beside it by keyboard", async () => {
    const h = await boardHarness();
    await h.seed("First idea", { triage: true });
    await h.seed("Second idea", { triage: true });
    const low = await h.seed("Low idea", { triage: true });
    h.renderApp();
    await screen.findByRole("article", { name: "Low idea" });
    // Triage holds three cards; Todo is empty, so its box ends above the third card.
    const lowTop = card("Low idea").getBoundingClientRect().top;
    expect(lowTop).toBeGreaterThanOrEqual(column("Todo").getBoundingClientRect().bottom);
    await carry("Low idea", 1);
    await within(column("Todo")).findByRole("article", { name: "Low idea" });
    await waitFor(async () => expect((await getTask(h.k, low.id))?.status).toBe("todo"));
    expect(within(column("Triage")).getAllByRole("article")).toHaveLength(2);
  });

  it("moves a card by mouse", async () => {
    const h = await boardHarness();
    const t = await h.seed("Drag me", { triage: true });
    h.renderApp();
    const el = await screen.findByRole("article", { name: "Drag me" });
    fireEvent.mouseDown(el, { button: 0, clientX: 100, clientY: 140 });
    fireEvent.mouseMove(document, { clientX: 110, clientY: 140 });
    fireEvent.mouseMove(document, { clientX: 400, clientY: 140 });
    fireEvent.mouseUp(document, { clientX: 400, clientY: 140 });
    await within(column("Todo")).findByRole("article", { name: "Drag me" });
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("todo"));
    // A drag is not a click: no drawer opened.
    expect(window.location.search).not.toContain("task=");
  });

  it("asks for a required summary when dropping on done, and sends it as result and summary", async () => {
    const h = await boardHarness();
    const t = await h.seed("Ship it");
    h.renderApp();
    await screen.findByRole("article", { name: "Ship it" });
    await carry("Ship it", 3);
    const dialog = await screen.findByRole("dialog", { name: "Mark this task as done?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Mark done" }));
    expect(within(dialog).getByRole("alert")).toHaveTextContent("A completion summary is required.");
    await userEvent.type(within(dialog).getByRole("textbox"), "Shipped to prod");
    await userEvent.click(within(dialog).getByRole("button", { name: "Mark done" }));
    await within(column("Done")).findByRole("article", { name: "Ship it" });
    await waitFor(async () => expect((await getTask(h.k, t.id))?.result).toBe("Shipped to prod"));
    const run = await h.k.db.get<{ summary: string }>("SELECT summary FROM task_runs WHERE task_id = ?", [t.id]);
    expect(run?.summary).toBe("Shipped to prod");
  });

  it("asks before blocking (with an optional reason) and before archiving; cancelling sends nothing", async () => {
    const h = await boardHarness();
    const t = await h.seed("Risky");
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
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("blocked"));

    await userEvent.click(screen.getByRole("checkbox", { name: "Show archived" }));
    await screen.findByRole("region", { name: "Archived" });
    await carry("Risky", 2);
    const archive = await screen.findByRole("dialog", { name: "Archive this task?" });
    await userEvent.click(within(archive).getByRole("button", { name: "Archive" }));
    await within(column("Archived")).findByRole("article", { name: "Risky" });
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("archived"));
  });

  it("cancels a keyboard drag with Escape", async () => {
    const h = await boardHarness();
    await h.seed("Stay put");
    h.renderApp();
    await screen.findByRole("article", { name: "Stay put" });
    const user = userEvent.setup();
    act(() => card("Stay put").focus());
    await user.keyboard(" {ArrowRight}{Escape}");
    expect(within(column("Ready")).getByRole("article", { name: "Stay put" })).toBeInTheDocument();
    expect(h.requests.some((r) => r.method === "PATCH")).toBe(false);
  });
});
