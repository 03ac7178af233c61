import { join } from "node:path";
import {
  claimTask,
  completeTask,
  finishChecks,
  getTask,
  isCoreError,
  listEvents,
  requireTask,
  waiveCompletion,
} from "@switchyard/core";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { type BoardHarness, card, column } from "./board-harness.tsx";
import { type DrawerHarness, drawerHarness } from "./drawer-harness.tsx";
import { claimedUnderVerify, FAILED_TESTS } from "./proof-fixtures.ts";

const UNVERIFIED_BADGE = "1 unverified completion(s) since last clean completion";

/** A running task assigned to alice. */
async function runningTask(h: BoardHarness, title: string) {
  const task = await h.seed(title, { assignee: "alice" });
  await claimTask(h.k, task.id);
  return task;
}

/** Its worker completes claiming a commit the board cannot find: the kernel refuses it (phase receipts). */
async function claimPhantomCommit(h: BoardHarness, id: string) {
  try {
    await completeTask(h.k, id, { summary: "fixed the parser", receipts: { commits: ["deadbeefdeadbeef"] } });
    throw new Error("the completion was accepted");
  } catch (err) {
    if (!isCoreError(err, "unverified_completion")) throw err;
  }
}

async function unverifiedTask(h: BoardHarness, title = "Fix the date parser") {
  const task = await runningTask(h, title);
  await claimPhantomCommit(h, task.id);
  return task;
}

/** The drawer of a task whose completion was refused, with Recovery's "Accept without proof" form open. */
async function acceptFormOfUnverifiedTask() {
  const h = await drawerHarness();
  const user = userEvent.setup();
  const task = await unverifiedTask(h);
  const { dialog } = await openDrawer(h, task.id, task.title);
  const recovery = region(dialog, "Recovery");
  await user.click(within(recovery).getByRole("button", { name: "Accept without proof" }));
  const form = within(recovery).getByRole("form", { name: "Accept without proof" });
  return { h, user, task, dialog, recovery, form };
}

/** Its worker claims a card that does not exist: the card gate refuses it. */
async function hallucinatedTask(h: BoardHarness, title: string) {
  const task = await runningTask(h, title);
  await expect(completeTask(h.k, task.id, { summary: "split", created_cards: ["t_deadbeef"] })).rejects.toThrow(
    /completion blocked/,
  );
  return task;
}

/**
 * The board requires `pnpm test` to pass; a worker in its own directory hands its completion in
 * (`verifying`), and the board's run of the check fails: the task goes back to ready (phase verify).
 */
async function failedCheckTask(h: BoardHarness, title = "Teach the parser nested lists") {
  await h.kernel("default");
  const { id, runId } = await claimedUnderVerify(h.k, join(h.home.root, "work", title.replaceAll(" ", "-")), title);
  const task = await requireTask(h.k, id);
  const handedIn = await completeTask(h.k, task.id, { summary: "nested lists parse" });
  expect(handedIn.verifying).not.toBeNull();
  return { task, runId, fail: () => finishChecks(h.k, task.id, runId, [FAILED_TESTS]) };
}

async function openDrawer(h: DrawerHarness, taskId: string, title: string) {
  const view = h.renderDrawer(taskId);
  const dialog = await screen.findByRole("dialog", { name: title });
  return { view, dialog };
}

function region(dialog: HTMLElement, name: string) {
  return within(dialog).getByRole("region", { name });
}

describe("unverified completions on the board", () => {
  it("badge the card and list the task in the attention strip as they happen, named apart from hallucinated cards", async () => {
    const h = await drawerHarness();
    const task = await runningTask(h, "Fix the date parser");
    h.renderApp();
    const running = await screen.findByRole("article", { name: "Fix the date parser" });
    expect(within(running).queryByRole("img", { name: /since last clean completion/ })).toBeNull();

    // The refusal arrives over the live stream: the card gets its badge without a refetch.
    await claimPhantomCommit(h, task.id);
    const badge = await within(card("Fix the date parser", column("In Progress"))).findByRole("img", {
      name: UNVERIFIED_BADGE,
    });
    expect(badge).toHaveAttribute("title", UNVERIFIED_BADGE);
    const strip = await screen.findByRole("region", { name: "Unverified completions" });
    expect(within(strip).getByText("⚠ 1 task(s) with unverified completions")).toBeInTheDocument();
    await userEvent.click(within(strip).getByRole("button", { name: "Show" }));
    expect(within(strip).getByRole("listitem")).toHaveTextContent(task.id);

    // A hallucinated card elsewhere: the strip now says warnings; each card says what its are.
    await hallucinatedTask(h, "Split the importer");
    const mixed = await screen.findByRole("region", { name: "Warnings" });
    expect(within(mixed).getByText("⚠ 2 task(s) with warnings")).toBeInTheDocument();
    expect(
      within(card("Split the importer")).getByRole("img", {
        name: "1 hallucination event(s) since last clean completion",
      }),
    ).toBeInTheDocument();

    // Accepted without proof: the card is done and clean, and the strip is back to the one kind left.
    await waiveCompletion(h.k, task.id, { reason: "verified by hand", by: "alice" });
    const done = await within(column("Done")).findByRole("article", { name: "Fix the date parser" });
    await waitFor(() => expect(within(done).queryByRole("img", { name: /since last clean completion/ })).toBeNull());
    expect(await screen.findByRole("region", { name: "Hallucination warnings" })).toBeInTheDocument();
  });

  it("send a card back to Ready, badged, when the board's own check of its completion fails", async () => {
    const h = await drawerHarness();
    const { fail } = await failedCheckTask(h);
    h.renderApp();
    await screen.findByRole("article", { name: "Teach the parser nested lists" });
    expect(card("Teach the parser nested lists", column("In Progress"))).toBeInTheDocument();

    await fail();
    const ready = await within(column("Ready")).findByRole("article", { name: "Teach the parser nested lists" });
    expect(await within(ready).findByRole("img", { name: UNVERIFIED_BADGE })).toBeInTheDocument();
  });
});

describe("the drawer of an unverified completion", () => {
  it("opens Recovery by itself and shows the refusal as a red callout, each refused claim a chip with the kernel's detail", async () => {
    const h = await drawerHarness();
    const task = await unverifiedTask(h);
    const { dialog } = await openDrawer(h, task.id, task.title);

    const toggle = within(region(dialog, "Recovery")).getByRole("button", { name: "⚠ Recovery" });
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    expect(within(region(dialog, "Task summary")).getByRole("img", { name: UNVERIFIED_BADGE })).toBeInTheDocument();

    const events = region(dialog, "Events");
    const callout = within(events)
      .getAllByRole("listitem")
      .find((li) => li.textContent?.includes("Completion blocked — unverified claims")) as HTMLElement;
    expect(callout).toHaveClass("sy-event-hallucination");
    const [refused] = (await listEvents(h.k, task.id)).filter((e) => e.kind === "completion_blocked_unverified");
    const verdict = refused?.kind === "completion_blocked_unverified" ? refused.payload.refused[0] : undefined;
    expect(verdict).toMatchObject({ kind: "commit", claim: "deadbeefdeadbeef", ok: false });
    const chips = within(callout).getByRole("list", { name: "Refused claims" });
    expect(within(chips).getByRole("listitem")).toHaveTextContent(`commit deadbeefdeadbeef: ${verdict?.reason}`);
    expect(within(callout).getByText(verdict?.detail ?? "no detail")).toBeInTheDocument();
  });

  it("shows the failed check's command, exit code and output, and the run it refused in the run history", async () => {
    const h = await drawerHarness();
    const { task, fail } = await failedCheckTask(h);
    await fail();
    const { dialog } = await openDrawer(h, task.id, task.title);

    const callout = within(region(dialog, "Events"))
      .getAllByRole("listitem")
      .find((li) => li.textContent?.includes("Completion blocked — verification failed")) as HTMLElement;
    expect(within(callout).getByRole("list", { name: "Refused claims" })).toHaveTextContent(
      "verify pnpm test: verify_failed",
    );
    expect(within(callout).getByText("(exit 1)")).toBeInTheDocument();
    const output = within(callout).getByRole("figure", { name: "pnpm test (exit 1)" }).querySelector("pre");
    expect(output?.textContent).toBe(FAILED_TESTS.output_tail);

    const runs = region(dialog, "Run history");
    const run = within(runs)
      .getAllByRole("listitem")
      .find((li) => li.hasAttribute("data-tone")) as HTMLElement;
    expect(run).toHaveAttribute("data-tone", "failed");
    expect(run).toHaveTextContent("unverified");
    const checks = within(run).getByRole("list", { name: "Checks" });
    expect(within(checks).getByRole("listitem")).toHaveTextContent(/pnpm test exit 1 5\.3s/);
    expect(within(region(dialog, "Recovery")).getByRole("button", { name: "⚠ Recovery" })).toHaveAttribute(
      "aria-expanded",
      "true",
    );
    // Back in Ready, it can still be accepted without proof.
    expect(within(dialog).getByRole("button", { name: "Accept without proof" })).toBeInTheDocument();
  });

  it("accepts the completion without proof only with a reason: the task is done, the warning clears and the audit events stay", async () => {
    const { h, user, task, dialog, recovery, form } = await acceptFormOfUnverifiedTask();
    const confirm = within(form).getByRole("button", { name: "Confirm accept without proof" });
    const reason = within(form).getByRole("textbox", { name: "Reason" });
    expect(reason).toBeRequired();
    expect(confirm).toBeDisabled();
    expect(within(form).getByText("A reason is required.")).toBeInTheDocument();
    await user.type(reason, "   ");
    expect(confirm).toBeDisabled();
    // Enter in a blank reason sends nothing either.
    await user.type(reason, "{Enter}");
    expect(h.requests.filter((r) => r.path.endsWith("/waive"))).toEqual([]);

    await user.clear(reason);
    await user.type(reason, "the fix is on main as 1a2b3c4; the worker misquoted the sha");
    expect(confirm).toBeEnabled();
    await user.click(confirm);

    expect(await within(recovery).findByRole("status")).toHaveTextContent(`Accepted ${task.id} without proof.`);
    expect((await getTask(h.k, task.id))?.status).toBe("done");
    const events = await listEvents(h.k, task.id);
    expect(events.find((e) => e.kind === "completion_waived")?.payload).toMatchObject({
      reason: "the fix is on main as 1a2b3c4; the worker misquoted the sha",
      by: "dashboard",
      refused: [expect.objectContaining({ kind: "commit", claim: "deadbeefdeadbeef" })],
    });
    expect(events.at(-1)).toMatchObject({ kind: "completed", payload: expect.objectContaining({ waived: true }) });

    // The drawer refetched: done, no badge, a plain Recovery header; the refusal and the waiver stay listed.
    await waitFor(() => expect(within(dialog).getByText("done", { selector: ".sy-status" })).toBeInTheDocument());
    expect(
      within(region(dialog, "Task summary")).queryByRole("img", { name: /since last clean completion/ }),
    ).toBeNull();
    expect(within(recovery).getByRole("button", { name: "Recovery" })).toBeInTheDocument();
    expect(within(recovery).queryByRole("button", { name: "Accept without proof" })).toBeNull();
    const list = region(dialog, "Events");
    expect(within(list).getByText("Completion blocked — unverified claims")).toBeInTheDocument();
    expect(
      within(list).getByText(
        "Accepted without proof by dashboard: the fix is on main as 1a2b3c4; the worker misquoted the sha",
      ),
    ).toBeInTheDocument();
    expect(
      within(list).getByText(
        "Completed: Accepted without proof by dashboard: the fix is on main as 1a2b3c4; the worker misquoted the sha",
      ),
    ).toBeInTheDocument();
  });

  it("shows the server's refusal when the task finished before the acceptance reached it, and changes nothing", async () => {
    const { h, user, task, recovery, form } = await acceptFormOfUnverifiedTask();
    await user.type(within(form).getByRole("textbox", { name: "Reason" }), "checked by hand");

    // The worker retries honestly while the request is on its way.
    const release = h.hold((r) => r.path.endsWith("/waive"));
    await user.click(within(form).getByRole("button", { name: "Confirm accept without proof" }));
    await completeTask(h.k, task.id, { summary: "fixed the parser (1a2b3c4)" });
    release();

    expect(await within(recovery).findByRole("alert")).toHaveTextContent(/^Failed: Move not allowed: .*done/);
    expect((await listEvents(h.k, task.id)).some((e) => e.kind === "completion_waived")).toBe(false);
  });

  it("offers Accept without proof only while an unverified completion is an active warning", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const clean = await runningTask(h, "Clean worker");
    const liar = await hallucinatedTask(h, "Split the importer");

    const first = await openDrawer(h, clean.id, clean.title);
    await user.click(within(region(first.dialog, "Recovery")).getByRole("button", { name: "Recovery" }));
    expect(within(first.dialog).getByRole("button", { name: "Reclaim" })).toBeInTheDocument();
    expect(within(first.dialog).queryByRole("button", { name: "Accept without proof" })).toBeNull();

    first.view.showTask(liar.id);
    const second = await screen.findByRole("dialog", { name: liar.title });
    expect(within(second).getByRole("button", { name: "Reclaim" })).toBeInTheDocument();
    expect(within(second).queryByRole("button", { name: "Accept without proof" })).toBeNull();
  });
});
