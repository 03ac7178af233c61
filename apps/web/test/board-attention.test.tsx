import { claimTask, completeTask, editTask } from "@switchyard/core";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { type BoardHarness, boardHarness } from "./board-harness.tsx";

/** A worker claims `title` and tries to complete it naming cards that do not exist. */
async function hallucinate(h: BoardHarness, title: string, phantoms: string[][]) {
  const t = await h.seed(title, { assignee: "alice" });
  await claimTask(h.k, t.id);
  for (const cards of phantoms) {
    await expect(completeTask(h.k, t.id, { result: "done", created_cards: cards })).rejects.toThrow(
      /completion blocked/,
    );
    h.clock.advance(60);
  }
  return t;
}

describe("the attention strip", () => {
  it("counts the tasks with active warnings and lists them newest first, each with an Open action", async () => {
    const h = await boardHarness();
    await h.seed("Innocent");
    const older = await hallucinate(h, "Older liar", [["t_aaaaaaaa"], ["t_bbbbbbbb"]]);
    const newer = await hallucinate(h, "Newer liar", [["t_cccccccc"]]);
    h.renderApp();
    const strip = await screen.findByRole("region", { name: "Hallucination warnings" });
    expect(within(strip).getByText("⚠ 2 task(s) with hallucination warnings")).toBeInTheDocument();
    expect(within(strip).queryByRole("listitem")).toBeNull();

    await userEvent.click(within(strip).getByRole("button", { name: "Show" }));
    const rows = within(strip).getAllByRole("listitem");
    expect(rows.map((r) => within(r).getByText(/^t_/).textContent)).toEqual([newer.id, older.id]);
    expect(rows[1]).toHaveTextContent("Older liar");
    expect(rows[1]).toHaveTextContent("@alice");
    expect(rows[1]).toHaveTextContent("2 event(s)");

    await userEvent.click(within(strip).getByRole("button", { name: `Open ${older.id}` }));
    expect(new URLSearchParams(window.location.search).get("task")).toBe(older.id);
    await screen.findByRole("dialog", { name: "Older liar" });
  });

  it("hides its list again, and once dismissed stays away while warnings remain", async () => {
    const h = await boardHarness();
    await hallucinate(h, "Liar", [["t_aaaaaaaa"]]);
    h.renderApp();
    const strip = await screen.findByRole("region", { name: "Hallucination warnings" });
    await userEvent.click(within(strip).getByRole("button", { name: "Show" }));
    await userEvent.click(within(strip).getByRole("button", { name: "Hide" }));
    expect(within(strip).queryByRole("listitem")).toBeNull();

    await userEvent.click(within(strip).getByRole("button", { name: "Dismiss hallucination warnings" }));
    expect(screen.queryByRole("region", { name: "Hallucination warnings" })).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Refresh" }));
    await screen.findByRole("article", { name: "Liar" });
    expect(screen.queryByRole("region", { name: "Hallucination warnings" })).toBeNull();
  });

  it("is absent when no task has an active warning, and goes away when a warning is cleared", async () => {
    const h = await boardHarness();
    const t = await hallucinate(h, "Reformed", [["t_aaaaaaaa"]]);
    h.renderApp();
    await screen.findByRole("region", { name: "Hallucination warnings" });
    // A dashboard edit clears the warning (reference §7.3); the live stream brings the news.
    await editTask(h.k, t.id, { title: "Reformed" });
    await waitFor(() => expect(screen.queryByRole("region", { name: "Hallucination warnings" })).toBeNull());
    expect(screen.getByRole("article", { name: "Reformed" })).toBeInTheDocument();
  });
});
