import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { type BoardHarness, boardHarness, column } from "./board-harness.tsx";

function titles(): string[] {
  return screen
    .getAllByRole("article")
    .map((a) => a.getAttribute("aria-label") ?? "")
    .sort();
}

function query(): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(window.location.search));
}

/** A reload: the page starts again from its URL, with nothing cached. */
async function reload(h: BoardHarness, page: { unmount(): void }) {
  page.unmount();
  h.queryClient.clear();
  const again = h.renderApp();
  await screen.findByRole("searchbox", { name: "Search tasks" });
  return again;
}

/** Back or Forward, as the browser does it: the URL changes, then `popstate`. */
async function go(delta: number) {
  const moved = new Promise((resolve) => window.addEventListener("popstate", resolve, { once: true }));
  act(() => window.history.go(delta));
  await act(async () => {
    await moved;
  });
}

describe("the toolbar's view in the URL", () => {
  it("keeps search, assignee, tenant, archived and lanes across a reload", async () => {
    const h = await boardHarness();
    await h.seed("Alice at acme", { assignee: "alice", tenant: "acme" });
    await h.seed("Alice parser at acme", { assignee: "alice", tenant: "acme" });
    await h.seed("Bob at acme", { assignee: "bob", tenant: "acme" });
    await h.seed("Alice at globex", { assignee: "alice", tenant: "globex" });
    const gone = await h.seed("Old parser", { assignee: "alice", tenant: "acme" });
    await h.k.db.run("UPDATE tasks SET status = 'archived' WHERE id = ?", [gone.id]);
    const page = h.renderApp();
    await screen.findByRole("article", { name: "Bob at acme" });

    const user = userEvent.setup();
    await user.selectOptions(screen.getByRole("combobox", { name: "Tenant" }), "acme");
    await user.selectOptions(screen.getByRole("combobox", { name: "Assignee" }), "alice");
    await user.click(screen.getByRole("checkbox", { name: "Show archived" }));
    await user.click(screen.getByRole("checkbox", { name: "Lanes by profile" }));
    await user.type(screen.getByRole("searchbox", { name: "Search tasks" }), "parser");
    await waitFor(() => expect(titles()).toEqual(["Alice parser at acme", "Old parser"]));
    expect(query()).toEqual({ tenant: "acme", assignee: "alice", archived: "1", lanes: "0", q: "parser" });

    await reload(h, page);
    await waitFor(() => expect(titles()).toEqual(["Alice parser at acme", "Old parser"]));
    expect(screen.getByRole("searchbox", { name: "Search tasks" })).toHaveValue("parser");
    expect(screen.getByRole("combobox", { name: "Tenant" })).toHaveValue("acme");
    expect(screen.getByRole("combobox", { name: "Assignee" })).toHaveValue("alice");
    expect(screen.getByRole("checkbox", { name: "Show archived" })).toBeChecked();
    expect(screen.getByRole("checkbox", { name: "Lanes by profile" })).not.toBeChecked();
    expect(within(column("Archived")).getByRole("article", { name: "Old parser" })).toBeInTheDocument();
  });

  it("opens a shared link with its view, and leaves defaults out of the URL", async () => {
    const h = await boardHarness({ config: "dashboard:\n  default_tenant: acme\n" });
    await h.seed("At acme", { tenant: "acme" });
    await h.seed("At globex", { tenant: "globex" });
    window.history.replaceState(null, "", "/?tenant=");
    h.renderApp();
    // `tenant=` (present, empty) is "all tenants", overriding the configured default.
    await screen.findByRole("article", { name: "At globex" });
    expect(titles()).toEqual(["At acme", "At globex"]);
    expect(screen.getByRole("combobox", { name: "Tenant" })).toHaveValue("");

    // Back to the configured default: the URL no longer needs to say.
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Tenant" }), "acme");
    await waitFor(() => expect(titles()).toEqual(["At acme"]));
    expect(query()).toEqual({});
  });

  it("makes one history entry for typing a search, and Back and Forward step through filter changes", async () => {
    const h = await boardHarness();
    await h.seed("Write the parser", { assignee: "alice" });
    await h.seed("Review docs", { assignee: "bob" });
    h.renderApp();
    await screen.findByRole("article", { name: "Review docs" });
    const start = window.history.length;

    await userEvent.type(screen.getByRole("searchbox", { name: "Search tasks" }), "parser");
    expect(window.history.length).toBe(start);
    expect(query()).toEqual({ q: "parser" });
    await userEvent.clear(screen.getByRole("searchbox", { name: "Search tasks" }));
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Assignee" }), "bob");
    expect(window.history.length).toBe(start + 1);
    expect(titles()).toEqual(["Review docs"]);

    await go(-1);
    expect(screen.getByRole("combobox", { name: "Assignee" })).toHaveValue("");
    expect(titles()).toEqual(["Review docs", "Write the parser"]);
    await go(1);
    expect(screen.getByRole("combobox", { name: "Assignee" })).toHaveValue("bob");
    expect(titles()).toEqual(["Review docs"]);

    // The drawer's ?task= lives beside the filters: opening and closing it keeps them.
    await userEvent.click(screen.getByRole("article", { name: "Review docs" }));
    await screen.findByRole("dialog", { name: "Review docs" });
    expect(query()).toMatchObject({ assignee: "bob" });
    await go(-1);
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Review docs" })).toBeNull());
    expect(query()).toEqual({ assignee: "bob" });
  });
});
