import { card, column, drawer, drawerSection, openDashboard } from "../src/board.ts";
import { expect, test } from "../src/fixtures.ts";
import { screenshot } from "../src/screenshots.ts";
import { fakeAgent } from "../src/switchyard.ts";

const QUESTION = "Which database should the importer write to: Postgres or SQLite?";

test("role pipeline with retry: the implementer blocks, the operator answers and unblocks from the drawer, and the second run reads the first run's reason", async ({
  page,
  switchyard,
}) => {
  const sy = await switchyard.start({
    dispatch: { interval_seconds: 1, stop_grace_seconds: 1 },
    profiles: {
      pm: { command: fakeAgent("--mode", "complete", "--summary", "Spec: import CSV files into the orders table") },
      // Blocks with a question on its first run; completes on the next one.
      implementer: {
        command: fakeAgent(
          "--print-context",
          "--mode",
          "block",
          "--reason",
          QUESTION,
          "--times",
          "1",
          "--later",
          "complete",
        ),
      },
      reviewer: { command: fakeAgent("--print-context", "--mode", "complete", "--summary", "Reviewed: approved") },
    },
  });
  const spec = sy.cliJson("create", "Spec the CSV importer", "--assignee", "pm") as { id: string };
  const impl = sy.cliJson("create", "Implement the CSV importer", "--assignee", "implementer", "--parent", spec.id) as {
    id: string;
  };
  sy.cliJson("create", "Review the CSV importer", "--assignee", "reviewer", "--parent", impl.id);

  await openDashboard(page, sy.url);
  const title = "Implement the CSV importer";
  await expect(card(column(page, "blocked"), title)).toBeVisible();
  await expect(card(column(page, "todo"), "Review the CSV importer")).toContainText(`Waiting on parent ${impl.id}`);
  await screenshot(page, "pipeline-blocked-board");

  // The drawer says why: run 1 ended blocked with the implementer's question.
  await card(page, title).click();
  const runs = drawerSection(page, title, "Run history");
  await expect(runs).toContainText("Run history (1)");
  await expect(runs.getByRole("listitem")).toContainText(["blocked"]);
  await expect(runs).toContainText(QUESTION);

  // The operator answers in a comment, then unblocks.
  const comment = drawer(page, title).getByRole("textbox", { name: "Add a comment" });
  await comment.fill("Use SQLite: the importer runs on laptops.");
  await comment.press("Enter");
  await expect(drawerSection(page, title, "Comments")).toContainText("Use SQLite: the importer runs on laptops.");
  await screenshot(page, "pipeline-blocked-drawer");
  await drawerSection(page, title, "Status actions").getByRole("button", { name: "Unblock" }).click();

  // Run 2 completes; the history shows both runs, newest first.
  await expect(runs).toContainText("Run history (2)");
  await expect(runs.getByRole("listitem").first()).toContainText("completed");
  await expect(runs.getByRole("listitem").nth(1)).toContainText("blocked");

  // The context run 2 read holds run 1's reason and the operator's answer.
  const log = drawerSection(page, title, "Worker log");
  await expect(async () => {
    await log.getByRole("button", { name: "Refresh log" }).click();
    await expect(log).toContainText("mode complete", { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(log).toContainText("## Prior attempts on this task");
  await expect(log).toContainText("### Attempt 1 — blocked (implementer");
  await expect(log).toContainText(QUESTION);
  await expect(log).toContainText("Use SQLite: the importer runs on laptops.");
  // For the picture: the log's newest lines (run 2's context) in view.
  await log.scrollIntoViewIfNeeded();
  await log.getByText("## Prior attempts on this task").evaluate((pre) => pre.scrollTo(0, pre.scrollHeight));
  await screenshot(page, "pipeline-retry-context");

  // The reviewer then runs on the implementer's handoff, and the pipeline ends done.
  await drawer(page, title).getByRole("button", { name: "Close drawer" }).click();
  for (const t of ["Spec the CSV importer", title, "Review the CSV importer"]) {
    await expect(card(column(page, "done"), t)).toBeVisible();
  }
  await card(page, "Review the CSV importer").click();
  const reviewLog = drawerSection(page, "Review the CSV importer", "Worker log");
  await expect(reviewLog).toContainText(`### ${impl.id}`);
  await expect(reviewLog).toContainText("## Parent task results");
});
