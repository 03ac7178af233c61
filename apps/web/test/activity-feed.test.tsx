import { addComment, assignTask, claimTask, createTask, heartbeatWorker } from "@switchyard/core";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { ACTIVITY_BACKLOG } from "../src/api/activity.ts";
import { boardHarness } from "./board-harness.tsx";

function feed(): HTMLElement {
  return screen.getByRole("complementary", { name: "Activity" });
}

function rows(): string[] {
  return within(feed())
    .getAllByRole("button")
    .filter((b) => b.getAttribute("aria-label") !== "Close activity")
    .map((b) => b.textContent ?? "");
}

async function live() {
  await waitFor(() => expect(screen.getByRole("status", { name: "Live updates: Live" })).toBeInTheDocument());
}

describe("the activity feed", () => {
  it("opens from the toolbar with the board's recent events, newest first, as who-did-what sentences", async () => {
    const h = await boardHarness();
    const parser = await h.seed("Write the parser");
    h.clock.advance(60);
    await assignTask(h.k, parser.id, "alice");
    h.clock.advance(60);
    await addComment(h.k, parser.id, "bob", "Use a Pratt parser.");
    h.renderApp();
    await screen.findByRole("article", { name: "Write the parser" });
    await live();

    await userEvent.click(screen.getByRole("button", { name: "Activity" }));
    expect(screen.getByRole("button", { name: "Activity" })).toHaveAttribute("aria-pressed", "true");
    await waitFor(() =>
      expect(rows()).toEqual([
        "“Write the parser”: bob commented (19 characters) 0s ago",
        "“Write the parser”: Assigned to alice 1m ago",
        "“Write the parser”: Created in Ready 2m ago",
      ]),
    );
  });

  it("adds what happens from the live stream at the top, without asking the server", async () => {
    const h = await boardHarness();
    const t = await h.seed("Crawl the docs", { assignee: "crawler" });
    h.renderApp();
    await screen.findByRole("article", { name: "Crawl the docs" });
    await live();
    await userEvent.click(screen.getByRole("button", { name: "Activity" }));
    await waitFor(() => expect(rows()).toHaveLength(1));
    const requests = h.requests.length;

    await claimTask(h.k, t.id);
    await waitFor(() => expect(rows()[0]).toMatch(/^“Crawl the docs”: Claimed by testhost:4242 \(run #\d+\) 0s ago$/));
    await addComment(h.k, t.id, "carol", "Start with the API pages.");
    await waitFor(() => expect(rows()[0]).toBe("“Crawl the docs”: carol commented (25 characters) 0s ago"));
    // Nothing was polled: the stream brought both (a claim and a comment need no refetch).
    expect(h.requests.slice(requests)).toEqual([]);
  });

  it("opens a row's task in the drawer, and closes with Escape", async () => {
    const h = await boardHarness();
    await h.seed("Bystander");
    const t = await h.seed("Find me from the feed");
    h.renderApp();
    await screen.findByRole("article", { name: "Find me from the feed" });
    await live();
    await userEvent.click(screen.getByRole("button", { name: "Activity" }));
    await userEvent.click(
      await within(feed()).findByRole("button", { name: /^“Find me from the feed”: Created in Ready/ }),
    );
    expect(new URLSearchParams(window.location.search).get("task")).toBe(t.id);
    await screen.findByRole("dialog", { name: "Find me from the feed" });
    await userEvent.click(screen.getByRole("button", { name: "Close activity" }));
    expect(screen.queryByRole("complementary", { name: "Activity" })).toBeNull();

    await userEvent.click(screen.getByRole("button", { name: "Activity" }));
    expect(feed()).toContainElement(document.activeElement as HTMLElement);
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("complementary", { name: "Activity" })).toBeNull();
  });

  it("leaves heartbeats out: they say nobody did anything", async () => {
    const h = await boardHarness();
    const t = await h.seed("Long job", { assignee: "worker" });
    await claimTask(h.k, t.id);
    await heartbeatWorker(h.k, t.id, { note: "still going" });
    h.renderApp();
    await screen.findByRole("article", { name: "Long job" });
    await live();
    await userEvent.click(screen.getByRole("button", { name: "Activity" }));
    await waitFor(() =>
      expect(rows()).toEqual([
        expect.stringMatching(/^“Long job”: Claimed by testhost:4242/),
        "“Long job”: Created in Ready for worker 0s ago",
      ]),
    );
  });

  it("starts with at most the board's latest events", async () => {
    const h = await boardHarness();
    for (let i = 0; i < ACTIVITY_BACKLOG + 5; i++) await createTask(await h.kernel("default"), { title: `Task ${i}` });
    h.renderApp();
    await screen.findByRole("article", { name: "Task 0" });
    await live();
    await userEvent.click(screen.getByRole("button", { name: "Activity" }));
    await waitFor(() => expect(rows()).toHaveLength(ACTIVITY_BACKLOG));
    expect(rows()[0]).toBe(`“Task ${ACTIVITY_BACKLOG + 4}”: Created in Ready 0s ago`);
    expect(rows().at(-1)).toBe("“Task 5”: Created in Ready 0s ago");
  });
});
