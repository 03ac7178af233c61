import { getTask } from "@switchyard/core";
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { boardHarness, card, carry, column, layOutBoard } from "./board-harness.tsx";

let restore: () => void = () => {};
beforeEach(() => {
  restore = layOutBoard();
});
afterEach(() => restore());

/** Moves the card with `m` ("Move to…") to the column named `label`. */
async function moveWithM(title: string, label: string) {
  const user = userEvent.setup();
  act(() => card(title).focus());
  await user.keyboard("m");
  await user.click(
    within(screen.getByRole("dialog", { name: /^Move t_.* to…$/ })).getByRole("button", { name: label }),
  );
}

describe("notices", () => {
  it("takes a refusal down once a later move of the same card succeeds", async () => {
    const h = await boardHarness();
    const parent = await h.seed("Release v2");
    const child = await h.seed("Announce v2", { parents: [parent.id] });
    h.renderApp();
    await screen.findByRole("article", { name: "Announce v2" });

    await carry("Announce v2", 1);
    expect(await screen.findByRole("alert")).toHaveTextContent(
      `Cannot move ${child.id} to Ready: waiting on unfinished parent ${parent.id}.`,
    );

    await moveWithM("Announce v2", "Triage");
    await within(column("Triage")).findByRole("article", { name: "Announce v2" });
    await waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
    expect(await screen.findByText(`Moved ${child.id} to Triage.`)).toBeInTheDocument();
  });

  it("says the Switchyard server cannot be reached, and what got no answer, instead of “Failed to fetch”", async () => {
    const h = await boardHarness();
    const t = await h.seed("Park me");
    h.renderApp();
    await screen.findByRole("article", { name: "Park me" });

    const reconnect = h.cutOff((r) => r.method === "PATCH");
    await moveWithM("Park me", "Todo");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      `Cannot reach the Switchyard server: moving ${t.id} to Todo got no answer.`,
    );
    expect(screen.getByRole("alert")).not.toHaveTextContent("Failed to fetch");
    // Rolled back: nothing was saved.
    await within(column("Ready")).findByRole("article", { name: "Park me" });
    expect((await getTask(h.k, t.id))?.status).toBe("ready");

    reconnect();
    await moveWithM("Park me", "Todo");
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("todo"));
    await waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
  });

  it("names the unreachable server in the create form too, and keeps what was typed", async () => {
    const h = await boardHarness();
    h.renderApp();
    await userEvent.click(await screen.findByRole("button", { name: "Create a task in Ready" }));
    const form = within(screen.getByRole("form", { name: "New task in Ready" }));
    h.cutOff((r) => r.method === "POST");
    await userEvent.type(form.getByRole("textbox", { name: "Title" }), "Written during an outage{Enter}");
    expect(await form.findByRole("alert")).toHaveTextContent(
      "Cannot reach the Switchyard server: creating the task got no answer.",
    );
    expect(form.getByRole("textbox", { name: "Title" })).toHaveValue("Written during an outage");
  });
});
