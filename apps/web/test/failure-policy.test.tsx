import type { BoardResponse } from "@switchyard/contract";
import {
  boardView,
  claimTask,
  createTask,
  eventsSince,
  type Kernel,
  listEvents,
  pausedProfiles,
  recordWorkerExit,
  requireTask,
  resumeProfile,
  setMaxRetries,
  setWorkerPid,
} from "@switchyard/core";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { applyEvents } from "../src/api/apply-events.ts";
import { whyIdle } from "../src/lib/why-idle.ts";
import { type BoardHarness, boardHarness, card, metaRow } from "./board-harness.tsx";
import { freshKernel } from "./fresh-kernel.ts";

/** The failure policy in the dashboard (decision 013): the drawer's max retries and backoff, and paused profiles. */

/** Generous for a loaded machine; `waitFor` returns as soon as the condition holds. */
const SLOW = { timeout: 10_000 };

/** Claims the task and lets its worker exit with `code`, as the dispatcher would record it. */
async function workerExits(k: Kernel, id: string, code: number, lastLine = "fatal: invalid API key") {
  const runId = (await claimTask(k, id))?.current_run_id as number;
  await setWorkerPid(k, id, runId, 5000);
  await recordWorkerExit(k, id, runId, { pid: 5000, code, signal: null, lastLine });
}

/** Three tasks of `profile` whose workers die the same way: the profile is paused on the board. */
async function pauseProfile(h: BoardHarness, profile: string): Promise<string[]> {
  const ids: string[] = [];
  for (const title of ["one", "two", "three"]) {
    const task = await h.seed(`${profile} ${title}`, { assignee: profile });
    await workerExits(h.k, task.id, 1);
    ids.push(task.id);
  }
  return ids;
}

describe("the drawer's max retries", () => {
  it("shows the board default, saves a number, and clears back to the default", async () => {
    const h = await boardHarness();
    const user = userEvent.setup();
    const task = await h.seed("Fragile import", { assignee: "alice" });
    window.history.replaceState(null, "", `/?task=${task.id}`);
    h.renderApp();
    const dialog = await screen.findByRole("dialog", { name: "Fragile import" });
    expect(metaRow(dialog, "Max retries")).toHaveTextContent("board default");

    await user.click(within(dialog).getByRole("button", { name: "Edit max retries: board default" }));
    await user.type(within(dialog).getByRole("spinbutton", { name: "Max retries" }), "2{Enter}");
    await waitFor(() => expect(metaRow(dialog, "Max retries")).toHaveTextContent("gives up after 2 failure(s)"), SLOW);
    await waitFor(async () => expect((await requireTask(h.k, task.id)).max_retries).toBe(2), SLOW);

    await user.click(within(dialog).getByRole("button", { name: "Edit max retries: gives up after 2 failure(s)" }));
    await user.clear(within(dialog).getByRole("spinbutton", { name: "Max retries" }));
    await user.keyboard("{Enter}");
    await waitFor(() => expect(metaRow(dialog, "Max retries")).toHaveTextContent("board default"), SLOW);
    await waitFor(async () => expect((await requireTask(h.k, task.id)).max_retries).toBeNull(), SLOW);
  });

  it("shows the server's refusal of a value out of range and keeps the stored one", async () => {
    const h = await boardHarness();
    const user = userEvent.setup();
    const task = await h.seed("Fragile import", { assignee: "alice", max_retries: 3 });
    window.history.replaceState(null, "", `/?task=${task.id}`);
    h.renderApp();
    const dialog = await screen.findByRole("dialog", { name: "Fragile import" });
    await user.click(within(dialog).getByRole("button", { name: "Edit max retries: gives up after 3 failure(s)" }));
    const input = within(dialog).getByRole("spinbutton", { name: "Max retries" });
    await user.clear(input);
    await user.type(input, "0{Enter}");
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(/max_retries must be 1 or more/);
    await waitFor(() => expect(metaRow(dialog, "Max retries")).toHaveTextContent("gives up after 3 failure(s)"), SLOW);
    expect((await requireTask(h.k, task.id)).max_retries).toBe(3);
  });

  it("shows when a rate-limited task can be claimed again", async () => {
    const h = await boardHarness({ config: 'profiles:\n  alice:\n    command: ["true"]\n' });
    // The drawer counts down on this machine's clock: the board's clock is set 1000 s ahead of it,
    // so the 30 s backoff reads as 17 minutes however slowly the test runs.
    h.clock.set(Math.floor(Date.now() / 1000) + 1000);
    const task = await h.seed("Call the model", { assignee: "alice" });
    await workerExits(h.k, task.id, 75, "429 Too Many Requests");
    window.history.replaceState(null, "", `/?task=${task.id}`);
    h.renderApp();
    const dialog = await screen.findByRole("dialog", { name: "Call the model" });
    expect(metaRow(dialog, "Backoff")).toHaveTextContent(/^rate-limited; claimable again in 17m$/);
    // The card counts on the board's clock.
    expect(card("Call the model")).toHaveTextContent(/Rate-limited: can start again in \d+s/);
    const events = within(dialog).getByRole("region", { name: "Events" });
    expect(within(events).getByText("rate_limited")).toBeInTheDocument();
  });
});

describe("why a ready card is not running", () => {
  const facts = {
    dispatcher: { enabled: true, max_in_progress: 4, running: 0 },
    profiles: [{ name: "alice", max_in_progress: null, running: 0 }],
    paused_profiles: [{ profile: "alice", fingerprint: "exit 1: boom", paused_at: 1, task_id: "t_1", failures: 3 }],
  };

  it("names a paused profile, and a rate-limit backoff until it is over", () => {
    expect(whyIdle({ status: "ready", assignee: "alice" }, facts)).toBe(
      "Profile alice paused after repeated identical failures (Resume it above)",
    );
    const running = { ...facts, paused_profiles: [] };
    const card = { status: "ready" as const, assignee: "alice", retry_after: 1_000 };
    expect(whyIdle(card, running, 940)).toBe("Rate-limited: can start again in 1m");
    expect(whyIdle(card, running, 1_000)).toBeNull();
  });
});

describe("paused profiles", () => {
  it("show a row naming the profile and the shared error, and Resume lets the dispatcher spawn for it again", async () => {
    const h = await boardHarness();
    const user = userEvent.setup();
    const ids = await pauseProfile(h, "alice");
    h.renderApp();
    const strip = await screen.findByRole("region", { name: "Paused profiles" });
    const row = within(strip).getByRole("listitem");
    expect(row).toHaveTextContent("⏸ Profile @alice paused after 3 identical failures");
    expect(row).toHaveTextContent("exit 1: fatal: invalid api key");

    await user.click(within(row).getByRole("button", { name: `Open ${ids[2]}` }));
    await screen.findByRole("dialog", { name: "alice three" });

    await user.click(within(row).getByRole("button", { name: "Resume alice" }));
    await waitFor(() => expect(screen.queryByRole("region", { name: "Paused profiles" })).toBeNull(), SLOW);
    expect((await listEvents(h.k, ids[2] as string)).at(-1)).toMatchObject({
      kind: "profile_resumed",
      payload: { profile: "alice", by: "dashboard" },
    });
  });

  it("appear live when a profile is paused while the board is open", async () => {
    const h = await boardHarness();
    await h.seed("Warm up");
    h.renderApp();
    await screen.findByRole("article", { name: "Warm up" });
    await waitFor(() => expect(h.sockets.length).toBeGreaterThan(0), SLOW);
    expect(screen.queryByRole("region", { name: "Paused profiles" })).toBeNull();

    await pauseProfile(h, "bob");

    const strip = await screen.findByRole("region", { name: "Paused profiles" }, { timeout: 10_000 });
    expect(within(strip).getByRole("listitem")).toHaveTextContent("⏸ Profile @bob paused after 3 identical failures");
  });
});

describe("the live patcher and the failure policy's events", () => {
  /** `GET /board` as the server answers it. */
  async function served(k: Kernel): Promise<BoardResponse> {
    return {
      ...(await boardView(k, { tenant: null, includeArchived: false })),
      paused_profiles: await pausedProfiles(k),
    };
  }

  it("ends where the server is: rate-limited cards back in ready with their not-before time, max_retries, pauses and resumes", async () => {
    const k = await freshKernel();
    const limited = (await createTask(k, { title: "limited", assignee: "alice" })).task.id;
    const others = [];
    for (const title of ["a", "b", "c"]) others.push((await createTask(k, { title, assignee: "bob" })).task.id);
    const runId = (await claimTask(k, limited))?.current_run_id as number;
    await setWorkerPid(k, limited, runId, 5000);
    const before = await served(k);

    await recordWorkerExit(k, limited, runId, { pid: 5000, code: 75, signal: null });
    await setMaxRetries(k, limited, 4);
    for (const id of others) await workerExits(k, id, 1);
    const mid = applyEvents(before, await eventsSince(k, before.latest_event_id), { includeArchived: false });
    const server = await served(k);
    const card = (b: BoardResponse) => b.columns.flatMap((c) => c.tasks).find((t) => t.id === limited);
    expect(card(mid.board)).toMatchObject({ status: "ready", retry_after: 1_700_000_030, max_retries: 4 });
    expect(card(mid.board)).toMatchObject({
      status: card(server)?.status,
      retry_after: card(server)?.retry_after,
      max_retries: card(server)?.max_retries,
      spawn_failures: 0,
    });
    expect(mid.board.paused_profiles).toEqual(server.paused_profiles);
    expect(mid.board.paused_profiles?.map((p) => p.profile)).toEqual(["bob"]);

    await resumeProfile(k, "bob");
    const after = applyEvents(mid.board, await eventsSince(k, mid.board.latest_event_id), { includeArchived: false });
    expect(after.board.paused_profiles).toEqual([]);
  });
});
