import { requireTask } from "@switchyard/core";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { boardHarness, metaRow } from "./board-harness.tsx";

/** The drawer's model override (SPEC §14): the model this task's worker runs with, else its profile's. */

/** Generous for a loaded machine; `waitFor` returns as soon as the condition holds. */
const SLOW = { timeout: 10_000 };

describe("the drawer's model", () => {
  it("shows the profile's model, saves a task's own through PATCH, and clears it back with null", async () => {
    const h = await boardHarness();
    const user = userEvent.setup();
    const task = await h.seed("Big refactor", { assignee: "coder" });
    window.history.replaceState(null, "", `/?task=${task.id}`);
    h.renderApp();
    const dialog = await screen.findByRole("dialog", { name: "Big refactor" });
    expect(metaRow(dialog, "Model")).toHaveTextContent("profile's model");

    await user.click(within(dialog).getByRole("button", { name: "Edit model: profile's model" }));
    await user.type(within(dialog).getByRole("textbox", { name: "Model" }), " opus {Enter}");
    await waitFor(() => expect(metaRow(dialog, "Model")).toHaveTextContent("opus"), SLOW);
    await waitFor(async () => expect((await requireTask(h.k, task.id)).model_override).toBe("opus"), SLOW);

    await user.click(within(dialog).getByRole("button", { name: "Edit model: opus" }));
    const input = within(dialog).getByRole("textbox", { name: "Model" });
    expect(input).toHaveValue("opus");
    await user.clear(input);
    await user.keyboard("{Enter}");
    await waitFor(() => expect(metaRow(dialog, "Model")).toHaveTextContent("profile's model"), SLOW);
    await waitFor(async () => expect((await requireTask(h.k, task.id)).model_override).toBeNull(), SLOW);
  });

  it("shows the server's refusal of a name that is not one word and keeps the stored one", async () => {
    const h = await boardHarness();
    const user = userEvent.setup();
    const task = await h.seed("Big refactor", { assignee: "coder", model_override: "sonnet" });
    window.history.replaceState(null, "", `/?task=${task.id}`);
    h.renderApp();
    const dialog = await screen.findByRole("dialog", { name: "Big refactor" });
    await user.click(within(dialog).getByRole("button", { name: "Edit model: sonnet" }));
    const input = within(dialog).getByRole("textbox", { name: "Model" });
    await user.clear(input);
    await user.type(input, "claude opus{Enter}");
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(/model must be one word/);
    await waitFor(() => expect(metaRow(dialog, "Model")).toHaveTextContent("sonnet"), SLOW);
    expect((await requireTask(h.k, task.id)).model_override).toBe("sonnet");
  });
});
