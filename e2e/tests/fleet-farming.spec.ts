import { card, column, openDashboard } from "../src/board.ts";
import { expect, test } from "../src/fixtures.ts";
import { screenshot } from "../src/screenshots.ts";
import { fakeAgent } from "../src/switchyard.ts";

const PROFILES = ["translator", "transcriber", "copywriter"] as const;
const TENANT = "content-ops";

test("fleet farming: three profiles work a dozen tasks of one tenant in lanes, within their caps, until all are done", async ({
  page,
  switchyard,
}) => {
  // Each worker heartbeats for 3 s, so the lanes stay on screen long enough to see.
  const worker = { command: fakeAgent("--mode", "heartbeat", "--every", "1", "--for", "3"), max_in_progress: 1 };
  const sy = await switchyard.start({
    dispatch: { interval_seconds: 1, max_in_progress: 3, stop_grace_seconds: 1 },
    profiles: Object.fromEntries(PROFILES.map((p) => [p, worker])),
  });
  // Setup through the CLI, as an orchestrator agent would: 4 tasks per profile, interleaved.
  const titles: string[] = [];
  for (let i = 1; i <= 4; i++) {
    for (const profile of PROFILES) {
      const title = `${profile} job ${i}`;
      sy.cliJson("create", title, "--assignee", profile, "--tenant", TENANT);
      titles.push(title);
    }
  }
  // A task of another tenant, unassigned: the tenant filter leaves it out.
  sy.cliJson("create", "Quarterly figures", "--tenant", "finance");

  await openDashboard(page, sy.url);
  const toolbar = page.getByRole("region", { name: "Board toolbar" });
  await toolbar.getByRole("combobox", { name: "Tenant" }).selectOption(TENANT);
  await expect(card(page, "Quarterly figures")).toBeHidden();

  // Lanes by profile: each worker's task in its own lane of In Progress.
  const running = column(page, "running");
  for (const profile of PROFILES) {
    await expect(running.getByRole("list", { name: `In Progress · ${profile}` }).getByRole("article")).toHaveCount(1);
  }
  await screenshot(page, "fleet-lanes");

  // Until everything is done, what the board shows never breaks a cap: one task per profile
  // (max_in_progress 1 each) and three in all (dispatch.max_in_progress).
  let samples = 0;
  const done = column(page, "done");
  await expect
    .poll(
      async () => {
        const cards = await running.getByRole("article").allInnerTexts();
        samples++;
        expect(cards.length, cards.join("\n---\n")).toBeLessThanOrEqual(3);
        for (const profile of PROFILES) {
          expect(
            cards.filter((text) => text.includes(`@${profile}`)).length,
            cards.join("\n---\n"),
          ).toBeLessThanOrEqual(1);
        }
        return done.getByRole("article").count();
      },
      { timeout: 120_000, intervals: [250] },
    )
    .toBe(12);
  expect(samples).toBeGreaterThan(3);
  for (const title of titles) await expect(card(done, title)).toBeVisible();
  await expect(running.getByRole("article")).toHaveCount(0);
  await screenshot(page, "fleet-done");
});
