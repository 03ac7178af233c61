import { claimTask, createTask, setCurrentBoard } from "@switchyard/core";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { SELECTED_BOARD_KEY } from "../src/lib/url-state.ts";
import { boardFetches, boardHarness, column, type RecordedRequest } from "./board-harness.tsx";

/** How many times the dashboard fetched the board list. */
function boardsFetches(requests: readonly RecordedRequest[]): number {
  return requests.filter((r) => r.method === "GET" && r.path === "/boards").length;
}

function titles(): string[] {
  return screen.getAllByRole("article").map((a) => a.getAttribute("aria-label") ?? "");
}

describe("the toolbar", () => {
  it("searches id, title, assignee and tenant on the client, without asking the server again", async () => {
    const h = await boardHarness();
    const parser = await h.seed("Write the parser");
    await h.seed("Review docs", { assignee: "alice" });
    await h.seed("Bill customer", { tenant: "acme" });
    h.renderApp();
    await screen.findByRole("article", { name: "Write the parser" });
    const fetches = boardFetches(h.requests);
    const search = screen.getByRole("searchbox", { name: "Search tasks" });

    await userEvent.type(search, "PARSER");
    expect(titles()).toEqual(["Write the parser"]);
    await userEvent.clear(search);
    await userEvent.type(search, "alice");
    expect(titles()).toEqual(["Review docs"]);
    await userEvent.clear(search);
    await userEvent.type(search, "acme");
    expect(titles()).toEqual(["Bill customer"]);
    await userEvent.clear(search);
    await userEvent.type(search, parser.id);
    expect(titles()).toEqual(["Write the parser"]);
    await userEvent.clear(search);
    await userEvent.type(search, "nothing like this");
    expect(screen.queryAllByRole("article")).toHaveLength(0);
    expect(boardFetches(h.requests)).toBe(fetches);
  });

  it("filters by assignee on the client and by tenant on the server", async () => {
    const h = await boardHarness();
    await h.seed("Alice at acme", { assignee: "alice", tenant: "acme" });
    await h.seed("Bob at acme", { assignee: "bob", tenant: "acme" });
    await h.seed("Alice at globex", { assignee: "alice", tenant: "globex" });
    h.renderApp();
    await screen.findByRole("article", { name: "Bob at acme" });

    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Assignee" }), "alice");
    expect(titles().sort()).toEqual(["Alice at acme", "Alice at globex"]);
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Assignee" }), "");

    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Tenant" }), "globex");
    await waitFor(() => expect(titles()).toEqual(["Alice at globex"]));
    expect(h.requests.some((r) => r.path === "/board" && r.method === "GET")).toBe(true);
    expect(screen.getByRole("combobox", { name: "Tenant" })).toHaveValue("globex");
  });

  it("nudges the dispatcher for one tick and shows what it changed", async () => {
    const h = await boardHarness();
    // A claim nobody renewed: the tick releases it. (A task parked in Todo by hand is no longer
    // an example: no tick promotes it, SPEC §3.13.)
    const stale = await h.seed("Claimed and forgotten");
    await claimTask(h.k, stale.id, { ttl: 60 });
    h.clock.advance(120);
    h.renderApp();
    await within(await screen.findByRole("region", { name: "In Progress" })).findByRole("article", {
      name: "Claimed and forgotten",
    });

    await userEvent.click(screen.getByRole("button", { name: "Nudge dispatcher" }));
    await waitFor(() =>
      expect(within(column("Ready")).getByRole("article", { name: "Claimed and forgotten" })).toBeTruthy(),
    );
    expect(h.requests).toContainEqual({ method: "POST", path: "/dispatch" });
  });

  it("refreshes the board from the server on request", async () => {
    const h = await boardHarness();
    await h.seed("One");
    h.renderApp();
    await screen.findByRole("article", { name: "One" });
    const before = boardFetches(h.requests);
    await userEvent.click(screen.getByRole("button", { name: "Refresh" }));
    await waitFor(() => expect(boardFetches(h.requests)).toBe(before + 1));
  });

  it("starts from the dashboard defaults of config.yaml: tenant, lanes and archived", async () => {
    const h = await boardHarness({
      config: "dashboard:\n  default_tenant: acme\n  lane_by_profile: false\n  include_archived_by_default: true\n",
    });
    await h.seed("Acme work", { tenant: "acme" });
    await h.seed("Other work", { tenant: "globex" });
    h.renderApp();
    await screen.findByRole("article", { name: "Acme work" });
    expect(screen.queryByRole("article", { name: "Other work" })).toBeNull();
    expect(screen.getByRole("combobox", { name: "Tenant" })).toHaveValue("acme");
    expect(screen.getByRole("checkbox", { name: "Lanes by profile" })).not.toBeChecked();
    expect(screen.getByRole("checkbox", { name: "Show archived" })).toBeChecked();
    expect(screen.getByRole("region", { name: "Archived" })).toBeInTheDocument();
  });
});

describe("the board switcher", () => {
  it("offers only “+ New board” while the default board is the only one and empty", async () => {
    const h = await boardHarness();
    h.renderApp();
    await screen.findByRole("region", { name: "Ready" });
    expect(await screen.findByRole("button", { name: "+ New board" })).toBeInTheDocument();
    expect(screen.queryByRole("combobox", { name: "Board" })).toBeNull();
  });

  it("lists the board once tasks arrive on an empty home, refetching the boards once for a burst of new tasks", async () => {
    const h = await boardHarness();
    h.renderApp();
    await screen.findByRole("status", { name: "Live updates: Live" });
    expect(screen.getByRole("button", { name: "+ New board" })).toBeInTheDocument();
    expect(screen.queryByRole("combobox", { name: "Board" })).toBeNull();
    const before = boardsFetches(h.requests);

    // Another process (the CLI, a worker) creates three tasks at once.
    const board = await h.kernel("default");
    await board.write(async (k) => {
      for (const title of ["First", "Second", "Third"]) await createTask(k, { title });
    });
    // The counts are refetched a second after the first event that changes them.
    const select = await screen.findByRole("combobox", { name: "Board" }, { timeout: 15_000 });
    expect(within(select).getByRole("option", { name: "Default · 3" })).toBeInTheDocument();
    expect(screen.getByText("3 tasks")).toBeInTheDocument();
    expect(boardsFetches(h.requests)).toBe(before + 1);
  });

  it("refetches the boards' counts on a switch, when another board changed while it was not shown", async () => {
    const h = await boardHarness();
    await h.seed("Default task");
    await h.makeBoard("ops", "Operations");
    await h.seedOn("ops", "Ops task one");
    h.renderApp();
    const select = await screen.findByRole("combobox", { name: "Board" });
    await within(select).findByRole("option", { name: "Operations · 1" });
    await h.seedOn("ops", "Ops task two");
    await h.seedOn("ops", "Ops task three");

    await userEvent.selectOptions(select, "ops");
    await screen.findByRole("article", { name: "Ops task three" });
    expect(await within(select).findByRole("option", { name: "Operations · 3" })).toBeInTheDocument();
    expect(screen.getByText("3 tasks")).toBeInTheDocument();
  });

  it("lists boards with their totals and switches the board shown, keeping it in the URL", async () => {
    const h = await boardHarness();
    await h.seed("Default task");
    await h.makeBoard("ops", "Operations");
    await h.seedOn("ops", "Ops task one");
    await h.seedOn("ops", "Ops task two");
    h.renderApp();
    await screen.findByRole("article", { name: "Default task" });
    const select = await screen.findByRole("combobox", { name: "Board" });
    await waitFor(() =>
      expect(
        within(select)
          .getAllByRole("option")
          .map((o) => o.textContent),
      ).toEqual(["Default · 1", "Operations · 2"]),
    );
    expect(screen.getByText("1 tasks")).toBeInTheDocument();

    await userEvent.selectOptions(select, "ops");
    await screen.findByRole("article", { name: "Ops task one" });
    expect(screen.queryByRole("article", { name: "Default task" })).toBeNull();
    expect(new URLSearchParams(window.location.search).get("board")).toBe("ops");
    expect(window.localStorage.getItem(SELECTED_BOARD_KEY)).toBe("ops");
    expect(screen.getByText("2 tasks")).toBeInTheDocument();
  });

  it("never shows the previous board's cards while the next board loads", async () => {
    const h = await boardHarness();
    await h.seed("Default task");
    await h.makeBoard("ops", "Operations");
    await h.seedOn("ops", "Ops task");
    h.renderApp();
    await screen.findByRole("article", { name: "Default task" });
    const release = h.hold((r) => r.method === "GET" && r.path === "/board");
    await userEvent.selectOptions(await screen.findByRole("combobox", { name: "Board" }), "ops");
    expect(await screen.findByText("Loading board…")).toBeInTheDocument();
    expect(screen.queryByRole("article", { name: "Default task" })).toBeNull();
    release();
    await screen.findByRole("article", { name: "Ops task" });
  });

  it("creates a board from the dialog with a cleaned-up slug and a default name, and switches to it", async () => {
    const h = await boardHarness();
    h.renderApp();
    await userEvent.click(await screen.findByRole("button", { name: "+ New board" }));
    const dialog = screen.getByRole("dialog", { name: "New board" });
    await userEvent.type(within(dialog).getByLabelText("Slug"), "My Board!");
    expect(within(dialog).getByLabelText("Slug")).toHaveValue("my-board-");
    await userEvent.clear(within(dialog).getByLabelText("Slug"));
    await userEvent.type(within(dialog).getByLabelText("Slug"), "Research Lab");
    expect(within(dialog).getByLabelText("Display name")).toHaveAttribute("placeholder", "Research Lab");
    expect(within(dialog).getByLabelText("Icon")).toHaveAttribute("maxLength", "4");
    expect(within(dialog).getByLabelText("Switch to this board")).toBeChecked();
    await userEvent.click(within(dialog).getByRole("button", { name: "Create board" }));

    await waitFor(() => expect(new URLSearchParams(window.location.search).get("board")).toBe("research-lab"));
    expect(screen.queryByRole("dialog", { name: "New board" })).toBeNull();
    const select = await screen.findByRole("combobox", { name: "Board" });
    await waitFor(() => expect(select).toHaveValue("research-lab"));
    expect(within(select).getByRole("option", { name: /Research Lab · 0/ })).toBeInTheDocument();
  });

  it("shows the server's refusal in the dialog and creates nothing for a slug the server rejects", async () => {
    const h = await boardHarness();
    await h.makeBoard("ops");
    h.renderApp();
    await userEvent.click(await screen.findByRole("button", { name: "+ New board" }));
    const dialog = screen.getByRole("dialog", { name: "New board" });
    await userEvent.type(within(dialog).getByLabelText("Slug"), "-ops");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create board" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(/board slug must match/);
    expect(screen.getByRole("dialog", { name: "New board" })).toBeInTheDocument();
    expect(new URLSearchParams(window.location.search).get("board")).toBeNull();
    const boards = await h.api.client.boards.$get({ query: {} }).then((r) => r.json());
    expect(boards.boards.map((b) => b.slug)).toEqual(["default", "ops"]);
  });

  it("archives a board after confirmation and goes back to the default board", async () => {
    const h = await boardHarness();
    await h.seed("Default task");
    await h.makeBoard("ops", "Operations");
    window.history.replaceState(null, "", "/?board=ops");
    h.renderApp();
    await screen.findByRole("region", { name: "Ready" });
    await userEvent.click(await screen.findByRole("button", { name: "Archive" }));
    const dialog = screen.getByRole("dialog", { name: "Archive board Operations?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Archive board" }));
    await screen.findByRole("article", { name: "Default task" });
    expect(new URLSearchParams(window.location.search).get("board")).toBeNull();
    await waitFor(() =>
      expect(
        within(screen.getByRole("combobox", { name: "Board" })).queryByRole("option", { name: /Operations/ }),
      ).toBeNull(),
    );
  });

  it("shows the default board when asked for it, even while the CLI's current board is another", async () => {
    const h = await boardHarness();
    await h.seed("Default task");
    await h.makeBoard("ops", "Operations");
    await h.seedOn("ops", "Ops task");
    await setCurrentBoard(h.home, "ops");
    h.renderApp();
    await screen.findByRole("article", { name: "Default task" });
    expect(screen.queryByRole("article", { name: "Ops task" })).toBeNull();
    await waitFor(() => expect(h.sockets.at(-1)?.url.searchParams.get("board")).toBe("default"));
    await createTask(h.k, { title: "Later on default" });
    await screen.findByRole("article", { name: "Later on default" });
  });

  it("falls back to the default board when the remembered board no longer exists", async () => {
    const h = await boardHarness();
    await h.seed("Default task");
    window.localStorage.setItem(SELECTED_BOARD_KEY, "gone");
    h.renderApp();
    await screen.findByRole("article", { name: "Default task" });
    expect(window.localStorage.getItem(SELECTED_BOARD_KEY)).toBeNull();
  });
});
