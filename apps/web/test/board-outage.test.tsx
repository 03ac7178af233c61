import { addComment, assignTask, createTask } from "@switchyard/core";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { boardKeys } from "../src/api/keys.ts";
import { MAX_CATCH_UP_EVENTS } from "../src/api/live.ts";
import { boardFetches, boardHarness, card } from "./board-harness.tsx";

function banner(): HTMLElement | null {
  return screen.queryByRole("status", { name: /^Connection lost — reconnecting… \(attempt \d+\)$/ });
}

async function live() {
  await waitFor(() => expect(screen.getByRole("status", { name: "Live updates: Live" })).toBeInTheDocument());
}

describe("a server outage", () => {
  it("keeps reconnecting after an action failed during the outage, then catches up from its cursor and says so", async () => {
    const h = await boardHarness();
    const t = await h.seed("Written before");
    h.renderApp();
    await screen.findByRole("article", { name: "Written before" });
    await live();

    const cursor = Number((await h.k.db.get<{ id: number }>("SELECT MAX(id) AS id FROM task_events", []))?.id);
    const restore = h.outage();
    await waitFor(() => expect(banner()).toBeInTheDocument());
    expect(screen.getByRole("status", { name: "Live updates: Reconnecting…" })).toBeInTheDocument();

    // An action during the outage fails (and the board's refetch after it fails too).
    await userEvent.click(screen.getByRole("button", { name: "Create a task in Ready" }));
    const form = within(screen.getByRole("form", { name: "New task in Ready" }));
    await userEvent.type(form.getByRole("textbox", { name: "Title" }), "Lost in the outage{Enter}");
    expect(await form.findByRole("alert")).toHaveTextContent("Cannot reach the Switchyard server");
    const board = () =>
      h.queryClient.getQueryCache().find({ queryKey: boardKeys.view("default", { includeArchived: false }) });
    await waitFor(() => expect(board()?.state.status).toBe("error"));
    const attemptsSoFar = h.sockets.length;
    // Still trying: more attempts come after the failed action.
    await waitFor(() => expect(h.sockets.length).toBeGreaterThan(attemptsSoFar + 2));

    // Meanwhile the CLI (another process) changes the board.
    await assignTask(h.k, t.id, "dave");
    await createTask(h.k, { title: "Made while away" });

    restore();
    await live();
    expect(banner()).toBeNull();
    await screen.findByRole("article", { name: "Made while away" });
    await waitFor(() => expect(within(card("Written before")).getByText("@dave")).toBeInTheDocument());
    expect(await screen.findByText("Reconnected — caught up")).toBeInTheDocument();
    // Every reconnect asked for what came after the cursor, not for the whole board again.
    expect(new Set(h.sockets.slice(1).map((s) => s.url.searchParams.get("since")))).toEqual(new Set([String(cursor)]));
    // The board that failed to load during the outage was loaded again, once.
    await waitFor(() => expect(board()?.state.status).toBe("success"));
  });

  it("refetches the board once instead of patching in a catch-up too long to replay card by card", async () => {
    const h = await boardHarness();
    const t = await h.seed("Chatty");
    h.renderApp();
    await screen.findByRole("article", { name: "Chatty" });
    await live();

    const restore = h.outage();
    await waitFor(() => expect(banner()).toBeInTheDocument());
    for (let i = 0; i <= MAX_CATCH_UP_EVENTS; i++) await addComment(h.k, t.id, "worker", `note ${i}`);
    await createTask(h.k, { title: "Among the noise" });
    const fetches = boardFetches(h.requests);
    const tasks = h.requests.filter((r) => r.path.startsWith("/tasks/")).length;
    restore();
    expect(await screen.findByText("Reconnected — caught up")).toBeInTheDocument();
    expect(screen.getByRole("article", { name: "Among the noise" })).toBeInTheDocument();
    expect(within(card("Chatty")).getByTitle(`${MAX_CATCH_UP_EVENTS + 1} comment(s)`)).toBeInTheDocument();
    expect(boardFetches(h.requests)).toBe(fetches + 1);
    expect(h.requests.filter((r) => r.path.startsWith("/tasks/"))).toHaveLength(tasks);
  });

  it("keeps trying a first load of the board the server did not answer, and shows it when it is back", async () => {
    const h = await boardHarness();
    await h.seed("Waiting for the server");
    // The page loaded, then the server went away before it answered `/board`.
    const restore = h.cutOff((r) => r.path === "/board");
    h.renderApp();
    // `/board` is retried once by the query client (1 s later) before it counts as failed.
    await waitFor(() => expect(banner()).toBeInTheDocument(), { timeout: 10_000 });
    expect(screen.getByRole("alert")).toHaveTextContent("Cannot reach the Switchyard server");
    const tries = boardFetches(h.requests);
    await waitFor(() => expect(boardFetches(h.requests)).toBeGreaterThan(tries));
    restore();
    await screen.findByRole("article", { name: "Waiting for the server" });
    await live();
    expect(banner()).toBeNull();
  });

  it("gets past loading when /config is not answered either, and shows the board once the server is back", async () => {
    const h = await boardHarness();
    await h.seed("Waiting for the whole server");
    const restore = h.cutOff((r) => r.path === "/board" || r.path === "/config");
    h.renderApp();
    await waitFor(() => expect(banner()).toBeInTheDocument(), { timeout: 10_000 });
    expect(screen.queryByText("Loading board…")).toBeNull();
    restore();
    await screen.findByRole("article", { name: "Waiting for the whole server" });
  });

  it("reconnects at once when asked, without waiting out the backoff", async () => {
    const h = await boardHarness({ reconnectDelay: () => 60_000 });
    await h.seed("Patient");
    h.renderApp();
    await screen.findByRole("article", { name: "Patient" });
    await live();
    const restore = h.outage();
    await waitFor(() =>
      expect(screen.getByRole("status", { name: "Connection lost — reconnecting… (attempt 1)" })).toBeInTheDocument(),
    );
    restore();
    const before = h.sockets.length;
    await userEvent.click(screen.getByRole("button", { name: "Reconnect now" }));
    await live();
    expect(h.sockets).toHaveLength(before + 1);
  });
});
