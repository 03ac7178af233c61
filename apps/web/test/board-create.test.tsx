import { getTask, parentIds } from "@switchyard/core";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { boardHarness, column } from "./board-harness.tsx";

describe("inline create", () => {
  it("creates a task with every field of the form, and it lands where the kernel puts it", async () => {
    const h = await boardHarness();
    const parent = await h.seed("Design the schema");
    h.renderApp();
    await screen.findByRole("article", { name: "Design the schema" });
    await userEvent.click(within(column("Ready")).getByRole("button", { name: "Create a task in Ready" }));
    const form = screen.getByRole("form", { name: "New task in Ready" });
    const f = within(form);
    await userEvent.type(f.getByRole("textbox", { name: "Title" }), "Write the migrations");
    await userEvent.type(f.getByRole("textbox", { name: "Assignee" }), "alice");
    await userEvent.clear(f.getByRole("spinbutton", { name: "Priority" }));
    await userEvent.type(f.getByRole("spinbutton", { name: "Priority" }), "2");
    await userEvent.type(f.getByRole("textbox", { name: "Skills" }), "sql, migrations ,");
    expect(f.queryByRole("textbox", { name: "Workspace path" })).toBeNull();
    await userEvent.selectOptions(f.getByRole("combobox", { name: "Workspace kind" }), "dir");
    await userEvent.type(f.getByRole("textbox", { name: "Workspace path" }), "/srv/app");
    await userEvent.selectOptions(f.getByRole("combobox", { name: "Parent" }), parent.id);
    await userEvent.type(f.getByRole("textbox", { name: "Title" }), "{Enter}");

    // An unfinished parent means todo, whatever column the form was opened from.
    const created = await within(column("Todo")).findByRole("article", { name: "Write the migrations" });
    expect(screen.queryByRole("form", { name: "New task in Ready" })).toBeNull();
    const id = created.getAttribute("data-task-id") ?? "";
    const task = await getTask(h.k, id);
    expect(task).toMatchObject({
      assignee: "alice",
      priority: 2,
      skills: ["sql", "migrations"],
      workspace_kind: "dir",
      workspace_path: "/srv/app",
      created_by: "dashboard",
      status: "todo",
    });
    expect(await parentIds(h.k, id)).toEqual([parent.id]);
  });

  it("creates in triage only from the Triage column, with its own placeholders", async () => {
    const h = await boardHarness();
    h.renderApp();
    await userEvent.click(await screen.findByRole("button", { name: "Create a task in Triage" }));
    const form = within(screen.getByRole("form", { name: "New task in Triage" }));
    expect(form.getByRole("textbox", { name: "Title" })).toHaveAttribute(
      "placeholder",
      "Rough idea — AI will spec it…",
    );
    expect(form.getByRole("textbox", { name: "Assignee" })).toHaveAttribute("placeholder", "specifier");
    await userEvent.type(form.getByRole("textbox", { name: "Title" }), "Maybe a cache?{Enter}");
    await within(column("Triage")).findByRole("article", { name: "Maybe a cache?" });

    await userEvent.click(screen.getByRole("button", { name: "Create a task in Done" }));
    await userEvent.type(
      within(screen.getByRole("form", { name: "New task in Done" })).getByRole("textbox", { name: "Title" }),
      "Plain task{Enter}",
    );
    await within(column("Ready")).findByRole("article", { name: "Plain task" });
  });

  it("shows the server's warning for a task no dispatcher will start", async () => {
    const h = await boardHarness({ dispatcherEnabled: false });
    h.renderApp();
    await userEvent.click(await screen.findByRole("button", { name: "Create a task in Ready" }));
    const form = within(screen.getByRole("form", { name: "New task in Ready" }));
    await userEvent.type(form.getByRole("textbox", { name: "Assignee" }), "alice");
    await userEvent.type(form.getByRole("textbox", { name: "Title" }), "Needs a worker{Enter}");
    await screen.findByRole("article", { name: "Needs a worker" });
    const notice = screen.getByText(/^Task created, but: /);
    expect(notice).toHaveTextContent(/no dispatcher is running, so this task will not start by itself/);
    expect(notice.closest("[role=status]")).not.toBeNull();
  });

  it("keeps the form open with the server's reason, and creates nothing, when the input is refused", async () => {
    const h = await boardHarness();
    h.renderApp();
    await userEvent.click(await screen.findByRole("button", { name: "Create a task in Ready" }));
    const form = within(screen.getByRole("form", { name: "New task in Ready" }));
    await userEvent.selectOptions(form.getByRole("combobox", { name: "Workspace kind" }), "dir");
    await userEvent.type(form.getByRole("textbox", { name: "Workspace path" }), "relative/path");
    await userEvent.type(form.getByRole("textbox", { name: "Title" }), "Bad workspace{Enter}");
    expect(await form.findByRole("alert")).toHaveTextContent(/absolute/);
    expect(screen.queryByRole("article", { name: "Bad workspace" })).toBeNull();
    const k = await h.kernel("default");
    expect(await k.db.get("SELECT COUNT(*) AS n FROM tasks", [])).toEqual({ n: 0 });
  });

  it("closes on Escape without creating anything, and the “+” toggles it", async () => {
    const h = await boardHarness();
    h.renderApp();
    const plus = await screen.findByRole("button", { name: "Create a task in Ready" });
    await userEvent.click(plus);
    expect(plus).toHaveAttribute("aria-expanded", "true");
    await userEvent.type(screen.getByRole("textbox", { name: "Title" }), "Never mind{Escape}");
    expect(screen.queryByRole("form", { name: "New task in Ready" })).toBeNull();
    await userEvent.click(plus);
    await userEvent.click(plus);
    expect(screen.queryByRole("form", { name: "New task in Ready" })).toBeNull();
    await waitFor(() => expect(h.requests.filter((r) => r.method === "POST")).toHaveLength(0));
  });
});

describe("the create dialog (c)", () => {
  it("creates with title, description, assignee, priority and parents, and “Create more” keeps it open", async () => {
    const h = await boardHarness({ config: 'profiles:\n  coder:\n    command: ["true"]\n' });
    const parent = await h.seed("Design the schema");
    const other = await h.seed("Pick a database");
    h.renderApp();
    await screen.findByRole("article", { name: "Pick a database" });
    const user = userEvent.setup();

    await user.keyboard("c");
    const dialog = screen.getByRole("dialog", { name: "New task" });
    const d = within(dialog);
    expect(d.getByRole("textbox", { name: "Title" })).toHaveFocus();
    expect(within(d.getByRole("listbox", { name: "Parents" })).getAllByRole("option")).toHaveLength(2);
    await user.keyboard("Write the migrations");
    await user.type(d.getByRole("textbox", { name: "Description" }), "Up and *down*.");
    await user.type(d.getByRole("combobox", { name: "Assignee" }), "coder");
    await user.clear(d.getByRole("spinbutton", { name: "Priority" }));
    await user.type(d.getByRole("spinbutton", { name: "Priority" }), "2");
    await user.selectOptions(d.getByRole("listbox", { name: "Parents" }), [parent.id, other.id]);
    await user.click(d.getByRole("checkbox", { name: "Create more" }));
    await user.click(d.getByRole("textbox", { name: "Title" }));
    await user.keyboard("{Enter}");

    // Created: the dialog stays, emptied of title and description, ready for the next one.
    const first = await within(column("Todo")).findByRole("article", { name: "Write the migrations" });
    const id = first.getAttribute("data-task-id") ?? "";
    expect(await screen.findByText(`Created ${id}.`)).toBeInTheDocument();
    expect(d.getByRole("textbox", { name: "Title" })).toHaveValue("");
    expect(d.getByRole("textbox", { name: "Title" })).toHaveFocus();
    expect(d.getByRole("textbox", { name: "Description" })).toHaveValue("");
    expect(d.getByRole("combobox", { name: "Assignee" })).toHaveValue("coder");
    expect(await getTask(h.k, id)).toMatchObject({
      body: "Up and *down*.",
      assignee: "coder",
      priority: 2,
      status: "todo",
      created_by: "dashboard",
    });
    expect((await parentIds(h.k, id)).sort()).toEqual([parent.id, other.id].sort());

    await user.keyboard("Write the seed data{Enter}");
    await within(column("Todo")).findByRole("article", { name: "Write the seed data" });
    await user.click(d.getByRole("checkbox", { name: "Create more" }));
    await user.click(d.getByRole("textbox", { name: "Title" }));
    await user.keyboard("Last one{Enter}");
    await within(column("Todo")).findByRole("article", { name: "Last one" });
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "New task" })).toBeNull());
  });

  it("starts in Triage when ticked, and keeps what was typed with the server's reason when refused", async () => {
    const h = await boardHarness();
    h.renderApp();
    await screen.findByRole("region", { name: "Triage" });
    const user = userEvent.setup();
    await user.keyboard("c");
    const d = within(screen.getByRole("dialog", { name: "New task" }));
    await user.keyboard("Maybe a cache?");
    await user.click(d.getByRole("checkbox", { name: "Start in Triage" }));
    await user.clear(d.getByRole("spinbutton", { name: "Priority" }));
    await user.type(d.getByRole("spinbutton", { name: "Priority" }), "9999999");
    await user.click(d.getByRole("button", { name: "Create" }));
    expect(await d.findByRole("alert")).toHaveTextContent(/^Invalid input: .*priority/);
    expect(d.getByRole("textbox", { name: "Title" })).toHaveValue("Maybe a cache?");

    await user.clear(d.getByRole("spinbutton", { name: "Priority" }));
    await user.click(d.getByRole("button", { name: "Create" }));
    await within(column("Triage")).findByRole("article", { name: "Maybe a cache?" });
    expect(screen.queryByRole("dialog", { name: "New task" })).toBeNull();
  });
});
