import { claimTask, completeTask, isCoreError, listEvents } from "@switchyard/core";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { type BoardHarness, boardHarness, card } from "./board-harness.tsx";

/** The drawer, the board's badge and the attention strip together, against the whole app and its live stream. */

const PROFILES = `
profiles:
  alice:
    command: ["true"]
`;

async function runningTask(h: BoardHarness, title: string) {
  const task = await h.seed(title, { assignee: "alice" });
  await claimTask(h.k, task.id);
  return task;
}

/** What a worker that lies about its cards gets: the gate refuses, recording the phantom ids. */
async function lieAboutCards(h: BoardHarness, taskId: string, cards: string[]) {
  try {
    await completeTask(h.k, taskId, { summary: `created ${cards.join(", ")}`, created_cards: cards });
  } catch (err) {
    if (!isCoreError(err, "hallucinated_cards")) throw err;
    return;
  }
  throw new Error("the gate let phantom cards through");
}

function badge(title: string) {
  return within(card(title)).queryByRole("img", { name: /hallucination event/ });
}

function recoveryToggle(dialog: HTMLElement) {
  return within(within(dialog).getByRole("region", { name: "Recovery" })).getByRole("button", { name: /Recovery/ });
}

function openTaskParam() {
  return new URLSearchParams(window.location.search).get("task");
}

describe("the drawer in the dashboard", () => {
  it("shows a gate-blocked task's badge and strip row, and opens its drawer from the strip with Recovery expanded and the phantom ids as chips", async () => {
    const h = await boardHarness({ config: PROFILES });
    const user = userEvent.setup();
    const task = await runningTask(h, "Split the importer");
    await lieAboutCards(h, task.id, ["t_deadbeef", "t_0badf00d"]);
    h.renderApp();

    await screen.findByRole("article", { name: "Split the importer" });
    expect(badge("Split the importer")).toHaveAttribute(
      "aria-label",
      "1 hallucination event(s) since last clean completion",
    );
    const strip = screen.getByRole("region", { name: "Hallucination warnings" });
    expect(strip).toHaveTextContent("⚠ 1 task(s) with hallucination warnings");
    await user.click(within(strip).getByRole("button", { name: "Show" }));
    await user.click(within(strip).getByRole("button", { name: `Open ${task.id}` }));

    const dialog = await screen.findByRole("dialog", { name: "Split the importer" });
    expect(openTaskParam()).toBe(task.id);
    expect(recoveryToggle(dialog)).toHaveAccessibleName("⚠ Recovery");
    expect(recoveryToggle(dialog)).toHaveAttribute("aria-expanded", "true");
    const chips = within(within(dialog).getByRole("region", { name: "Events" })).getByRole("list", {
      name: "Phantom ids",
    });
    expect(
      within(chips)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["t_deadbeef", "t_0badf00d"]);
  });

  it("drops the badge, the strip row and the amber header when the worker's clean retry arrives, and keeps the audit events", async () => {
    const h = await boardHarness({ config: PROFILES });
    const task = await runningTask(h, "Split the importer");
    await lieAboutCards(h, task.id, ["t_deadbeef"]);
    window.history.replaceState(null, "", `/?task=${task.id}`);
    h.renderApp();
    const dialog = await screen.findByRole("dialog", { name: "Split the importer" });
    await waitFor(() => expect(badge("Split the importer")).not.toBeNull());
    expect(recoveryToggle(dialog)).toHaveAccessibleName("⚠ Recovery");
    await waitFor(() => expect(h.sockets.length).toBeGreaterThan(0));

    // The worker retries without the phantom card; the live stream brings its `completed` event.
    await completeTask(h.k, task.id, { summary: "split into two modules" });

    await waitFor(() => expect(recoveryToggle(dialog)).toHaveAccessibleName("Recovery"), { timeout: 10_000 });
    await waitFor(() => expect(badge("Split the importer")).toBeNull());
    expect(screen.queryByRole("region", { name: "Hallucination warnings" })).toBeNull();
    expect(within(dialog).getByText("Completion blocked — phantom card ids")).toBeInTheDocument();
    expect(within(dialog).getByText("t_deadbeef")).toBeInTheDocument();
    expect((await listEvents(h.k, task.id)).map((e) => e.kind)).toContain("completion_blocked_hallucination");
  });

  it("refreshes an open drawer live, opening Recovery when a warning appears while it is open", async () => {
    const h = await boardHarness({ config: PROFILES });
    const task = await runningTask(h, "Quiet worker");
    window.history.replaceState(null, "", `/?task=${task.id}`);
    h.renderApp();
    const dialog = await screen.findByRole("dialog", { name: "Quiet worker" });
    expect(recoveryToggle(dialog)).toHaveAttribute("aria-expanded", "false");
    await waitFor(() => expect(h.sockets.length).toBeGreaterThan(0));

    await lieAboutCards(h, task.id, ["t_feedface"]);

    await waitFor(() => expect(recoveryToggle(dialog)).toHaveAttribute("aria-expanded", "true"), { timeout: 10_000 });
    expect(recoveryToggle(dialog)).toHaveAccessibleName("⚠ Recovery");
    expect(within(dialog).getByText("t_feedface")).toBeInTheDocument();
    await waitFor(() => expect(badge("Quiet worker")).not.toBeNull());
  });

  it("keeps the open drawer in the URL: a card click opens it, Esc closes it", async () => {
    const h = await boardHarness({ config: PROFILES });
    const user = userEvent.setup();
    const task = await h.seed("Write the parser", { assignee: "alice" });
    h.renderApp();

    await user.click(await screen.findByRole("article", { name: "Write the parser" }));
    expect(await screen.findByRole("dialog", { name: "Write the parser" })).toBeInTheDocument();
    expect(openTaskParam()).toBe(task.id);

    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Write the parser" })).toBeNull());
    expect(openTaskParam()).toBeNull();
  });
});
