import { CheckResult, DiffStat, ReceiptVerdict, Run, TaskEvent } from "@switchyard/contract";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fetchTaskDetail } from "../src/api/board.ts";
import { Providers } from "../src/app/providers.tsx";
import { EventList } from "../src/features/drawer/event-list.tsx";
import { RunHistory } from "../src/features/drawer/run-history.tsx";
import { TaskDetailView } from "../src/features/drawer/task-detail-view.tsx";
import { START } from "./board-harness.tsx";
import { drawerHarness } from "./drawer-harness.tsx";
import { FAILED_TESTS } from "./proof-fixtures.ts";

// Payloads parsed with the contract, as the dashboard's client parses the server's answers.
const BASE = "3f9a2c1d4e5b6a7980f1e2d3c4b5a69788796a5b";
const verdict = (v: unknown) => ReceiptVerdict.parse(v);
const check = (c: unknown) => CheckResult.parse(c);

const COMMIT_OK = verdict({ kind: "commit", claim: "a1b2c3d4", ok: true, reason: null, detail: null });
const FILE_REFUSED = verdict({
  kind: "file",
  claim: "src/parser.ts",
  ok: false,
  reason: "unchanged",
  detail: "src/parser.ts is the same as on the base commit 3f9a2c1",
});
const TESTS_PASSED = check({
  command: "pnpm test",
  source: "verify",
  expected_exit: 0,
  exit_code: 0,
  duration_ms: 4210,
  output_tail: "Test Files  12 passed (12)",
  timed_out: false,
  ok: true,
});
const LINT_TIMED_OUT = check({
  command: "pnpm lint",
  source: "test",
  expected_exit: 0,
  exit_code: null,
  duration_ms: 600_000,
  output_tail: "checking 2,000 files…",
  timed_out: true,
  ok: false,
});

function run(id: number, fields: Record<string, unknown>): Run {
  return Run.parse({
    id,
    task_id: "t_00000001",
    profile: "coder",
    step_key: null,
    status: "done",
    claim_lock: null,
    claim_expires: null,
    worker_pid: null,
    max_runtime_seconds: null,
    last_heartbeat_at: null,
    started_at: START + id * 100,
    ended_at: START + id * 100 + 60,
    outcome: "completed",
    summary: null,
    metadata: null,
    error: null,
    ...fields,
  });
}

/** The run rows of the run history (each carries its tone), not the lists inside them. */
function runRows(history: HTMLElement): HTMLElement[] {
  return within(history)
    .getAllByRole("listitem")
    .filter((li) => li.hasAttribute("data-tone"));
}

function event(id: number, kind: string, payload: unknown): TaskEvent {
  return TaskEvent.parse({ id, task_id: "t_00000001", run_id: 2, kind, payload, created_at: START });
}

describe("what a run proved, in the run history", () => {
  it("lists each receipt with ✓ or ✗ and why, the task branch and its base commit, and each check the board ran", async () => {
    const proof = {
      base_commit: BASE,
      branch: "sy/t_00000001",
      requirements: { require: ["commits", "verify"], verify: "pnpm test", verify_timeout_seconds: 600 },
      receipts: [COMMIT_OK, FILE_REFUSED],
      checks: [TESTS_PASSED, LINT_TIMED_OUT],
      verifying: false,
    };
    render(<RunHistory runs={[run(1, { outcome: "unverified", proof })]} now={START + 1000} />);

    const history = screen.getByRole("region", { name: "Run history" });
    const receipts = within(history).getByRole("list", { name: "Receipts" });
    expect(
      within(receipts)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["✓ commit a1b2c3d4", "✗ file src/parser.ts (refused: unchanged)"]);
    expect(within(receipts).getByRole("img", { name: "verified" })).toBeInTheDocument();
    expect(within(receipts).getByRole("img", { name: "refused" })).toBeInTheDocument();
    expect(within(receipts).getAllByRole("listitem")[1]).toHaveAttribute("title", FILE_REFUSED.detail);
    expect(within(history).getByText("sy/t_00000001")).toBeInTheDocument();
    expect(within(history).getByText("3f9a2c1")).toBeInTheDocument();

    const checks = within(within(history).getByRole("list", { name: "Checks" })).getAllByRole("listitem");
    expect(checks.map((li) => li.querySelector("code")?.textContent)).toEqual(["pnpm test", "pnpm lint"]);
    expect(checks[0]).toHaveTextContent(/pnpm test exit 0 4\.2s/);
    expect(checks[1]).toHaveTextContent(/pnpm lint timed out 10m 0s/);
    // The output's tail is behind a disclosure, closed until asked for.
    const disclosure = checks[1]?.querySelector("details");
    expect(disclosure).not.toHaveAttribute("open");
    await userEvent.click(within(checks[1] as HTMLElement).getByText("Output"));
    expect(disclosure).toHaveAttribute("open");
    expect(within(checks[1] as HTMLElement).getByText("checking 2,000 files…")).toBeInTheDocument();
    // An unverified run is coloured as a failure.
    expect(history.querySelector(".sy-run")).toHaveAttribute("data-tone", "failed");
  });

  it("says “verifying…” while the board checks a completion that was handed in, and shows nothing of proof for a run without any", () => {
    const verifying = {
      base_commit: BASE,
      branch: "sy/t_00000001",
      requirements: { require: ["verify"], verify: "pnpm test", verify_timeout_seconds: 600 },
      receipts: [COMMIT_OK],
      checks: null,
      verifying: true,
    };
    render(
      <RunHistory
        runs={[
          run(1, { summary: "first try" }),
          run(2, { outcome: null, ended_at: null, status: "running", proof: verifying }),
        ]}
        now={START + 1000}
      />,
    );
    const rows = runRows(screen.getByRole("region", { name: "Run history" }));
    expect(rows[0]).toHaveTextContent("verifying…");
    expect(within(rows[0] as HTMLElement).getByRole("list", { name: "Receipts" })).toHaveTextContent(
      "✓ commit a1b2c3d4",
    );
    const plain = rows.find((r) => r.textContent?.includes("first try"));
    expect(plain).toBeDefined();
    expect(within(plain as HTMLElement).queryByRole("list", { name: "Receipts" })).toBeNull();
    expect(plain).not.toHaveTextContent("verifying");
  });
});

describe("a refused completion in the drawer's Events", () => {
  it("stands out as a red callout naming the failed check, its exit code and the tail of its output when the board's own check refused it", () => {
    const failed = check(FAILED_TESTS);
    const refusal = event(3, "completion_blocked_unverified", {
      phase: "verify",
      refused: [
        { kind: "verify", claim: "pnpm test", ok: false, reason: "verify_failed", detail: "exit 1 (0 passes)" },
      ],
      verified: [COMMIT_OK],
      checks: [failed],
      summary_preview: "parser fixed",
      status: "ready",
      failures: 1,
    });
    render(<EventList events={[refusal]} now={START + 120} />);

    const events = screen.getByRole("region", { name: "Events" });
    const callout = within(events).getAllByRole("listitem")[0] as HTMLElement;
    expect(callout).toHaveClass("sy-event-hallucination");
    expect(within(callout).getByText("Completion blocked — verification failed")).toBeInTheDocument();
    const chips = within(callout).getByRole("list", { name: "Refused claims" });
    expect(within(chips).getByRole("listitem")).toHaveTextContent("verify pnpm test: verify_failed");
    expect(within(callout).getByText("exit 1 (0 passes)")).toBeInTheDocument();
    expect(within(callout).getByText("(exit 1)")).toBeInTheDocument();
    const output = within(callout).getByRole("figure", { name: "pnpm test (exit 1)" }).querySelector("pre");
    expect(output?.textContent).toBe(failed.output_tail);
    expect(within(callout).getByText("Verified: commit a1b2c3d4")).toBeInTheDocument();
  });

  it("reads a check that ran out of time as timed out", () => {
    const refusal = event(4, "completion_blocked_unverified", {
      phase: "verify",
      refused: [{ kind: "test", claim: "pnpm lint", ok: false, reason: "timed_out", detail: "stopped after 600s" }],
      verified: [],
      checks: [LINT_TIMED_OUT],
      summary_preview: null,
      status: "ready",
      failures: 2,
    });
    render(<EventList events={[refusal]} now={START} />);
    const callout = screen.getAllByRole("listitem")[0] as HTMLElement;
    expect(within(callout).getByText("(timed out)")).toBeInTheDocument();
    expect(within(callout).getByRole("list", { name: "Refused claims" })).toHaveTextContent(
      "test pnpm lint: timed_out",
    );
  });

  it("reads the events around a refusal as sentences: handed in, accepted without proof, completed without proof", () => {
    const events = [
      event(5, "verifying", { checks: [{ command: "pnpm test", source: "verify" }], verified: [] }),
      event(6, "completion_waived", {
        reason: "CI is down; ran the tests by hand",
        by: "alice",
        refused: [FILE_REFUSED],
      }),
      event(7, "completed", { result_len: 0, summary: "Parser fixed", waived: true }),
    ];
    render(<EventList events={events} now={START} />);
    const region = screen.getByRole("region", { name: "Events" });
    expect(
      within(region).getByText("Completion handed in: the board runs pnpm test before it counts"),
    ).toBeInTheDocument();
    expect(
      within(region).getByText("Accepted without proof by alice: CI is down; ran the tests by hand"),
    ).toBeInTheDocument();
    expect(within(region).getByText("Completed, accepted without proof: Parser fixed")).toBeInTheDocument();
  });
});

describe("the drawer's Branch section", () => {
  it("shows the task branch's diff against its base, with the files it changed, and no section for a task without one", async () => {
    const h = await drawerHarness();
    const task = await h.seed("Teach the parser nested lists");
    const detail = await fetchTaskDetail(h.api, "default", task.id);
    const diff = DiffStat.parse({
      branch: `sy/${task.id}`,
      base_commit: BASE,
      head_commit: "9e8d7c6b5a49382716059f8e7d6c5b4a39281706",
      files_changed: 3,
      insertions: 10,
      deletions: 2,
      files: ["src/parser.ts", "src/parser.test.ts", "docs/syntax.md"],
    });
    const view = (d: typeof detail) => (
      <Providers api={h.api} queryClient={h.queryClient}>
        <TaskDetailView slug="default" detail={d} onClose={() => undefined} />
      </Providers>
    );
    const page = render(view({ ...detail, diff }));

    const branch = screen.getByRole("region", { name: "Branch" });
    expect(within(branch).getByText(`sy/${task.id} vs 3f9a2c1: 3 files changed, +10 −2`)).toBeInTheDocument();
    expect(
      within(within(branch).getByRole("list", { name: "Changed files" }))
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["src/parser.ts", "src/parser.test.ts", "docs/syntax.md"]);

    page.rerender(
      view({ ...detail, diff: { ...diff, files_changed: 1, insertions: 1, deletions: 0, files: ["a.ts"] } }),
    );
    expect(
      within(screen.getByRole("region", { name: "Branch" })).getByText(
        `sy/${task.id} vs 3f9a2c1: 1 file changed, +1 −0`,
      ),
    ).toBeInTheDocument();

    page.rerender(view({ ...detail, diff: null }));
    expect(screen.queryByRole("region", { name: "Branch" })).toBeNull();
    // The drawer's own queries (the board, the task, the config) settle before the server goes away.
    await waitFor(() => expect(h.queryClient.isFetching()).toBe(0));
  });
});
