import { getTask, recomputeReady, setStatusDirect } from "@switchyard/core";
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { boardHarness, card, carry, column, layOutBoard } from "./board-harness.tsx";

let restore: () => void = () => {};
beforeEach(() => {
  restore = layOutBoard();
});
afterEach(() => restore());

describe("a card a person parks in Todo (SPEC §3.13)", () => {
  it("stays in Todo through the dispatcher's pass, the live stream and a refetch, and says it is parked", async () => {
    const h = await boardHarness({ config: 'profiles:\n  worker:\n    command: ["true"]\n' });
    const t = await h.seed("Park me", { triage: true, assignee: "worker" });
    h.renderApp();
    await screen.findByRole("article", { name: "Park me" });
    await carry("Park me", 1);
    await within(column("Todo")).findByRole("article", { name: "Park me" });
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("todo"));

    // What every dispatcher tick runs first; the reference promoted this card here, vacuously.
    expect(await recomputeReady(h.k)).toBe(0);
    // Events reach the page in order: once a later task shows, anything before it was applied.
    await h.seed("Created after the pass");
    await screen.findByRole("article", { name: "Created after the pass" });
    expect(within(column("Todo")).getByRole("article", { name: "Park me" })).toBeInTheDocument();

    await act(() => h.queryClient.refetchQueries());
    expect(within(column("Todo")).getByRole("article", { name: "Park me" })).toBeInTheDocument();
    expect(within(column("Ready")).queryByRole("article", { name: "Park me" })).toBeNull();
    expect(within(card("Park me")).getByText("Parked in Todo: it stays until someone moves it")).toBeInTheDocument();
    expect(await getTask(h.k, t.id)).toMatchObject({ status: "todo", parked: true });
  });
});

describe("the confirmation dialog when the server refuses the move", () => {
  it("stays open with the typed summary and shows the refusal in it", async () => {
    const h = await boardHarness();
    const t = await h.seed("Ship it");
    h.renderApp();
    await screen.findByRole("article", { name: "Ship it" });
    await carry("Ship it", 5);
    const dialog = await screen.findByRole("dialog", { name: "Mark this task as done?" });
    const summary = within(dialog).getByRole("textbox", { name: "Completion summary (required)" });
    await userEvent.type(summary, "Shipped to prod after the review");

    // Meanwhile someone sends the task back to Triage, from which it cannot be done.
    await setStatusDirect(h.k, t.id, "triage");
    await userEvent.click(within(dialog).getByRole("button", { name: "Mark done" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      `Refused: Move not allowed: cannot move ${t.id} from triage to done`,
    );
    expect(screen.getByRole("dialog", { name: "Mark this task as done?" })).toBe(dialog);
    expect(summary).toHaveValue("Shipped to prod after the review");
    await within(column("Triage")).findByRole("article", { name: "Ship it" });
    expect((await getTask(h.k, t.id))?.status).toBe("triage");

    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("closes once the server accepts the move", async () => {
    const h = await boardHarness();
    const t = await h.seed("Done soon");
    h.renderApp();
    await screen.findByRole("article", { name: "Done soon" });
    const release = h.hold((r) => r.method === "PATCH");
    await carry("Done soon", 5);
    const dialog = await screen.findByRole("dialog", { name: "Mark this task as done?" });
    await userEvent.type(within(dialog).getByRole("textbox"), "all good");
    await userEvent.click(within(dialog).getByRole("button", { name: "Mark done" }));
    // Waiting for the answer, the dialog keeps what was typed and cannot be sent twice.
    expect(within(dialog).getByRole("button", { name: "Mark done" })).toBeDisabled();
    release();
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("done"));
  });
});
