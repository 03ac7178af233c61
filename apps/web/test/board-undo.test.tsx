import { claimTask, getTask, linkTasks } from "@switchyard/core";
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { boardHarness, card, column } from "./board-harness.tsx";

afterEach(() => {
  vi.useRealTimers();
});

async function focusOn(title: string) {
  const el = await screen.findByRole("article", { name: title });
  act(() => el.focus());
}

/** Moves the focused card with `s` to the target named `label`. */
async function moveWithS(user: ReturnType<typeof userEvent.setup>, label: string) {
  await user.keyboard("s");
  const menu = screen.getByRole("dialog", { name: /^Move t_.* to…$/ });
  await user.click(within(menu).getByRole("button", { name: new RegExp(label) }));
}

describe("undo", () => {
  it("Ctrl+Z moves the last moved card back through the API, and says so", async () => {
    const h = await boardHarness();
    const t = await h.seed("Moved by mistake");
    h.renderApp();
    await focusOn("Moved by mistake");
    const user = userEvent.setup();

    await moveWithS(user, "Todo");
    await within(column("Todo")).findByRole("article", { name: "Moved by mistake" });
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("todo"));
    const offer = await screen.findByText(`Moved ${t.id} to Todo.`);
    expect(within(offer.closest('[role="status"]') as HTMLElement).getByRole("button", { name: "Undo" }));

    const patches = h.requests.filter((r) => r.method === "PATCH").length;
    await user.keyboard("{Control>}z{/Control}");
    await within(column("Ready")).findByRole("article", { name: "Moved by mistake" });
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("ready"));
    // The undo is one more PATCH, the same request a move makes: the kernel decides.
    expect(h.requests.filter((r) => r.method === "PATCH")).toHaveLength(patches + 1);
    expect(screen.queryByText(`Moved ${t.id} to Todo.`)).toBeNull();
    expect(await screen.findByText(`Moved ${t.id} to Ready.`)).toBeInTheDocument();

    // Nothing left to undo: the undo itself is not undone.
    await user.keyboard("{Meta>}z{/Meta}");
    expect(await screen.findByText(/^Nothing to undo/)).toBeInTheDocument();
    expect((await getTask(h.k, t.id))?.status).toBe("ready");
  });

  it("undoes the latest change first: an assignment, then the move before it", async () => {
    const h = await boardHarness();
    const t = await h.seed("Two changes", { assignee: "alice" });
    h.renderApp();
    await focusOn("Two changes");
    const user = userEvent.setup();

    await moveWithS(user, "Triage");
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("triage"));
    await focusOn("Two changes");
    await user.keyboard("a");
    await user.keyboard("bob{Enter}");
    await waitFor(async () => expect((await getTask(h.k, t.id))?.assignee).toBe("bob"));
    await screen.findByText(`Assigned ${t.id} to bob.`);

    await user.keyboard("{Control>}z{/Control}");
    await waitFor(async () => expect((await getTask(h.k, t.id))?.assignee).toBe("alice"));
    expect((await getTask(h.k, t.id))?.status).toBe("triage");
    await user.keyboard("{Control>}z{/Control}");
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("ready"));
    expect((await getTask(h.k, t.id))?.assignee).toBe("alice");
  });

  it("offers undo for 10 seconds only", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const h = await boardHarness();
    const t = await h.seed("Too late");
    h.renderApp();
    await focusOn("Too late");
    const user = userEvent.setup();
    await moveWithS(user, "Todo");
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("todo"));
    await screen.findByText(`Moved ${t.id} to Todo.`);

    vi.setSystemTime(Date.now() + 10_001);
    await user.keyboard("{Control>}z{/Control}");
    expect(await screen.findByText(/^Nothing to undo/)).toBeInTheDocument();
    expect((await getTask(h.k, t.id))?.status).toBe("todo");
  });

  it("shows the kernel's refusal when an undo is no longer allowed", async () => {
    const h = await boardHarness({ config: 'profiles:\n  coder:\n    command: ["true"]\n' });
    const t = await h.seed("Claimed meanwhile");
    h.renderApp();
    await focusOn("Claimed meanwhile");
    const user = userEvent.setup();
    await user.keyboard("a");
    await user.keyboard("coder{Enter}");
    await waitFor(async () => expect((await getTask(h.k, t.id))?.assignee).toBe("coder"));
    await screen.findByText(`Assigned ${t.id} to coder.`);

    // A worker claims it before the undo: the kernel will not reassign a running task.
    await claimTask(h.k, t.id);
    await within(column("In Progress")).findByRole("article", { name: "Claimed meanwhile" });
    await user.keyboard("{Control>}z{/Control}");
    const refusal = await screen.findByRole("alert");
    expect(refusal).toHaveTextContent(/^Undo failed: Task is running: /);
    expect((await getTask(h.k, t.id))?.assignee).toBe("coder");
  });

  it("refuses an undo the contract's table would refuse, before sending it", async () => {
    const h = await boardHarness();
    const parent = await h.seed("Parent");
    const t = await h.seed("Parked");
    h.renderApp();
    await focusOn("Parked");
    const user = userEvent.setup();
    await moveWithS(user, "Todo");
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("todo"));
    await screen.findByText(`Moved ${t.id} to Todo.`);

    // Meanwhile it gets an unfinished parent: back to ready is no longer allowed.
    await linkTasks(h.k, parent.id, t.id);
    await waitFor(() => expect(within(card("Parked")).getByText(new RegExp(parent.id))).toBeInTheDocument());
    const patches = h.requests.filter((r) => r.method === "PATCH").length;
    await user.keyboard("{Control>}z{/Control}");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      `Cannot move ${t.id} to Ready: waiting on unfinished parent ${parent.id}.`,
    );
    expect(h.requests.filter((r) => r.method === "PATCH")).toHaveLength(patches);
    expect((await getTask(h.k, t.id))?.status).toBe("todo");
  });
});
