import { readFileSync } from "node:fs";
import type { Locator } from "@playwright/test";
import { card, column, openDashboard } from "../src/board.ts";
import { expect, test } from "../src/fixtures.ts";
import { screenshot } from "../src/screenshots.ts";
import { fakeAgent } from "../src/switchyard.ts";

const PROFILES = ["translator", "transcriber", "copywriter"] as const;
const TENANT = "content-ops";
const GLOBAL_CAP = 3;

/**
 * Reads the In Progress column every 200 ms until stopped, and collects every moment it
 * showed more than `GLOBAL_CAP` cards, or more than one card of a profile.
 */
function watchCaps(running: Locator) {
  const breaches: string[] = [];
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const cards = await running.getByRole("article").allInnerTexts();
      samples++;
      if (cards.length > GLOBAL_CAP) breaches.push(`${cards.length} running:\n${cards.join("\n---\n")}`);
      for (const profile of PROFILES) {
        const mine = cards.filter((text) => text.includes(`@${profile}`));
        if (mine.length > 1) breaches.push(`${mine.length} running for ${profile}:\n${mine.join("\n---\n")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { samples, breaches };
    },
  };
}

/**
 * The most workers alive at once, in all and per profile, from the fake agents' own trace
 * (each writes `start` when it begins and `end` just before it exits, in ms): an overlap of
 * these windows is an overlap of the processes the caps count.
 */
function peakWorkers(tracePath: string, profileOf: ReadonlyMap<string, string>) {
  const points: Array<{ t: number; delta: number; profile: string }> = [];
  for (const line of readFileSync(tracePath, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const step = JSON.parse(line) as { t: number; task: string; step: string };
    const profile = profileOf.get(step.task) ?? "?";
    if (step.step === "start") points.push({ t: step.t, delta: 1, profile });
    if (step.step === "end") points.push({ t: step.t, delta: -1, profile });
  }
  // Ends sort before starts at the same millisecond: a worker that ended then is not counted twice.
  points.sort((a, b) => a.t - b.t || a.delta - b.delta);
  const now = new Map<string, number>();
  const peak = new Map<string, number>();
  let all = 0;
  let allPeak = 0;
  for (const p of points) {
    all += p.delta;
    allPeak = Math.max(allPeak, all);
    now.set(p.profile, (now.get(p.profile) ?? 0) + p.delta);
    peak.set(p.profile, Math.max(peak.get(p.profile) ?? 0, now.get(p.profile) ?? 0));
  }
  return { all: allPeak, perProfile: Object.fromEntries(peak), starts: points.filter((p) => p.delta > 0).length };
}

test("fleet farming: three profiles work a dozen tasks of one tenant in lanes, within their caps, until all are done", async ({
  page,
  switchyard,
}) => {
  // Each worker heartbeats for 3 s, so the lanes stay on screen long enough to see.
  const worker = { command: fakeAgent("--mode", "heartbeat", "--every", "1", "--for", "3"), max_in_progress: 1 };
  const sy = await switchyard.start({
    dispatch: { interval_seconds: 1, max_in_progress: GLOBAL_CAP, stop_grace_seconds: 1 },
    profiles: Object.fromEntries(PROFILES.map((p) => [p, worker])),
  });
  await openDashboard(page, sy.url);
  // What the board shows never breaks a cap: one task per profile (max_in_progress 1 each)
  // and three in all (dispatch.max_in_progress), from the first task to the last.
  const running = column(page, "running");
  const caps = watchCaps(running);

  // Setup through the CLI, as an orchestrator agent would: 4 tasks per profile, interleaved.
  const titles: string[] = [];
  const profileOf = new Map<string, string>();
  for (let i = 1; i <= 4; i++) {
    for (const profile of PROFILES) {
      const title = `${profile} job ${i}`;
      const task = sy.cliJson("create", title, "--assignee", profile, "--tenant", TENANT) as { id: string };
      profileOf.set(task.id, profile);
      titles.push(title);
    }
  }
  // A task of another tenant, unassigned: the tenant filter leaves it out.
  sy.cliJson("create", "Quarterly figures", "--tenant", "finance");

  const tenant = page.getByRole("region", { name: "Board toolbar" }).getByRole("combobox", { name: "Tenant" });
  await expect(tenant.getByRole("option", { name: TENANT })).toBeAttached();
  await tenant.selectOption(TENANT);
  await expect(card(page, "Quarterly figures")).toBeHidden();

  // Lanes by profile: each worker's task in its own lane of In Progress.
  for (const profile of PROFILES) {
    await expect(running.getByRole("list", { name: `In Progress · ${profile}` }).getByRole("article")).toHaveCount(1);
  }
  await screenshot(page, "fleet-lanes");

  const done = column(page, "done");
  await expect(done.getByRole("article")).toHaveCount(12, { timeout: 120_000 });
  const { samples, breaches } = await caps.stop();
  expect(breaches).toEqual([]);
  expect(samples).toBeGreaterThan(0);
  // And underneath: the worker processes themselves never broke a cap.
  const peak = peakWorkers(sy.tracePath, profileOf);
  expect(peak.starts).toBe(12);
  expect(peak.all).toBe(GLOBAL_CAP);
  expect(peak.perProfile).toEqual({ translator: 1, transcriber: 1, copywriter: 1 });
  for (const title of titles) await expect(card(done, title)).toBeVisible();
  await expect(running.getByRole("article")).toHaveCount(0);
  await screenshot(page, "fleet-done");
});
