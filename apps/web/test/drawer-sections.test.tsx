import { mkdirSync, writeFileSync } from "node:fs";
import {
  addComment,
  blockTask,
  childIds,
  claimTask,
  completeTask,
  getTask,
  linkTasks,
  listComments,
  listNotifySubs,
  moveTask,
  parentIds,
  reclaimTask,
} from "@switchyard/core";
import { workerLogPath } from "@switchyard/runtime";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { type DrawerHarness, drawerHarness } from "./drawer-harness.tsx";

async function openDrawer(h: DrawerHarness, taskId: string, title: string, onClose = vi.fn()) {
  const view = h.renderDrawer(taskId, onClose);
  const dialog = await screen.findByRole("dialog", { name: title });
  return { view, dialog, onClose };
}

function section(dialog: HTMLElement, name: string) {
  return within(within(dialog).getByRole("region", { name }));
}

const HOSTILE = [
  "before <script>window.__pwned = 1</script> after",
  '<img src="x" onerror="window.__pwned = 2">',
  "[click me](javascript:window.__pwned=3)",
].join("\n\n");

function expectInert(root: HTMLElement) {
  expect(root.querySelector("script")).toBeNull();
  expect(root.querySelector("img")).toBeNull();
  expect(root.querySelector("[onerror]")).toBeNull();
  expect([...root.querySelectorAll("a")].filter((a) => /javascript:/i.test(a.getAttribute("href") ?? ""))).toEqual([]);
  expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
}

describe("the task drawer's frame", () => {
  it("is a dialog named by the task's title, showing its id and meta rows", async () => {
    const h = await drawerHarness();
    const task = await h.seed("Write the release notes", {
      assignee: "alice",
      tenant: "acme",
      priority: 3,
      skills: ["docs", "git"],
      created_by: "orchestrator",
    });
    const { dialog } = await openDrawer(h, task.id, "Write the release notes");

    expect(within(dialog).getByText(task.id)).toBeInTheDocument();
    const meta = within(dialog.querySelector("dl") as HTMLElement);
    expect(meta.getByText("ready")).toBeInTheDocument();
    expect(meta.getByRole("button", { name: "Edit assignee: @alice" })).toHaveTextContent("@alice");
    expect(meta.getByRole("button", { name: "Edit priority: 3" })).toBeInTheDocument();
    expect(meta.getByText("acme")).toBeInTheDocument();
    expect(meta.getByText("scratch")).toBeInTheDocument();
    expect(meta.getByText("docs, git")).toBeInTheDocument();
    expect(meta.getByText("orchestrator")).toBeInTheDocument();
  });

  it("closes on Esc, on the shade and on ×", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Close me");
    const { dialog, onClose } = await openDrawer(h, task.id, "Close me");

    await user.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalledTimes(1);
    await user.click(document.querySelector(".sy-drawer-shade") as HTMLElement);
    expect(onClose).toHaveBeenCalledTimes(2);
    await user.click(within(dialog).getByRole("button", { name: "Close drawer" }));
    expect(onClose).toHaveBeenCalledTimes(3);
  });

  it("keeps Tab inside the dialog: past the last control it wraps to the first, and back", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Trap focus");
    const { dialog } = await openDrawer(h, task.id, "Trap focus");
    await within(dialog).findByRole("button", { name: "Comment" });
    const close = within(dialog).getByRole("button", { name: "Close drawer" });
    const controls = [
      ...dialog.querySelectorAll<HTMLElement>("a[href], button:not([disabled]), input, select, textarea"),
    ];
    const last = controls[controls.length - 1] as HTMLElement;
    last.focus();
    await user.tab();
    expect(dialog.contains(document.activeElement)).toBe(true);
    expect(document.activeElement).toBe(controls[0]);
    await user.tab({ shift: true });
    expect(document.activeElement).toBe(last);
    expect(controls[0]).toBe(close);
  });

  it("keeps a comment draft on Esc (it leaves the box); a second Esc closes the drawer", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Drafts survive");
    const { dialog, onClose } = await openDrawer(h, task.id, "Drafts survive");
    const box = within(dialog).getByRole("textbox", { name: "Add a comment" });
    await user.type(box, "half a thought");
    await user.keyboard("{Escape}");
    expect(onClose).not.toHaveBeenCalled();
    expect(box).toHaveValue("half a thought");
    expect(document.activeElement).not.toBe(box);
    await user.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("says so when the task does not exist", async () => {
    const h = await drawerHarness();
    h.renderDrawer("t_00000000");
    const dialog = await screen.findByRole("dialog", { name: "t_00000000" });
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(/t_00000000/);
  });
});

describe("editing a task in the drawer", () => {
  it("saves a new title on Enter, and the dialog takes the new name", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Old title");
    const { dialog } = await openDrawer(h, task.id, "Old title");

    await user.click(within(dialog).getByRole("button", { name: "Old title" }));
    const input = within(dialog).getByRole("textbox", { name: "Title" });
    await user.clear(input);
    await user.type(input, "New title{Enter}");

    expect(await screen.findByRole("dialog", { name: "New title" })).toBeInTheDocument();
    expect((await getTask(h.k, task.id))?.title).toBe("New title");
  });

  it("cancels a title edit on Esc without closing the drawer or saving", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Keep me");
    const { dialog, onClose } = await openDrawer(h, task.id, "Keep me");

    await user.click(within(dialog).getByRole("button", { name: "Keep me" }));
    await user.type(within(dialog).getByRole("textbox", { name: "Title" }), " changed{Escape}");

    expect(onClose).not.toHaveBeenCalled();
    expect(within(dialog).queryByRole("textbox", { name: "Title" })).toBeNull();
    expect((await getTask(h.k, task.id))?.title).toBe("Keep me");
  });

  it("refuses an empty title with the server's reason and keeps the old one", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Not empty");
    const { dialog } = await openDrawer(h, task.id, "Not empty");

    await user.click(within(dialog).getByRole("button", { name: "Not empty" }));
    const input = within(dialog).getByRole("textbox", { name: "Title" });
    await user.clear(input);
    await user.type(input, "   {Enter}");

    expect(await within(dialog).findByRole("alert")).toHaveTextContent(/^Refused: .*title/);
    expect((await getTask(h.k, task.id))?.title).toBe("Not empty");
    expect(within(dialog).getByRole("button", { name: "Not empty" })).toBeInTheDocument();
  });

  it("edits the assignee (empty unassigns) and the priority", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Reassign me", { assignee: "alice" });
    const { dialog } = await openDrawer(h, task.id, "Reassign me");

    await user.click(within(dialog).getByRole("button", { name: "Edit assignee: @alice" }));
    const assignee = within(dialog).getByRole("textbox", { name: "Assignee" });
    await user.clear(assignee);
    await user.type(assignee, "{Enter}");
    await waitFor(async () => expect((await getTask(h.k, task.id))?.assignee).toBeNull());
    expect(await within(dialog).findByRole("button", { name: "Edit assignee: unassigned" })).toBeInTheDocument();

    await user.click(within(dialog).getByRole("button", { name: "Edit priority: 0" }));
    const priority = within(dialog).getByRole("spinbutton", { name: "Priority" });
    await user.clear(priority);
    await user.type(priority, "7{Enter}");
    await waitFor(async () => expect((await getTask(h.k, task.id))?.priority).toBe(7));
  });
});

describe("the drawer's status actions", () => {
  it("enables only the moves the task's status allows", async () => {
    const h = await drawerHarness();
    const ready = await h.seed("Ready task");
    const { dialog } = await openDrawer(h, ready.id, "Ready task");
    const actions = section(dialog, "Status actions");

    expect(actions.getByRole("button", { name: "→ triage" })).toBeEnabled();
    expect(actions.getByRole("button", { name: "→ ready" })).toBeDisabled();
    expect(actions.getByRole("button", { name: "Block" })).toBeEnabled();
    expect(actions.getByRole("button", { name: "Unblock" })).toBeDisabled();
    expect(actions.getByRole("button", { name: "Complete" })).toBeEnabled();
    expect(actions.getByRole("button", { name: "Archive" })).toBeEnabled();
    expect(actions.queryByRole("button", { name: /running/ })).toBeNull();
  });

  it("blocks with a reason after asking, and unblocks", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Needs a human");
    const { dialog } = await openDrawer(h, task.id, "Needs a human");
    const actions = section(dialog, "Status actions");

    await user.click(actions.getByRole("button", { name: "Block" }));
    expect((await getTask(h.k, task.id))?.status).toBe("ready");
    await user.type(actions.getByRole("textbox", { name: "Block reason" }), "waiting on credentials");
    await user.click(actions.getByRole("button", { name: "Confirm block" }));
    await waitFor(async () => expect((await getTask(h.k, task.id))?.status).toBe("blocked"));

    await waitFor(() => expect(actions.getByRole("button", { name: "Unblock" })).toBeEnabled());
    await user.click(actions.getByRole("button", { name: "Unblock" }));
    await waitFor(async () => expect((await getTask(h.k, task.id))?.status).toBe("ready"));
  });

  it("requires a completion summary, then completes with it as result and summary", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Ship it");
    const { dialog } = await openDrawer(h, task.id, "Ship it");
    const actions = section(dialog, "Status actions");

    await user.click(actions.getByRole("button", { name: "Complete" }));
    await user.click(actions.getByRole("button", { name: "Confirm complete" }));
    expect(actions.getByRole("alert")).toHaveTextContent("A completion summary is required.");
    expect((await getTask(h.k, task.id))?.status).toBe("ready");

    await user.type(actions.getByRole("textbox", { name: "Completion summary" }), "shipped **v2**");
    await user.click(actions.getByRole("button", { name: "Confirm complete" }));
    await waitFor(async () =>
      expect(await getTask(h.k, task.id)).toMatchObject({ status: "done", result: "shipped **v2**" }),
    );
    const result = await within(dialog).findByRole("region", { name: "Result" });
    expect(within(result).getByText("v2").tagName).toBe("STRONG");
  });

  it("archives only after confirmation; cancelling changes nothing", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Old idea");
    const { dialog } = await openDrawer(h, task.id, "Old idea");
    const actions = section(dialog, "Status actions");

    await user.click(actions.getByRole("button", { name: "Archive" }));
    await user.click(actions.getByRole("button", { name: "Cancel" }));
    expect((await getTask(h.k, task.id))?.status).toBe("ready");

    await user.click(actions.getByRole("button", { name: "Archive" }));
    await user.click(actions.getByRole("button", { name: "Confirm archive" }));
    await waitFor(async () => expect((await getTask(h.k, task.id))?.status).toBe("archived"));
  });

  it("keeps the confirmation open with the typed summary when the server refuses the completion", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Write the notes");
    const { dialog } = await openDrawer(h, task.id, "Write the notes");
    const actions = section(dialog, "Status actions");

    await user.click(actions.getByRole("button", { name: "Complete" }));
    await user.type(actions.getByRole("textbox", { name: "Completion summary" }), "notes written, three pages");
    // Meanwhile someone sends the task back to triage, where it cannot be completed.
    await moveTask(h.k, task.id, { status: "triage" });
    await user.click(actions.getByRole("button", { name: "Confirm complete" }));

    const form = within(dialog).getByRole("form", { name: "Confirm Complete" });
    expect(await within(form).findByRole("alert")).toHaveTextContent(/^Refused: .*triage/);
    expect(within(form).getByRole("textbox", { name: "Completion summary" })).toHaveValue("notes written, three pages");
    expect((await getTask(h.k, task.id))?.status).toBe("triage");
  });

  it("shows the server's reason when a move is refused: → ready with an unfinished parent", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const parent = await h.seed("Parent");
    const child = await h.seed("Child", { parents: [parent.id] });
    expect(child.status).toBe("todo");
    const { dialog } = await openDrawer(h, child.id, "Child");

    await user.click(section(dialog, "Status actions").getByRole("button", { name: "→ ready" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent(new RegExp(`^Refused: .*${parent.id}`));
    expect((await getTask(h.k, child.id))?.status).toBe("todo");
  });
});

describe("the drawer's description, result and comments", () => {
  it("renders the description as markdown and edits it with Save; Cancel keeps it", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Documented", { body: "## Steps\n\n- [x] read\n- [ ] write" });
    const { dialog } = await openDrawer(h, task.id, "Documented");
    const description = section(dialog, "Description");

    expect(description.getByRole("heading", { name: "Steps" })).toBeInTheDocument();
    expect(description.getAllByRole("checkbox")).toHaveLength(2);

    await user.click(description.getByRole("button", { name: "Edit description" }));
    await user.type(description.getByRole("textbox", { name: "Description" }), " and more");
    await user.click(description.getByRole("button", { name: "Cancel" }));
    expect((await getTask(h.k, task.id))?.body).toBe("## Steps\n\n- [x] read\n- [ ] write");

    await user.click(description.getByRole("button", { name: "Edit description" }));
    const box = description.getByRole("textbox", { name: "Description" });
    await user.clear(box);
    await user.type(box, "Plain *new* text");
    await user.click(description.getByRole("button", { name: "Save" }));
    await waitFor(async () => expect((await getTask(h.k, task.id))?.body).toBe("Plain *new* text"));
    expect((await description.findByText("new")).tagName).toBe("EM");
  });

  it("renders <script>, <img onerror> and javascript: links inert in the description, the result and comments", async () => {
    const h = await drawerHarness();
    const task = await h.seed("Hostile text", { body: HOSTILE });
    await completeTask(h.k, task.id, { result: HOSTILE, summary: "hostile" });
    await addComment(h.k, task.id, "mallory", HOSTILE);
    const { dialog } = await openDrawer(h, task.id, "Hostile text");

    for (const name of ["Description", "Result", "Comments"]) {
      const region = within(dialog).getByRole("region", { name });
      expect(region.textContent).toContain("<script>");
      expect(within(region).getByText("click me")).toBeInTheDocument();
    }
    expectInert(dialog);
  });

  it("shows text as it is when the dashboard's render_markdown is off", async () => {
    const h = await drawerHarness({ config: "dashboard:\n  render_markdown: false\n" });
    const task = await h.seed("Raw text", { body: "## not a heading" });
    const { dialog } = await openDrawer(h, task.id, "Raw text");
    const description = section(dialog, "Description");

    await waitFor(() => expect(description.getByText("## not a heading").tagName).toBe("PRE"));
    expect(description.queryByRole("heading", { name: "not a heading" })).toBeNull();
  });

  it("lists comments with author and markdown, and posts a new one on Enter", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Discussed");
    await addComment(h.k, task.id, "alice", "first **comment**");
    const { dialog } = await openDrawer(h, task.id, "Discussed");
    const comments = section(dialog, "Comments");

    expect(comments.getByRole("heading", { name: "Comments (1)" })).toBeInTheDocument();
    expect(comments.getByText("alice")).toBeInTheDocument();
    expect(comments.getByText("comment").tagName).toBe("STRONG");

    const input = within(dialog).getByRole("textbox", { name: "Add a comment" });
    await user.type(input, "looks good{Enter}");
    expect(await comments.findByRole("heading", { name: "Comments (2)" })).toBeInTheDocument();
    expect((await listComments(h.k, task.id)).map((c) => [c.author, c.body])).toEqual([
      ["alice", "first **comment**"],
      ["dashboard", "looks good"],
    ]);
    expect(input).toHaveValue("");
  });

  it("does not post a blank comment", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Quiet");
    const { dialog } = await openDrawer(h, task.id, "Quiet");

    await user.type(within(dialog).getByRole("textbox", { name: "Add a comment" }), "   {Enter}");
    expect(within(dialog).getByRole("button", { name: "Comment" })).toBeDisabled();
    expect(await listComments(h.k, task.id)).toEqual([]);
  });
});

describe("the drawer's dependencies", () => {
  it("adds a parent and a child from the pickers, and unlinks a chip", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Middle");
    const up = await h.seed("Upstream");
    const down = await h.seed("Downstream");
    const { dialog } = await openDrawer(h, task.id, "Middle");
    const deps = section(dialog, "Dependencies");

    const parentPicker = await deps.findByRole("combobox", { name: "Add parent" });
    await waitFor(() => expect(within(parentPicker).getAllByRole("option")).toHaveLength(3));
    expect(within(parentPicker).queryByRole("option", { name: new RegExp(task.id) })).toBeNull();
    await user.selectOptions(parentPicker, up.id);
    await user.click(deps.getByRole("button", { name: "+ parent" }));
    await waitFor(async () => expect(await parentIds(h.k, task.id)).toEqual([up.id]));

    await user.selectOptions(deps.getByRole("combobox", { name: "Add child" }), down.id);
    await user.click(deps.getByRole("button", { name: "+ child" }));
    await waitFor(async () => expect(await childIds(h.k, task.id)).toEqual([down.id]));

    await user.click(await deps.findByRole("button", { name: `Unlink parent ${up.id}` }));
    await waitFor(async () => expect(await parentIds(h.k, task.id)).toEqual([]));
    await waitFor(() => expect(deps.queryByRole("button", { name: `Unlink parent ${up.id}` })).toBeNull());
  });

  it("shows the server's refusal when a link would make a cycle, and adds nothing", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const a = await h.seed("A");
    const b = await h.seed("B");
    await linkTasks(h.k, a.id, b.id);
    const { dialog } = await openDrawer(h, a.id, "A");
    const deps = section(dialog, "Dependencies");

    // b is a's child already, so it is not offered again; a third task closes the loop through b.
    const c = await h.seed("C");
    await linkTasks(h.k, b.id, c.id);
    await h.queryClient.invalidateQueries();
    const picker = deps.getByRole("combobox", { name: "Add parent" });
    await waitFor(() => expect(within(picker).getByRole("option", { name: new RegExp(c.id) })).toBeInTheDocument());
    await user.selectOptions(picker, c.id);
    await user.click(deps.getByRole("button", { name: "+ parent" }));

    expect(await deps.findByRole("alert")).toHaveTextContent("cycle");
    expect(await parentIds(h.k, a.id)).toEqual([]);
  });
});

describe("the drawer's events, log and run history", () => {
  it("lists events newest first as sentences, with the raw payload behind a disclosure", async () => {
    const h = await drawerHarness();
    const task = await h.seed("Eventful", { assignee: "alice" });
    h.clock.advance(10);
    await blockTask(h.k, task.id, { reason: "needs review" });
    const { dialog } = await openDrawer(h, task.id, "Eventful");
    const events = section(dialog, "Events");

    // A block with a reason also posts it as a comment, "BLOCKED: needs review" (decision 012).
    expect(events.getByRole("heading", { name: "Events (3)" })).toBeInTheDocument();
    const rows = events.getAllByRole("listitem");
    expect(rows.map((r) => r.getAttribute("data-kind"))).toEqual(["commented", "blocked", "created"]);
    expect(rows[0]?.querySelector(".sy-event-head")).toHaveTextContent("user commented (21 characters)");
    expect(rows[1]?.querySelector(".sy-event-head")).toHaveTextContent("Blocked by user: needs review");
    expect(rows[2]?.querySelector(".sy-event-head")).toHaveTextContent("Created in Ready for alice");
    const raw = rows[1]?.querySelector("details");
    expect(raw?.open).toBe(false);
    expect(JSON.parse(raw?.querySelector("pre")?.textContent ?? "")).toEqual({
      reason: "needs review",
      author: "user",
    });
  });

  it("shows the worker log's tail, says when there is none, and refreshes on demand", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Logged");
    const { dialog } = await openDrawer(h, task.id, "Logged");
    const log = section(dialog, "Worker log");

    expect(await log.findByText("No worker log yet.")).toBeInTheDocument();
    const path = workerLogPath(h.k.paths, task.id);
    mkdirSync(h.k.paths.logsDir, { recursive: true });
    writeFileSync(path, "starting\nworking on it\n");
    await user.click(log.getByRole("button", { name: "Refresh log" }));

    expect(await log.findByText(/working on it/)).toBeInTheDocument();
    expect(log.getByRole("heading", { name: "Worker log (23 B)" })).toBeInTheDocument();
    expect(log.queryByText(/Showing only the last/)).toBeNull();
  });

  it("notes a truncated log and names the full log's path", async () => {
    const h = await drawerHarness();
    const task = await h.seed("Chatty");
    mkdirSync(h.k.paths.logsDir, { recursive: true });
    writeFileSync(workerLogPath(h.k.paths, task.id), `${"x".repeat(99)}\n`.repeat(1500));
    const { dialog } = await openDrawer(h, task.id, "Chatty");
    const log = section(dialog, "Worker log");

    expect(await log.findByText(/Showing only the last 97\.7 KB/)).toBeInTheDocument();
    expect(log.getByText(workerLogPath(h.k.paths, task.id))).toBeInTheDocument();
  });

  it("shows the last 3 runs coloured by outcome, and the earlier ones on request", async () => {
    const h = await drawerHarness();
    const user = userEvent.setup();
    const task = await h.seed("Retried", { assignee: "alice" });
    for (let i = 0; i < 4; i++) {
      await claimTask(h.k, task.id);
      h.clock.advance(90);
      await reclaimTask(h.k, task.id, { reason: `attempt ${i + 1}` });
    }
    await claimTask(h.k, task.id);
    h.clock.advance(30);
    await completeTask(h.k, task.id, { summary: "finally", metadata: { tests: 12 } });
    const { dialog } = await openDrawer(h, task.id, "Retried");
    const runs = section(dialog, "Run history");

    expect(runs.getByRole("heading", { name: "Run history (5)" })).toBeInTheDocument();
    let rows = runs.getAllByRole("listitem");
    expect(rows.map((r) => r.getAttribute("data-tone"))).toEqual(["completed", "reclaimed", "reclaimed"]);
    expect(rows[0]).toHaveTextContent("@alice");
    expect(rows[0]).toHaveTextContent("30s");
    expect(rows[0]).toHaveTextContent("finally");
    expect(rows[0]).toHaveTextContent('{"tests":12}');
    expect(rows[1]).toHaveTextContent("manual_reclaim: attempt 4");

    await user.click(runs.getByRole("button", { name: "+2 earlier" }));
    rows = runs.getAllByRole("listitem");
    expect(rows).toHaveLength(5);
  });
});

describe("the drawer's notify toggles", () => {
  it("are hidden when no home channel is configured", async () => {
    const h = await drawerHarness();
    const task = await h.seed("Silent");
    const { dialog } = await openDrawer(h, task.id, "Silent");
    await within(dialog).findByRole("region", { name: "Worker log" });
    expect(within(dialog).queryByRole("region", { name: "Notify home channels" })).toBeNull();
  });

  it("subscribe and unsubscribe the task to a configured home channel", async () => {
    const h = await drawerHarness({
      config: "notify:\n  home:\n    webhook:\n      chat_id: https://hooks.example/ops\n",
    });
    const user = userEvent.setup();
    const task = await h.seed("Watched");
    const { dialog } = await openDrawer(h, task.id, "Watched");
    const notify = within(await within(dialog).findByRole("region", { name: "Notify home channels" }));

    const toggle = notify.getByRole("button", { name: "webhook" });
    expect(toggle).toHaveAttribute("aria-pressed", "false");
    await user.click(toggle);
    expect(await notify.findByRole("button", { name: "✓ webhook" })).toHaveAttribute("aria-pressed", "true");
    await waitFor(async () =>
      expect((await listNotifySubs(h.k, task.id)).map((s) => s.chat_id)).toEqual(["https://hooks.example/ops"]),
    );

    await user.click(notify.getByRole("button", { name: "✓ webhook" }));
    await waitFor(async () => expect(await listNotifySubs(h.k, task.id)).toEqual([]));
    expect(await notify.findByRole("button", { name: "webhook" })).toHaveAttribute("aria-pressed", "false");
  });
});

describe("the drawer's live refresh", () => {
  it("re-reads its task when the task's query is invalidated, as the live stream does for each event", async () => {
    const h = await drawerHarness();
    const task = await h.seed("Live", { assignee: "alice" });
    const { dialog } = await openDrawer(h, task.id, "Live");
    expect(section(dialog, "Recovery").getByRole("button", { name: "Recovery" })).toHaveAttribute(
      "aria-expanded",
      "false",
    );

    await claimTask(h.k, task.id);
    try {
      await completeTask(h.k, task.id, { created_cards: ["t_feedface"] });
    } catch {
      // The gate refuses; its event is what the drawer should now show.
    }
    await h.queryClient.invalidateQueries({ queryKey: ["board", "default", "task", task.id] });

    await waitFor(() =>
      expect(section(dialog, "Recovery").getByRole("button", { name: "⚠ Recovery" })).toHaveAttribute(
        "aria-expanded",
        "true",
      ),
    );
    expect(within(dialog).getByText("t_feedface")).toBeInTheDocument();
    expect(within(dialog).getByText("running", { selector: ".sy-status" })).toBeInTheDocument();
  });
});
