import { claimTask, completeTask, getTask, isCoreError, listEvents } from "@switchyard/core";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { type DrawerHarness, drawerHarness } from "./drawer-harness.tsx";

const PROFILES = `
profiles:
  alice:
    command: ["true"]
    model_hint: "hermes -p alice model"
  bob:
    command: ["true"]
`;

/** A task assigned to alice, claimed (running). */
async function runningTask(h: DrawerHarness, title = "Fix the flaky deploy") {
  const task = await h.seed(title, { assignee: "alice" });
  await claimTask(h.k, task.id);
  return task;
}

/** A running task whose worker claimed a card that does not exist: the gate refused the completion. */
async function gateBlockedTask(h: DrawerHarness, title = "Split the importer") {
  const task = await runningTask(h, title);
  try {
    await completeTask(h.k, task.id, {
      summary: "created t_deadbeef and t_0badf00d",
      created_cards: ["t_deadbeef", "t_0badf00d"],
    });
  } catch (err) {
    if (!isCoreError(err, "hallucinated_cards")) throw err;
  }
  return task;
}

async function openDrawer(h: DrawerHarness, taskId: string, title: string) {
  const view = h.renderDrawer(taskId);
  const dialog = await screen.findByRole("dialog", { name: title });
  return { view, dialog };
}

function recoveryToggle(dialog: HTMLElement) {
  return within(within(dialog).getByRole("region", { name: "Recovery" })).getByRole("button", {
    name: /Recovery/,
  });
}

describe("the drawer's Recovery section", () => {
  it("opens expanded, under an amber ⚠ header, when the gate blocked the task's completion, and lists the phantom ids as chips", async () => {
    const h = await drawerHarness({ config: PROFILES });
    const task = await gateBlockedTask(h);
    const { dialog } = await openDrawer(h, task.id, task.title);

    const toggle = recoveryToggle(dialog);
    expect(toggle).toHaveAccessibleName("⚠ Recovery");
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    expect(within(dialog).getByRole("button", { name: "Reclaim" })).toBeEnabled();

    const events = within(dialog).getByRole("region", { name: "Events" });
    expect(within(events).getByText("Completion blocked — phantom card ids")).toBeInTheDocument();
    const chips = within(events).getByRole("list", { name: "Phantom ids" });
    expect(
      within(chips)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["t_deadbeef", "t_0badf00d"]);
  });

  it("names the head's ⚠ badge for assistive tech as the card does, and a clean task's head has none", async () => {
    const h = await drawerHarness({ config: PROFILES });
    const warned = await gateBlockedTask(h);
    const clean = await runningTask(h, "Clean worker");
    const { view, dialog } = await openDrawer(h, warned.id, warned.title);

    const head = within(dialog).getByRole("region", { name: "Task summary" });
    const badge = within(head).getByRole("img", { name: "1 hallucination event(s) since last clean completion" });
    expect(badge).toHaveAttribute("title", "1 hallucination event(s) since last clean completion");
    expect(badge).toHaveTextContent(/^1$/);

    view.unmount();
    const other = await openDrawer(h, clean.id, clean.title);
    expect(within(other.dialog).queryByRole("img", { name: /hallucination event/ })).toBeNull();
  });

  it("draws its warning icons as inline SVG, with no emoji glyph that a machine without an emoji font shows as a box", async () => {
    const h = await drawerHarness({ config: PROFILES });
    const task = await gateBlockedTask(h);
    const { dialog } = await openDrawer(h, task.id, task.title);
    await within(dialog).findByText("Completion blocked — phantom card ids");
    expect(dialog.textContent).not.toMatch(/\p{Extended_Pictographic}/u);
    expect(dialog.querySelectorAll("svg.sy-icon").length).toBeGreaterThanOrEqual(3);
  });

  it("starts collapsed under a plain header when the task has no warnings", async () => {
    const h = await drawerHarness({ config: PROFILES });
    const task = await runningTask(h);
    const { dialog } = await openDrawer(h, task.id, task.title);

    const toggle = recoveryToggle(dialog);
    expect(toggle).toHaveTextContent(/^Recovery$/);
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(within(dialog).queryByRole("button", { name: "Reclaim" })).toBeNull();
    expect(within(dialog).queryByText(/phantom card ids/)).toBeNull();
  });

  it("labels a prose reference to a missing card and shows its id as a chip", async () => {
    const h = await drawerHarness({ config: PROFILES });
    const task = await runningTask(h);
    await completeTask(h.k, task.id, { summary: "done; also saw t_abcd1234ffff failing in CI" });
    const { dialog } = await openDrawer(h, task.id, task.title);

    expect(recoveryToggle(dialog)).toHaveAttribute("aria-expanded", "true");
    const events = within(dialog).getByRole("region", { name: "Events" });
    expect(within(events).getByText("Prose referenced phantom card ids")).toBeInTheDocument();
    expect(
      within(within(events).getByRole("list", { name: "Phantom ids" })).getByText("t_abcd1234ffff"),
    ).toBeInTheDocument();
  });

  it("reclaims a running task: it turns ready with a manual reclaimed event, and the drawer shows it", async () => {
    const h = await drawerHarness({ config: PROFILES });
    const user = userEvent.setup();
    const task = await runningTask(h);
    const { dialog } = await openDrawer(h, task.id, task.title);

    await user.click(recoveryToggle(dialog));
    await user.type(within(dialog).getByLabelText("Reason"), "worker stuck in a loop");
    await user.click(within(dialog).getByRole("button", { name: "Reclaim" }));

    expect(await within(dialog).findByText(`Reclaimed ${task.id}. Task back to ready.`)).toBeInTheDocument();
    expect((await getTask(h.k, task.id))?.status).toBe("ready");
    const reclaimed = (await listEvents(h.k, task.id)).filter((e) => e.kind === "reclaimed");
    expect(reclaimed.map((e) => e.payload)).toEqual([
      expect.objectContaining({ manual: true, reason: "worker stuck in a loop" }),
    ]);
    // The drawer refetched: the new status and the event are on screen.
    await waitFor(() => expect(within(dialog).getByText("ready", { selector: ".sy-status" })).toBeInTheDocument());
    const events = within(dialog).getByRole("region", { name: "Events" });
    expect(within(events).getByText("Reclaimed by hand: worker stuck in a loop, back to Ready")).toBeInTheDocument();
  });

  it("offers Reclaim only while the task is running", async () => {
    const h = await drawerHarness({ config: PROFILES });
    const user = userEvent.setup();
    const task = await h.seed("Waiting for a worker", { assignee: "alice" });
    const { dialog } = await openDrawer(h, task.id, task.title);

    await user.click(recoveryToggle(dialog));
    expect(within(dialog).getByRole("button", { name: "Reclaim" })).toBeDisabled();
    expect(within(dialog).getByRole("checkbox", { name: "Reclaim first" })).not.toBeChecked();
  });

  it("reassigns a running task with “Reclaim first” (checked by default): the new profile gets it as ready", async () => {
    const h = await drawerHarness({ config: PROFILES });
    const user = userEvent.setup();
    const task = await runningTask(h);
    const { dialog } = await openDrawer(h, task.id, task.title);

    await user.click(recoveryToggle(dialog));
    expect(within(dialog).getByRole("checkbox", { name: "Reclaim first" })).toBeChecked();
    const picker = within(dialog).getByRole("combobox", { name: "Reassign to profile" });
    expect(
      within(picker)
        .getAllByRole("option")
        .map((o) => o.textContent),
    ).toEqual(["(unassigned)", "alice", "bob"]);
    await user.selectOptions(picker, "bob");
    await user.click(within(dialog).getByRole("button", { name: "Reassign" }));

    expect(await within(dialog).findByText(`Reassigned ${task.id} to bob.`)).toBeInTheDocument();
    expect(await getTask(h.k, task.id)).toMatchObject({ assignee: "bob", status: "ready", claim_lock: null });
    await waitFor(() =>
      expect(within(dialog).getByRole("button", { name: "Edit assignee: @bob" })).toBeInTheDocument(),
    );
  });

  it("shows the server's 409 reason when a running task is reassigned without reclaiming first, and changes nothing", async () => {
    const h = await drawerHarness({ config: PROFILES });
    const user = userEvent.setup();
    const task = await runningTask(h);
    const { dialog } = await openDrawer(h, task.id, task.title);

    await user.click(recoveryToggle(dialog));
    await user.click(within(dialog).getByRole("checkbox", { name: "Reclaim first" }));
    await user.selectOptions(within(dialog).getByRole("combobox", { name: "Reassign to profile" }), "bob");
    await user.click(within(dialog).getByRole("button", { name: "Reassign" }));

    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent(/^Failed: Task is running: cannot reassign .*currently running/);
    expect(await getTask(h.k, task.id)).toMatchObject({ assignee: "alice", status: "running" });
  });

  it("drops the amber header after a clean completion while the audit events stay listed", async () => {
    const h = await drawerHarness({ config: PROFILES });
    const user = userEvent.setup();
    const task = await gateBlockedTask(h);
    const { dialog } = await openDrawer(h, task.id, task.title);
    expect(recoveryToggle(dialog)).toHaveAccessibleName("⚠ Recovery");

    await user.click(within(dialog).getByRole("button", { name: "Complete" }));
    await user.type(within(dialog).getByLabelText("Completion summary"), "split into two modules, no new cards");
    await user.click(within(dialog).getByRole("button", { name: "Confirm complete" }));

    await waitFor(() => expect(recoveryToggle(dialog)).toHaveAccessibleName("Recovery"));
    expect((await getTask(h.k, task.id))?.status).toBe("done");
    expect(within(dialog).getByText("Completion blocked — phantom card ids")).toBeInTheDocument();
    expect(within(dialog).getByText("t_deadbeef")).toBeInTheDocument();
  });

  it("does not carry the recovery form's state over to another task's drawer", async () => {
    const h = await drawerHarness({ config: PROFILES });
    const user = userEvent.setup();
    const first = await runningTask(h, "First task");
    const second = await h.seed("Second task", { assignee: "bob" });
    const { view, dialog } = await openDrawer(h, first.id, first.title);

    await user.click(recoveryToggle(dialog));
    await user.type(within(dialog).getByLabelText("Reason"), "typed for the first task");
    await user.click(within(dialog).getByRole("checkbox", { name: "Reclaim first" }));
    await user.selectOptions(within(dialog).getByRole("combobox", { name: "Reassign to profile" }), "bob");
    await user.click(within(dialog).getByRole("button", { name: "Reassign" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(/^Failed:/);

    view.showTask(second.id);
    const next = await screen.findByRole("dialog", { name: "Second task" });
    expect(recoveryToggle(next)).toHaveAttribute("aria-expanded", "false");
    await user.click(recoveryToggle(next));
    expect(within(next).getByLabelText("Reason")).toHaveValue("");
    expect(within(next).getByRole("combobox", { name: "Reassign to profile" })).toHaveValue("bob");
    expect(within(next).getByRole("checkbox", { name: "Reclaim first" })).not.toBeChecked();
    expect(within(next).queryByRole("alert")).toBeNull();
    expect(within(next).queryByText(/^Failed:/)).toBeNull();
  });

  it("shows the assignee's configured model hint and copies it, saying “Copied”", async () => {
    const h = await drawerHarness({ config: PROFILES });
    const user = userEvent.setup();
    const task = await gateBlockedTask(h);
    const { dialog } = await openDrawer(h, task.id, task.title);

    expect(await within(dialog).findByText("hermes -p alice model")).toBeInTheDocument();
    const copy = within(dialog).getByRole("button", { name: "Copy model hint" });
    await user.click(copy);
    expect(copy).toHaveTextContent("Copied");
    expect(await navigator.clipboard.readText()).toBe("hermes -p alice model");
  });

  it("says where to change the model when the profile has no model hint", async () => {
    const h = await drawerHarness({ config: PROFILES });
    const user = userEvent.setup();
    const task = await h.seed("Bob's task", { assignee: "bob" });
    const { dialog } = await openDrawer(h, task.id, task.title);

    await user.click(recoveryToggle(dialog));
    expect(
      await within(dialog).findByText(/^edit profiles\.bob\.command \(the model it runs\) in \/.*config\.yaml$/),
    ).toBeInTheDocument();
  });
});
