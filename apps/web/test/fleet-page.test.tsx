import { claimTask, completeTask, type Kernel, recordFailure, setWorkerPid } from "@switchyard/core";
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { type BoardHarness, boardHarness, START } from "./board-harness.tsx";

/** Claims a task as a worker would (a run with a pid): the fleet counts worker runs. */
async function claim(k: Kernel, id: string): Promise<number> {
  const run = (await claimTask(k, id))?.current_run_id;
  if (typeof run !== "number") throw new Error(`could not claim ${id}`);
  await setWorkerPid(k, id, run, 5000);
  return run;
}

/**
 * Known runs, on the harness's manual clock (seconds from START), now at +10000:
 * - "Early import" (alice) ran 100–400 and completed: inside the last day, not the last hour.
 * - "Parse feed" (alice) ran 9000–9300 and completed; "Flaky fetch" (alice) crashed 9300–9400.
 * - "Long crawl" (bob) runs since 9500.
 * - "Waiting job" (carol) is ready since START.
 */
async function knownFleet(h: BoardHarness) {
  const at = (t: number) => h.clock.set(START + t);
  const early = await h.seed("Early import", { assignee: "alice" });
  const parse = await h.seed("Parse feed", { assignee: "alice" });
  const flaky = await h.seed("Flaky fetch", { assignee: "alice" });
  const crawl = await h.seed("Long crawl", { assignee: "bob" });
  await h.seed("Waiting job", { assignee: "carol" });
  at(100);
  await claim(h.k, early.id);
  at(400);
  await completeTask(h.k, early.id, { summary: "done" });
  at(9000);
  await claim(h.k, parse.id);
  at(9300);
  await completeTask(h.k, parse.id, { summary: "done" });
  const flakyRun = await claim(h.k, flaky.id);
  at(9400);
  await recordFailure(h.k, flaky.id, { kind: "crashed", error: "died", runId: flakyRun });
  at(9500);
  await claim(h.k, crawl.id);
  at(10_000);
  return { early, parse, flaky, crawl };
}

function openFleet(h: BoardHarness) {
  window.history.replaceState(null, "", "/?view=fleet");
  return h.renderApp();
}

/** The cells of a table row, by the name in its row header. */
function rowOf(table: HTMLElement, name: string): string[] {
  const row = within(table)
    .getAllByRole("row")
    .find((r) => within(r).queryByRole("rowheader")?.textContent === name);
  if (!row) throw new Error(`no row ${name}`);
  return within(row)
    .getAllByRole("cell")
    .map((c) => c.textContent ?? "");
}

function bars(): string[] {
  const timeline = screen.getByRole("region", { name: "Timeline" });
  return within(timeline)
    .queryAllByRole("button")
    .map((b) => b.getAttribute("aria-label") ?? "")
    .sort();
}

function fleetSince(h: BoardHarness): number[] {
  return h.urls.filter((u) => u.pathname.endsWith("/fleet")).map((u) => Number(u.searchParams.get("since")));
}

describe("the fleet page", () => {
  it("shows the figures the server computes: per profile, the runs as bars, throughput and the queue", async () => {
    const h = await boardHarness();
    await knownFleet(h);
    openFleet(h);

    const profiles = await screen.findByRole("table", { name: "Per profile" });
    // Running / cap, Paused, Runs ended, Done, Median run, p90 run, then the six failure kinds.
    expect(rowOf(profiles, "alice")).toEqual(["0", "—", "3", "2", "5m", "5m", "0", "1 · 33%", "0", "0", "0", "0"]);
    expect(rowOf(profiles, "bob").slice(0, 4)).toEqual(["1", "—", "0", "0"]);
    expect(rowOf(screen.getByRole("table", { name: "Per host" }), "testhost").slice(0, 4)).toEqual([
      "1",
      "no lease",
      "3",
      "2",
    ]);

    expect(bars()).toEqual([
      "Early import — completed, 5m",
      "Flaky fetch — crashed, 1m 40s",
      "Long crawl — running, 8m 20s so far",
      "Parse feed — completed, 5m",
    ]);
    const crash = screen.getByRole("button", { name: /^Flaky fetch/ });
    expect(crash).toHaveAttribute("title", "Flaky fetch — crashed, 1m 40s");
    expect(crash).toHaveAttribute("data-tone", "failed");
    // Colour is not the only signal: each outcome has its glyph.
    expect(crash).toHaveTextContent("✕");
    expect(screen.getByRole("button", { name: /^Long crawl/ })).toHaveTextContent("▸");
    expect(within(screen.getByRole("listitem", { name: "bob: 1 runs" })).getAllByRole("button")).toHaveLength(1);

    const throughput = screen.getByRole("region", { name: "Throughput" });
    const figure = (term: string) =>
      within(throughput).getByText(term, { selector: "dt" }).nextElementSibling?.textContent;
    expect(figure("Done in the window")).toBe("2");
    // Created at START, done at +400 and +9300: 400 s and 9300 s.
    expect(figure("Cycle time median")).toBe("1h 20m");
    expect(figure("Cycle time p90")).toBe("2h 20m");
    const doneBars = within(within(throughput).getByRole("list", { name: "Tasks done per hour" })).getAllByRole(
      "listitem",
    );
    expect(doneBars).toHaveLength(25);
    expect(doneBars.filter((b) => / 1 done$/.test(b.getAttribute("aria-label") ?? ""))).toHaveLength(2);

    const queue = screen.getByRole("table", { name: "Ready tasks waiting" });
    expect(rowOf(queue, "carol").slice(0, 3)).toEqual(["1", "0", "2h 46m"]);
    expect(rowOf(queue, "alice").slice(0, 3)).toEqual(["1", "0", "2h 46m"]);
  });

  it("asks for the window chosen: the last day first, then the last hour, whose runs only are drawn", async () => {
    const h = await boardHarness();
    await knownFleet(h);
    openFleet(h);
    await screen.findByRole("button", { name: /^Early import/ });
    expect(fleetSince(h)).toEqual([START + 10_000 - 86_400]);

    await userEvent.setup().click(screen.getByRole("radio", { name: "Last hour" }));
    await waitFor(() => expect(screen.queryByRole("button", { name: /^Early import/ })).not.toBeInTheDocument());
    expect(fleetSince(h)).toEqual([START + 10_000 - 86_400, START + 10_000 - 3600]);
    expect(bars()).toEqual([
      "Flaky fetch — crashed, 1m 40s",
      "Long crawl — running, 8m 20s so far",
      "Parse feed — completed, 5m",
    ]);
    expect(screen.getByRole("radio", { name: "Last hour" })).toBeChecked();
  });

  it("opens a run's task in the drawer when its bar is clicked", async () => {
    const h = await boardHarness();
    const { flaky } = await knownFleet(h);
    openFleet(h);

    await userEvent.setup().click(await screen.findByRole("button", { name: /^Flaky fetch/ }));
    expect(await screen.findByRole("dialog", { name: "Flaky fetch" })).toBeInTheDocument();
    expect(new URLSearchParams(window.location.search).get("task")).toBe(flaky.id);
    expect(new URLSearchParams(window.location.search).get("view")).toBe("fleet");
  });

  it("stays current without a reload: a run that ends elsewhere shows up", async () => {
    const h = await boardHarness();
    const { crawl } = await knownFleet(h);
    openFleet(h);
    await screen.findByRole("button", { name: /^Long crawl — running/ });
    await waitFor(() => expect(h.sockets.length).toBeGreaterThan(0));

    h.clock.set(START + 10_060);
    await completeTask(h.k, crawl.id, { summary: "crawled" });

    expect(await screen.findByRole("button", { name: "Long crawl — completed, 9m 20s" })).toBeInTheDocument();
    await waitFor(() =>
      expect(rowOf(screen.getByRole("table", { name: "Per profile" }), "bob").slice(0, 4)).toEqual([
        "0",
        "—",
        "1",
        "1",
      ]),
    );
  });

  it("is reached from the board by its tab and by f, and f goes back", async () => {
    const h = await boardHarness();
    await h.seed("Some task", { assignee: "alice" });
    h.renderApp();
    await screen.findByRole("article", { name: "Some task" });
    expect(screen.getByRole("link", { name: "Board" })).toHaveAttribute("aria-current", "page");

    const user = userEvent.setup();
    await user.click(screen.getByRole("link", { name: "Fleet" }));
    expect(await screen.findByRole("region", { name: "Fleet" })).toBeInTheDocument();
    expect(new URLSearchParams(window.location.search).get("view")).toBe("fleet");
    expect(screen.queryByRole("article", { name: "Some task" })).not.toBeInTheDocument();

    act(() => document.body.focus());
    await user.keyboard("f");
    expect(await screen.findByRole("article", { name: "Some task" })).toBeInTheDocument();
    expect(window.location.search).toBe("");
    await user.keyboard("f");
    expect(await screen.findByRole("region", { name: "Fleet" })).toBeInTheDocument();
  });
});
