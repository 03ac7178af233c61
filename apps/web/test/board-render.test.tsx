import { addComment, claimTask, completeTask, heartbeatWorker, linkTasks } from "@switchyard/core";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { boardHarness, card, column } from "./board-harness.tsx";

const HOUR = 3600;
const DAY = 86_400;

const WORKER_CONFIG = `
profiles:
  worker:
    command: ["true"]
    max_in_progress: 1
`;

describe("the board's columns", () => {
  it("shows the six columns in order with their labels, counts, help lines and empty states", async () => {
    const h = await boardHarness();
    await h.seed("Write the parser", { assignee: "alice" });
    h.renderApp();
    await screen.findByRole("article", { name: "Write the parser" });
    const labels = within(screen.getByRole("main"))
      .getAllByRole("region")
      .map((r) => r.getAttribute("aria-label"));
    expect(labels).toEqual(["Triage", "Todo", "Ready", "In Progress", "Blocked", "Done"]);
    expect(within(column("Ready")).getByText("1")).toBeInTheDocument();
    expect(within(column("Ready")).getByText(/dispatcher starts these/)).toBeInTheDocument();
    expect(within(column("Done")).getByText("— no tasks —")).toBeInTheDocument();
    expect(within(column("Ready")).queryByText("— no tasks —")).toBeNull();
    expect(card("Write the parser", column("Ready"))).toBeInTheDocument();
  });

  it("adds the Archived column only while archived tasks are shown", async () => {
    const h = await boardHarness();
    const old = await h.seed("Old idea");
    await h.seed("Live idea");
    await completeTask(h.k, old.id, { result: "done" });
    await h.k.write((k) => k.db.run("UPDATE tasks SET status = 'archived' WHERE id = ?", [old.id]));
    h.renderApp();
    await screen.findByRole("article", { name: "Live idea" });
    expect(screen.queryByRole("region", { name: "Archived" })).toBeNull();
    expect(screen.queryByRole("article", { name: "Old idea" })).toBeNull();

    await userEvent.click(screen.getByRole("checkbox", { name: "Show archived" }));
    const archived = await screen.findByRole("region", { name: "Archived" });
    expect(card("Old idea", archived)).toBeInTheDocument();
  });

  it("groups the running column into lanes by profile, sorted by name, until lanes are turned off", async () => {
    const h = await boardHarness();
    for (const [title, who] of [
      ["Crawl docs", "zed"],
      ["Index docs", "amy"],
      ["Rank docs", "amy"],
      ["Orphan job", null],
    ] as const) {
      const t = await h.seed(title, { assignee: who });
      await claimTask(h.k, t.id);
    }
    h.renderApp();
    const running = await screen.findByRole("region", { name: "In Progress" });
    await within(running).findByRole("article", { name: "Crawl docs" });
    const lanes = within(running)
      .getAllByRole("heading", { level: 3 })
      .map((l) => l.textContent);
    expect(lanes).toEqual(["(unassigned)1", "amy2", "zed1"]);
    expect(within(running).getByRole("list", { name: "In Progress · amy" })).toHaveTextContent("Index docs");

    await userEvent.click(screen.getByRole("checkbox", { name: "Lanes by profile" }));
    expect(within(running).queryAllByRole("heading", { level: 3 })).toHaveLength(0);
    expect(within(running).getAllByRole("article")).toHaveLength(4);
  });
});

describe("a card", () => {
  it("shows its id, priority, tenant, child progress, title, assignee, comment and link counts, and age", async () => {
    const h = await boardHarness();
    const parent = await h.seed("Ship v1", { assignee: "alice", priority: 3, tenant: "acme" });
    const a = await h.seed("Child A");
    const b = await h.seed("Child B");
    await completeTask(h.k, a.id, { result: "ok" });
    await linkTasks(h.k, parent.id, a.id);
    await linkTasks(h.k, parent.id, b.id);
    await addComment(h.k, parent.id, "bob", "first");
    await addComment(h.k, parent.id, "bob", "second");
    h.clock.advance(2 * HOUR);
    h.renderApp();

    const el = await screen.findByRole("article", { name: "Ship v1" });
    const c = within(el);
    expect(c.getByRole("checkbox", { name: `Select ${parent.id}` })).not.toBeChecked();
    expect(c.getByText(parent.id)).toBeInTheDocument();
    expect(c.getByText("P3")).toBeInTheDocument();
    expect(c.getByText("acme")).toBeInTheDocument();
    expect(c.getByText("1/2")).toHaveAttribute("title", "1 of 2 child tasks done");
    expect(c.getByText("@alice")).toBeInTheDocument();
    expect(c.getByTitle("2 comment(s)")).toHaveTextContent("2");
    expect(c.getByTitle("2 link(s)")).toHaveTextContent("2");
    expect(c.getByTitle("Time since creation")).toHaveTextContent("2h");
    // A child counts its one parent; a card without priority, tenant or assignee shows none of them.
    const child = within(screen.getByRole("article", { name: "Child B" }));
    expect(child.getByTitle("1 link(s)")).toHaveTextContent("1");
    expect(child.getByText("unassigned")).toBeInTheDocument();
    expect(child.queryByText(/^P\d/)).toBeNull();
  });

  it("draws its comment, link and warning icons as inline SVG, never as emoji glyphs that show as boxes without an emoji font", async () => {
    const h = await boardHarness();
    const t = await h.seed("Iconic", { assignee: "alice" });
    await addComment(h.k, t.id, "bob", "hello");
    await claimTask(h.k, t.id);
    await expect(
      completeTask(h.k, t.id, { result: "made t_deadbeef", created_cards: ["t_deadbeef"] }),
    ).rejects.toThrow();
    h.renderApp();
    const el = await screen.findByRole("article", { name: "Iconic" });
    expect(el.textContent).not.toMatch(/\p{Extended_Pictographic}/u);
    expect(el.querySelectorAll("svg.sy-icon")).toHaveLength(3);
    expect(within(el).getByTitle("1 comment(s)")).toHaveTextContent("1 comment(s)");
    expect(within(el).getByTitle("0 link(s)")).toHaveTextContent("0 link(s)");
  });

  it("marks full child progress differently from partial progress", async () => {
    const h = await boardHarness();
    const parent = await h.seed("Parent");
    const child = await h.seed("Only child");
    await completeTask(h.k, child.id, { result: "ok" });
    await linkTasks(h.k, parent.id, child.id);
    h.renderApp();
    const el = await screen.findByRole("article", { name: "Parent" });
    expect(within(el).getByText("1/1")).toHaveClass("sy-progress-full");
  });

  it("carries a ⚠ badge with its tooltip while hallucination warnings are active, and a clean card has none", async () => {
    const h = await boardHarness();
    const warned = await h.seed("Fix flaky test", { assignee: "alice" });
    const clean = await h.seed("Clean task", { assignee: "alice" });
    await claimTask(h.k, warned.id);
    await expect(
      completeTask(h.k, warned.id, { result: "made t_deadbeef", created_cards: ["t_deadbeef"] }),
    ).rejects.toThrow();
    h.renderApp();
    const el = await screen.findByRole("article", { name: "Fix flaky test" });
    const badge = within(el).getByRole("img", { name: "1 hallucination event(s) since last clean completion" });
    expect(badge).toHaveAttribute("title", "1 hallucination event(s) since last clean completion");
    expect(badge).toHaveTextContent(/^1$/);
    expect(within(screen.getByRole("article", { name: clean.title })).queryByRole("img")).toBeNull();
  });

  it("outlines stale cards amber or red by their age in the column", async () => {
    const h = await boardHarness();
    const fresh = await h.seed("Fresh ready");
    h.clock.advance(-2 * DAY);
    const red = await h.seed("Two days ready");
    h.clock.advance(2 * DAY - 2 * HOUR);
    const amber = await h.seed("Two hours ready");
    h.clock.advance(2 * HOUR);
    h.renderApp();
    await screen.findByRole("article", { name: fresh.title });
    expect(card(fresh.title)).toHaveClass("sy-stale-fresh");
    expect(card(amber.title)).toHaveClass("sy-stale-amber");
    expect(card(red.title)).toHaveClass("sy-stale-red");
  });

  it("shows a running card's heartbeat age and the time left on its claim, and how stale the run is", async () => {
    const h = await boardHarness();
    const t = await h.seed("Crunch numbers", { assignee: "alice" });
    await claimTask(h.k, t.id, { ttl: 900 });
    h.clock.advance(20 * 60);
    await heartbeatWorker(h.k, t.id, { ttl: 900 });
    h.clock.advance(30);
    h.renderApp();
    const el = await screen.findByRole("article", { name: "Crunch numbers" });
    expect(within(el).getByText("heartbeat 30s ago")).toBeInTheDocument();
    expect(within(el).getByText("claim 14m left")).toBeInTheDocument();
    // Running for 20 minutes: amber (10 min), not yet red (1 h).
    expect(el).toHaveClass("sy-stale-amber");
  });

  it("says a running card has no heartbeat yet, and when its claim expired", async () => {
    const h = await boardHarness();
    const t = await h.seed("Silent worker", { assignee: "alice" });
    await claimTask(h.k, t.id, { ttl: 60 });
    h.clock.advance(120);
    h.renderApp();
    const el = await screen.findByRole("article", { name: "Silent worker" });
    expect(within(el).getByText("no heartbeat yet")).toBeInTheDocument();
    expect(within(el).getByText("claim expired 1m ago")).toBeInTheDocument();
  });
});

describe("the “why isn't this running?” line", () => {
  it("names the missing assignee, an assignee with no profile, a pull lane, unfinished parents, and the stopped dispatcher", async () => {
    const h = await boardHarness({ config: WORKER_CONFIG, dispatcherEnabled: false });
    await h.seed("Nobody's job");
    await h.seed("Bob's job", { assignee: "bob" });
    // Pat has no profile but has taken work with claim on this board: a pull lane.
    await claimTask(h.k, (await h.seed("Pat's first", { assignee: "pat" })).id);
    await h.seed("Pat's next", { assignee: "pat" });
    await h.seed("Worker's job", { assignee: "worker" });
    const p1 = await h.seed("Parent one");
    const p2 = await h.seed("Parent two");
    await h.seed("Waiting child", { assignee: "worker", parents: [p1.id, p2.id] });
    h.renderApp();
    await screen.findByRole("article", { name: "Waiting child" });
    expect(within(card("Nobody's job")).getByText("Unassigned")).toBeInTheDocument();
    expect(
      within(card("Bob's job")).getByText(
        "No profile named bob: add it to config.yaml, or take the task with switchyard claim",
      ),
    ).toBeInTheDocument();
    expect(
      within(card("Pat's next")).getByText("pat is a pull lane: it takes work with switchyard claim"),
    ).toBeInTheDocument();
    expect(within(card("Worker's job")).getByText("Dispatcher off")).toBeInTheDocument();
    expect(within(card("Waiting child")).getByText(`Waiting on parents ${p1.id} and ${p2.id}`)).toBeInTheDocument();
    expect(card("Waiting child").closest("section")).toHaveAttribute("aria-label", "Todo");
  });

  it("says a ready card waits for its profile's capacity, and says nothing once it can start", async () => {
    const h = await boardHarness({ config: WORKER_CONFIG, dispatcherEnabled: true });
    const busy = await h.seed("Already running", { assignee: "worker" });
    await claimTask(h.k, busy.id);
    await h.seed("Next in line", { assignee: "worker" });
    h.renderApp();
    const next = await screen.findByRole("article", { name: "Next in line" });
    expect(within(next).getByText("Profile worker at capacity (1/1 running)")).toBeInTheDocument();

    await completeTask(h.k, busy.id, { result: "done" });
    await userEvent.click(screen.getByRole("button", { name: "Refresh" }));
    await waitFor(() => expect(within(card("Already running")).queryByText(/heartbeat/)).toBeNull());
    await waitFor(() => expect(within(card("Next in line")).queryByText(/capacity/)).toBeNull());
    expect(card("Next in line").querySelector(".sy-card-why")).toBeNull();
  });
});

describe("accessibility", () => {
  it("gives every control on a busy board an accessible name", async () => {
    const h = await boardHarness({ config: WORKER_CONFIG });
    const t = await h.seed("Busy", { assignee: "worker", priority: 2, tenant: "acme" });
    const running = await h.seed("Running", { assignee: "worker" });
    await claimTask(h.k, running.id);
    await expect(completeTask(h.k, t.id, { result: "x", created_cards: ["t_deadbeef"] })).rejects.toThrow();
    h.renderApp();
    await screen.findByRole("article", { name: "Busy" });
    await userEvent.click(within(card("Busy")).getByRole("checkbox"));
    await userEvent.click(screen.getByRole("button", { name: "Create a task in Ready" }));
    await userEvent.click(screen.getByRole("button", { name: "Show" }));
    const roles = ["button", "checkbox", "combobox", "textbox", "spinbutton", "searchbox", "article", "region"];
    const controls = roles.flatMap((role) => screen.queryAllByRole(role));
    expect(controls.length).toBeGreaterThan(25);
    const unnamed = roles.flatMap((role) =>
      screen.queryAllByRole(role, { name: (name) => name.trim() === "" }).map((c) => c.outerHTML.slice(0, 80)),
    );
    expect(unnamed).toEqual([]);
  });
});
