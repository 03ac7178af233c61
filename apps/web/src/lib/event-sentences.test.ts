import { EVENT_KINDS, type EventKind, TaskEvent } from "@switchyard/contract";
import { describe, expect, it } from "vitest";
import { blockedSentence, eventSentence } from "./event-sentences.ts";

/**
 * One event of every kind the contract has, with the sentence it reads as. A `Record` over the
 * kinds: a kind added to the contract fails the typecheck here too until it has an example.
 */
const EXAMPLES: Record<EventKind, [payload: unknown, sentence: string]> = {
  created: [
    { assignee: "coder", status: "todo", parents: ["t_1", "t_2"], tenant: "acme", skills: null },
    "Created in Todo for coder after t_1 and t_2 (tenant acme)",
  ],
  promoted: [null, "Promoted to Ready: every parent is done"],
  claimed: [{ lock: "laptop:4242", expires: 1_700_000_900, run_id: 3 }, "Claimed by laptop:4242 (run #3)"],
  spawned: [{ pid: 9001 }, "Worker started (pid 9001)"],
  worker_stopped: [
    { host: "gpu-2", pid: 9001, run_id: 4, sigkill: true, stopped: true },
    "Worker stopped on gpu-2 (pid 9001, killed after the grace period)",
  ],
  heartbeat: [{ note: "halfway through the tests" }, "Heartbeat: halfway through the tests"],
  completed: [
    { result_len: 12, summary: "Schema written", verified_cards: ["t_9"] },
    "Completed: Schema written (created t_9)",
  ],
  completion_blocked_unverified: [
    {
      phase: "receipts",
      refused: [
        {
          kind: "commit",
          claim: "deadbeef",
          ok: false,
          reason: "not_found",
          detail: "no commit deadbeef in the workspace",
        },
      ],
      verified: [{ kind: "file", claim: "src/a.ts", ok: true, reason: null, detail: null }],
      summary_preview: "fixed it",
    },
    "Completion refused: unverified claims (commit deadbeef: not_found)",
  ],
  verifying: [
    {
      checks: [
        { command: "pnpm test", source: "verify" },
        { command: "pnpm lint", source: "test" },
      ],
      verified: [],
    },
    "Completion handed in: the board runs pnpm test and pnpm lint before it counts",
  ],
  completion_waived: [
    { reason: "CI is down; checked by hand", by: "alice", refused: [] },
    "Accepted without proof by alice: CI is down; checked by hand",
  ],
  completion_blocked_hallucination: [
    { phantom_cards: ["t_dead"], verified_cards: [], summary_preview: null },
    "Completion refused: it named cards that do not exist (t_dead)",
  ],
  suspected_hallucinated_references: [
    { phantom_refs: ["t_beef", "t_cafe"], source: "summary" },
    "Mentions cards that do not exist (t_beef and t_cafe) in its summary",
  ],
  edited: [{ fields: ["title", "body"] }, "Edited its title and body"],
  blocked: [{ reason: "needs the API key", author: "alice" }, "Blocked by alice: needs the API key"],
  unblocked: [null, "Unblocked, back to Ready"],
  archived: [null, "Archived"],
  assigned: [{ assignee: "bob" }, "Assigned to bob"],
  linked: [{ parent: "t_1", child: "t_2", child_status: "todo" }, "Now waits on parent t_1, so it is back in Todo"],
  unlinked: [{ parent: "t_1", child: "t_2", child_status: "ready" }, "No longer waits on t_1, so it is Ready"],
  commented: [{ author: "alice", len: 21 }, "alice commented (21 characters)"],
  reprioritized: [{ priority: 3 }, "Priority set to 3"],
  status: [{ status: "todo", parked: true }, "Parked in Todo by hand: it stays there until someone moves it"],
  reclaimed: [
    { manual: true, reason: "stuck in a loop", prev_lock: "laptop:1", prev_pid: 7, status: "ready" },
    "Reclaimed by hand: stuck in a loop, back to Ready",
  ],
  crashed: [
    { pid: 77, claimer: "laptop:1", failures: 2, status: "ready" },
    "Worker crashed (pid 77), failure 2, back to Ready",
  ],
  timed_out: [
    { pid: 77, elapsed_seconds: 3700, limit_seconds: 3600, sigkill: true, failures: 1, status: "todo" },
    "Worker stopped after 1h, over its 1h limit (killed), failure 1, back to Todo",
  ],
  spawn_failed: [
    { error: "spawn claude ENOENT", failures: 1, status: "ready" },
    "Worker could not start: spawn claude ENOENT, failure 1, back to Ready",
  ],
  protocol_violation: [
    { pid: 77, exit_code: 0, signal: null, failures: 1, status: "ready" },
    "Worker exited without completing or blocking (exit 0), failure 1, back to Ready",
  ],
  gave_up: [
    { failures: 3, error: "spawn claude ENOENT", cause: "spawn_failed" },
    "Worker gave up after 3 failures: spawn claude ENOENT",
  ],
  rate_limited: [
    { pid: 77, exit_code: 75, status: "ready", retry_after: 1_700_000_060, delay_seconds: 60, rate_limits: 2 },
    "Rate-limited: waits 1m before it can start again (2 in a row), back to Ready",
  ],
  max_retries_set: [{ max_retries: 5 }, "Failure limit set to 5"],
  profile_paused: [
    { profile: "coder", fingerprint: "exit 1: invalid api key", failures: 3, window_seconds: 600, tasks: [] },
    "Profile coder paused after 3 identical failures: exit 1: invalid api key",
  ],
  profile_resumed: [{ profile: "coder", fingerprint: "exit 1", by: "dashboard" }, "Profile coder resumed by dashboard"],
};

function event(kind: EventKind, payload: unknown): TaskEvent {
  // Parsed with the contract, as the dashboard's client does: the examples are real events.
  return TaskEvent.parse({ id: 1, task_id: "t_00000001", run_id: null, kind, payload, created_at: 1_700_000_000 });
}

describe("events as sentences", () => {
  it.each(EVENT_KINDS.map((kind) => [kind, ...EXAMPLES[kind]] as const))(
    "reads %s as a sentence",
    (kind, payload, sentence) => {
      expect(eventSentence(event(kind, payload))).toBe(sentence);
    },
  );

  it("covers every kind of the contract", () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual([...EVENT_KINDS].sort());
  });

  it("says less, never nothing or JSON, when an event from another program leaves keys out", () => {
    expect(eventSentence(event("blocked", null))).toBe("Blocked");
    expect(eventSentence(event("blocked", { reason: "why not" }))).toBe("Blocked: why not");
    expect(eventSentence(event("status", { status: "ready" }))).toBe("Moved to Ready");
    expect(eventSentence(event("status", { status: "weird" }))).toBe("Moved to weird");
    expect(eventSentence(event("reclaimed", { stale_lock: "laptop:1" }))).toBe("Claim expired without a heartbeat");
    expect(eventSentence(event("assigned", { assignee: null }))).toBe("Unassigned");
    expect(eventSentence(event("heartbeat", null))).toBe("Heartbeat");
    expect(eventSentence(event("edited", null))).toBe("Edited");
    expect(eventSentence(event("max_retries_set", { max_retries: null }))).toBe(
      "Failure limit back to the board's (dispatch.failure_limit)",
    );
  });

  it("says how a completion was checked: receipts verified, accepted without proof, refused by the board's own check", () => {
    expect(eventSentence(event("completed", { result_len: 3, summary: "Done", receipts_verified: 2 }))).toBe(
      "Completed: Done (2 receipts verified)",
    );
    expect(eventSentence(event("completed", { result_len: 0, summary: null, waived: true }))).toBe(
      "Completed, accepted without proof",
    );
    expect(eventSentence(event("completed", { result_len: 0, summary: "Parser fixed", waived: true }))).toBe(
      "Completed, accepted without proof: Parser fixed",
    );
    expect(
      eventSentence(
        event("completed", { result_len: 0, summary: "Accepted without proof by alice: CI down", waived: true }),
      ),
    ).toBe("Completed: Accepted without proof by alice: CI down");
    const failedCheck = {
      phase: "verify",
      refused: [{ kind: "verify", claim: "pnpm test", ok: false, reason: "verify_failed", detail: "exit 1" }],
      verified: [],
      checks: [
        {
          command: "pnpm test",
          source: "verify",
          expected_exit: 0,
          exit_code: 1,
          duration_ms: 5300,
          output_tail: "1 failed",
          timed_out: false,
          ok: false,
        },
      ],
      summary_preview: null,
      status: "ready",
      failures: 1,
    };
    expect(eventSentence(event("completion_blocked_unverified", failedCheck))).toBe(
      "Completion refused: verification failed (verify pnpm test: verify_failed), failure 1, back to Ready",
    );
    const wip = { ref: "refs/switchyard/wip/t_00000001/3", commit: "abc1234", files: ["a.ts"] };
    expect(
      eventSentence(
        event("reclaimed", { manual: true, reason: null, prev_lock: null, prev_pid: null, status: "ready", wip }),
      ),
    ).toBe("Reclaimed by hand, back to Ready, uncommitted work saved at refs/switchyard/wip/t_00000001/3");
  });

  it("words a blocked card's reason as its events do", () => {
    expect(blockedSentence({ kind: "gave_up", failures: 1, error: null })).toBe("Worker gave up after 1 failure");
    expect(blockedSentence({ kind: "blocked", reason: null, by: "bob" })).toBe("Blocked by bob");
  });
});
