import { getTask } from "@switchyard/core";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BoardHarness, boardFetches, boardHarness, card, carry, column, layOutBoard } from "./board-harness.tsx";

let restore: () => void = () => {};
beforeEach(() => {
  restore = layOutBoard();
});
afterEach(() => restore());

async function live() {
  await waitFor(() => expect(screen.getByRole("status", { name: "Live updates: Live" })).toBeInTheDocument());
}

/** Every write of the page has finished (its answer folded in, its refetches done). */
async function settled(h: BoardHarness) {
  await waitFor(() => expect(h.queryClient.isMutating() + h.queryClient.isFetching()).toBe(0));
}

describe("the dashboard's own writes", () => {
  it("moves a card with its answer and its event, and fetches the board 0 times", async () => {
    const h = await boardHarness();
    const t = await h.seed("Park me", { triage: true });
    h.renderApp();
    await screen.findByRole("article", { name: "Park me" });
    await live();
    const fetches = boardFetches(h.requests);
    await carry("Park me", 1);
    await within(column("Todo")).findByRole("article", { name: "Park me" });
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("todo"));
    await settled(h);
    expect(within(column("Todo")).getByRole("article", { name: "Park me" })).toBeInTheDocument();
    expect(boardFetches(h.requests) - fetches).toBe(0);
  });

  it("frees the cards that waited on a card moved to done, with no board fetch", async () => {
    const h = await boardHarness();
    const parent = await h.seed("Parent", { assignee: "alice" });
    await h.seed("Child", { parents: [parent.id] });
    h.renderApp();
    await screen.findByRole("article", { name: "Child" });
    await live();
    expect(within(card("Child")).getByText(/waiting on/i)).toBeInTheDocument();
    const fetches = boardFetches(h.requests);
    await carry("Parent", 3);
    const dialog = await screen.findByRole("dialog");
    await userEvent.type(within(dialog).getByRole("textbox"), "shipped");
    await userEvent.click(within(dialog).getByRole("button", { name: /done|move|confirm/i }));
    await within(column("Done")).findByRole("article", { name: "Parent" });
    await waitFor(() => expect(within(card("Child")).queryByText(/waiting on/i)).toBeNull());
    await settled(h);
    expect(boardFetches(h.requests) - fetches).toBe(0);
  });

  it("creates a task from the form and shows it from the answer, with no board fetch", async () => {
    const h = await boardHarness();
    await h.seed("Existing");
    h.renderApp();
    await screen.findByRole("article", { name: "Existing" });
    await live();
    const fetches = boardFetches(h.requests);
    await userEvent.click(within(column("Ready")).getByRole("button", { name: "Create a task in Ready" }));
    const form = screen.getByRole("form", { name: "New task in Ready" });
    await userEvent.type(within(form).getByRole("textbox", { name: "Title" }), "Made here{Enter}");
    await within(column("Ready")).findByRole("article", { name: "Made here" });
    await settled(h);
    expect(within(column("Ready")).getAllByRole("article", { name: "Made here" })).toHaveLength(1);
    expect(boardFetches(h.requests) - fetches).toBe(0);
  });

  it("keeps a move shown while its request waits, and settles it with no board fetch", async () => {
    const h = await boardHarness();
    const t = await h.seed("Slow answer", { triage: true });
    h.renderApp();
    await screen.findByRole("article", { name: "Slow answer" });
    await live();
    const fetches = boardFetches(h.requests);
    const release = h.hold((r) => r.method === "PATCH");
    await carry("Slow answer", 1);
    await waitFor(() => expect(h.requests.some((r) => r.method === "PATCH")).toBe(true));
    release();
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("todo"));
    await settled(h);
    expect(within(column("Todo")).getByRole("article", { name: "Slow answer" })).toBeInTheDocument();
    expect(boardFetches(h.requests) - fetches).toBe(0);
  });

  it("refetches the board after a write while the live stream is down", async () => {
    const h = await boardHarness({ reconnectDelay: () => 60_000 });
    const t = await h.seed("Offline move", { triage: true });
    h.renderApp();
    await screen.findByRole("article", { name: "Offline move" });
    await live();
    h.sockets.at(-1)?.drop();
    await waitFor(() => expect(screen.queryByRole("status", { name: "Live updates: Live" })).toBeNull());
    const fetches = boardFetches(h.requests);
    await carry("Offline move", 1);
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("todo"));
    await settled(h);
    expect(within(column("Todo")).getByRole("article", { name: "Offline move" })).toBeInTheDocument();
    expect(boardFetches(h.requests) - fetches).toBe(1);
  });
});
