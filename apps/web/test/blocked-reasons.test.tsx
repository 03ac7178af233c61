import { blockTask, claimTask, type Kernel, recordFailure } from "@switchyard/core";
import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { boardHarness, card } from "./board-harness.tsx";
import { drawerHarness } from "./drawer-harness.tsx";

/** Three failed spawns of a task's runs: the dispatcher gives up and blocks it (`gave_up`). */
async function giveUp(k: Kernel, id: string, error = "spawn claude ENOENT") {
  for (let i = 0; i < 3; i++) {
    const run = (await claimTask(k, id))?.current_run_id ?? null;
    await recordFailure(k, id, { kind: "spawn_failed", error, runId: run }, 3);
  }
}

/** Two crashes in a row, below the limit: the task is back in Ready. */
async function crashTwice(k: Kernel, id: string) {
  for (let i = 0; i < 2; i++) {
    const run = (await claimTask(k, id))?.current_run_id ?? null;
    await recordFailure(k, id, { kind: "crashed", error: "worker died", runId: run }, 3);
  }
}

describe("a blocked card says why", () => {
  it("names who blocked it and why, or that the worker gave up with the last error, on load and live", async () => {
    const h = await boardHarness();
    const asked = await h.seed("Needs a key", { assignee: "bot" });
    await blockTask(h.k, asked.id, { reason: "needs the API key", author: "alice" });
    const broken = await h.seed("Broken agent", { assignee: "bot" });
    await giveUp(h.k, broken.id);
    const later = await h.seed("Blocked while watching", { assignee: "bot" });
    h.renderApp();

    await screen.findByRole("article", { name: "Needs a key" });
    expect(within(card("Needs a key")).getByText("Blocked by alice: needs the API key")).toBeInTheDocument();
    expect(
      within(card("Broken agent")).getByText("Worker gave up after 3 failures: spawn claude ENOENT"),
    ).toBeInTheDocument();

    // Live: the event that blocks it carries the reason to the card.
    await blockTask(h.k, later.id, { reason: "which region?", author: "bot" });
    // The card moves to another column (a new element), so it is looked up again each time.
    await waitFor(() =>
      expect(within(card("Blocked while watching")).getByText("Blocked by bot: which region?")).toBeInTheDocument(),
    );
  });
});

describe("the drawer for a failing task", () => {
  it("opens Recovery by itself for a task the dispatcher gave up on, saying so", async () => {
    const h = await drawerHarness();
    const task = await h.seed("Broken agent", { assignee: "bot" });
    await giveUp(h.k, task.id);
    h.renderDrawer(task.id);
    const dialog = await screen.findByRole("dialog", { name: "Broken agent" });
    const recovery = within(dialog).getByRole("region", { name: "Recovery" });
    const toggle = within(recovery).getByRole("button", { name: /Recovery/ });
    await within(recovery).findByText("Worker gave up after 3 failures");
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    expect(toggle).toHaveAccessibleName("⚠ Recovery");
    expect(within(dialog).getByRole("button", { name: "Reassign" })).toBeInTheDocument();
  });

  it("opens Recovery by itself for a task whose worker crashed twice in a row", async () => {
    const h = await drawerHarness();
    const task = await h.seed("Crashy", { assignee: "bot" });
    await crashTwice(h.k, task.id);
    h.renderDrawer(task.id);
    const dialog = await screen.findByRole("dialog", { name: "Crashy" });
    const recovery = within(dialog).getByRole("region", { name: "Recovery" });
    await within(recovery).findByText("Its worker failed 2 times in a row");
    expect(within(recovery).getByRole("button", { name: /Recovery/ })).toHaveAttribute("aria-expanded", "true");
  });

  it("reads each event as a sentence, with its raw payload behind a disclosure", async () => {
    const h = await drawerHarness();
    const task = await h.seed("Broken agent", { assignee: "bot" });
    await giveUp(h.k, task.id);
    h.renderDrawer(task.id);
    const dialog = await screen.findByRole("dialog", { name: "Broken agent" });
    const events = within(dialog).getByRole("region", { name: "Events" });
    const rows = within(events).getAllByRole("listitem");
    const gaveUp = rows.find((r) => r.getAttribute("data-kind") === "gave_up") as HTMLElement;
    expect(within(gaveUp).getByText("Worker gave up after 3 failures: spawn claude ENOENT")).toBeInTheDocument();
    const raw = gaveUp.querySelector("details") as HTMLDetailsElement;
    expect(raw.open).toBe(false);
    expect(within(raw).getByText(/Raw/)).toHaveTextContent("Raw gave_up payload");
    expect(JSON.parse(raw.querySelector("pre")?.textContent ?? "")).toMatchObject({
      failures: 3,
      error: "spawn claude ENOENT",
      cause: "spawn_failed",
    });
    // No row shows a payload as its text: the sentences carry no JSON.
    for (const row of rows) expect(row.querySelector(".sy-event-head")?.textContent).not.toMatch(/[{}]/);
  });
});
