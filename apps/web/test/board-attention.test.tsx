import { claimTask, completeTask, editTask } from "@switchyard/core";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { dismissedKey } from "../src/features/attention/attention-strip.tsx";
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

  it("stays dismissed across a reload in the same browser session, until a new warning comes", async () => {
    const h = await boardHarness();
    const first = await hallucinate(h, "First liar", [["t_aaaaaaaa"]]);
    const page = h.renderApp();
    const strip = await screen.findByRole("region", { name: "Hallucination warnings" });
    await userEvent.click(within(strip).getByRole("button", { name: "Dismiss hallucination warnings" }));
    expect(screen.queryByRole("region", { name: "Hallucination warnings" })).toBeNull();

    // A reload: the page starts again with nothing cached, in the same browser session.
    page.unmount();
    h.queryClient.clear();
    h.renderApp();
    await screen.findByRole("article", { name: "First liar" });
    expect(screen.queryByRole("region", { name: "Hallucination warnings" })).toBeNull();

    // A warning the strip did not show (another task) brings it back, listing both.
    const second = await hallucinate(h, "Second liar", [["t_bbbbbbbb"]]);
    const back = await screen.findByRole("region", { name: "Hallucination warnings" });
    expect(within(back).getByText("⚠ 2 task(s) with hallucination warnings")).toBeInTheDocument();
    await userEvent.click(within(back).getByRole("button", { name: "Show" }));
    expect(
      within(back)
        .getAllByRole("listitem")
        .map((r) => within(r).getByText(/^t_/).textContent),
    ).toEqual([second.id, first.id]);

    // Dismissed again; then a new warning on a task it showed brings it back too.
    await userEvent.click(within(back).getByRole("button", { name: "Dismiss hallucination warnings" }));
    expect(screen.queryByRole("region", { name: "Hallucination warnings" })).toBeNull();
    h.clock.advance(60);
    await expect(completeTask(h.k, first.id, { result: "done", created_cards: ["t_cccccccc"] })).rejects.toThrow(
      /completion blocked/,
    );
    await screen.findByRole("region", { name: "Hallucination warnings" });
  });

  it("remembers a dismissal per board", async () => {
    const h = await boardHarness();
    await hallucinate(h, "Liar on default", [["t_aaaaaaaa"]]);
    await h.makeBoard("ops");
    const ops = await h.kernel("ops");
    const t = await h.seedOn("ops", "Liar on ops", { assignee: "alice" });
    await claimTask(ops, t.id);
    await expect(completeTask(ops, t.id, { result: "done", created_cards: ["t_bbbbbbbb"] })).rejects.toThrow(
      /completion blocked/,
    );
    h.renderApp();
    const strip = await screen.findByRole("region", { name: "Hallucination warnings" });
    await userEvent.click(within(strip).getByRole("button", { name: "Dismiss hallucination warnings" }));
    expect(window.sessionStorage.getItem(dismissedKey("default"))).not.toBeNull();

    // Another board's warnings were not dismissed.
    window.history.pushState(null, "", "/?board=ops");
    window.dispatchEvent(new PopStateEvent("popstate"));
    await screen.findByRole("article", { name: "Liar on ops" });
    expect(screen.getByRole("region", { name: "Hallucination warnings" })).toBeInTheDocument();
    window.history.back();
    await screen.findByRole("article", { name: "Liar on default" });
    expect(screen.queryByRole("region", { name: "Hallucination warnings" })).toBeNull();
  });
});
