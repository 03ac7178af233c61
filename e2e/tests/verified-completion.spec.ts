import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { card, column, drawer, drawerSection, openDashboard, taskIdOf } from "../src/board.ts";
import { expect, test } from "../src/fixtures.ts";
import { screenshot } from "../src/screenshots.ts";
import { fakeAgent } from "../src/switchyard.ts";

const TITLE = "Fix the date parser";
const WARNING = "1 unverified completion(s) since last clean completion";
const PHANTOM_SHA = "deadbeefdeadbeef";
const REASON = "the fix is on main, checked by hand; the worker quoted a wrong sha";

/** A repository with one commit on main, which the board's worktrees come from. */
function repository(): string {
  const repo = mkdtempSync(join(tmpdir(), "switchyard-e2e-repo-"));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" });
  git("init", "-q", "-b", "main");
  writeFileSync(join(repo, "parser.js"), "export const parse = (s) => new Date(s);\n");
  git("add", "parser.js");
  git("-c", "user.name=Owner", "-c", "user.email=owner@example.test", "commit", "-qm", "initial");
  return repo;
}

test("verified completion: a claimed commit that does not exist is refused and flagged while the worker keeps the task, and the operator accepts it without proof only with a reason, keeping the audit trail", async ({
  page,
  switchyard,
}) => {
  const repo = repository();
  const sy = await switchyard.start({
    dispatch: { interval_seconds: 1, stop_grace_seconds: 1 },
    profiles: {
      // Completes claiming a commit that does not exist in its worktree, is refused, and stays on the task.
      fixer: {
        command: fakeAgent(
          "--mode",
          "complete",
          "--summary",
          `Fixed the parser in ${PHANTOM_SHA}`,
          "--receipts",
          JSON.stringify({ commits: [PHANTOM_SHA] }),
          "--after-refusal",
          "hang",
        ),
      },
    },
  });
  sy.cliJson("policy", "set", "--repo", repo, "--base-ref", "main");
  sy.cliJson("create", TITLE, "--assignee", "fixer", "--workspace", "worktree");
  await openDashboard(page, sy.url);

  // The board: the running card carries a ⚠ badge, and the attention strip names the kind of warning.
  const running = card(column(page, "running"), TITLE);
  await expect(running.getByRole("img", { name: WARNING })).toBeVisible();
  const id = await taskIdOf(running);
  const strip = page.getByRole("region", { name: "Unverified completions" });
  await expect(strip).toContainText("⚠ 1 task(s) with unverified completions");
  await strip.getByRole("button", { name: "Show" }).click();
  await expect(strip).toContainText("@fixer");
  await screenshot(page, "verified-board");

  // The drawer: Recovery opens by itself; the refusal is a red callout with the refused claim.
  await strip.getByRole("button", { name: `Open ${id}` }).click();
  const recovery = drawerSection(page, TITLE, "Recovery");
  await expect(recovery.getByRole("button", { name: "⚠ Recovery" })).toHaveAttribute("aria-expanded", "true");
  const events = drawerSection(page, TITLE, "Events");
  const callout = events.getByRole("listitem").filter({ hasText: "Completion blocked — unverified claims" });
  await expect(callout.getByRole("list", { name: "Refused claims" })).toContainText(`commit ${PHANTOM_SHA}: not_found`);
  await expect(drawer(page, TITLE).getByRole("img", { name: WARNING })).toBeVisible();
  await callout.scrollIntoViewIfNeeded();
  await screenshot(page, "verified-callout");

  // Accept without proof: not without a reason.
  await recovery.getByRole("button", { name: "Accept without proof" }).click();
  const form = recovery.getByRole("form", { name: "Accept without proof" });
  const reason = form.getByRole("textbox", { name: "Reason" });
  const confirm = form.getByRole("button", { name: "Confirm accept without proof" });
  await expect(confirm).toBeDisabled();
  await reason.fill("   ");
  await expect(confirm).toBeDisabled();
  await reason.fill(REASON);
  await screenshot(page, "verified-accept");
  await confirm.click();
  await expect(recovery.getByRole("status")).toHaveText(`Accepted ${id} without proof.`);

  // Done: the warning clears; the refusal and the waiver stay in the events.
  await expect(drawer(page, TITLE).getByRole("img", { name: WARNING })).toBeHidden();
  await expect(recovery.getByRole("button", { name: "Recovery", exact: true })).toBeVisible();
  await expect(callout).toBeVisible();
  await expect(events.getByText(`Accepted without proof by dashboard: ${REASON}`, { exact: true })).toBeVisible();
  await expect(events.getByText(`Completed: Accepted without proof by dashboard: ${REASON}`)).toBeVisible();
  await screenshot(page, "verified-accepted");

  await drawer(page, TITLE).getByRole("button", { name: "Close drawer" }).click();
  const done = card(column(page, "done"), TITLE);
  await expect(done).toBeVisible();
  await expect(done.getByRole("img", { name: WARNING })).toHaveCount(0);
  await expect(strip).toBeHidden();
});
