import { DEFAULT_POLICY, TaskEvent } from "@switchyard/contract";
import { describe, expect, it } from "vitest";
import { freshBoard, refusal, tempDir } from "../test/fixtures.ts";
import { claimTask, releaseStaleClaims, setWorkerPid } from "./claims.ts";
import { completeTask, finishChecks, pendingChecks, startChecks, waiveCompletion } from "./completion.ts";
import { taskDetail } from "./detail.ts";
import { listEvents } from "./events.ts";
import { recordWorkerExit } from "./failures.ts";
import type { Kernel } from "./kernel.ts";
import { patchTask } from "./patch.ts";
import { getPolicy, resolveRequirements, setPolicy } from "./policy.ts";
import { createTask, requireTask, setCompletionRules } from "./tasks.ts";

/**
 * The kernel's rules of verified completion (SPEC §12) that need no git: the board's policy,
 * how requirements combine, refusals of what cannot be proven, the hand-in to the board's own
 * checks and how they decide, and "Accept without proof". The git facts are covered with real
 * repositories in the runtime (verified-completion.test.ts).
 */

const kinds = async (k: Kernel, id: string) => (await listEvents(k, id)).map((e) => e.kind);

describe("a board's completion policy", () => {
  it("defaults to requiring nothing, keeps what is set, resets a key with null, and refuses bad input without storing it", async () => {
    const { k } = await freshBoard();
    expect(await getPolicy(k)).toEqual(DEFAULT_POLICY);
    const set = await setPolicy(k, {
      require: ["verify", "commits", "commits"],
      verify: "pnpm test",
      base_ref: "main",
    });
    expect(set).toMatchObject({ require: ["commits", "verify"], verify: "pnpm test", base_ref: "main", repo: null });
    expect(await getPolicy(k)).toEqual(set);
    expect(await setPolicy(k, { verify: null })).toMatchObject({ verify: null, require: ["commits", "verify"] });

    for (const bad of [{ require: ["tests"] }, { repo: "relative/path" }, { verify_timeout_seconds: 0 }, { nope: 1 }]) {
      const err = await refusal(() => setPolicy(k, bad));
      expect(err.code).toBe("invalid_input");
    }
    expect(await getPolicy(k)).toMatchObject({ require: ["commits", "verify"], verify: null, repo: null });
  });

  it("combines with the profile's and the task's requirements; a command named anywhere requires verify, the task's command first", () => {
    const policy = { ...DEFAULT_POLICY, require: ["commits" as const], verify: "make check" };
    expect(
      resolveRequirements(policy, { require: ["clean_tree"], verify_command: null }, { require: ["files"] }),
    ).toEqual({
      require: ["commits", "files", "clean_tree", "verify"],
      verify: "make check",
      verify_timeout_seconds: 600,
    });
    expect(
      resolveRequirements(DEFAULT_POLICY, { require: null, verify_command: "pnpm test" }, { verify: "npm test" }),
    ).toMatchObject({ require: ["verify"], verify: "pnpm test" });
    expect(resolveRequirements(DEFAULT_POLICY, { require: null, verify_command: null }, null).require).toEqual([]);
  });
});

describe("a task's own rules", () => {
  it("are stored on create and by setCompletionRules, checked by the contract's schemas", async () => {
    const { k } = await freshBoard();
    const { task } = await createTask(k, { title: "t", require: ["commits"], verify_command: "pnpm test" });
    expect(task).toMatchObject({ require: ["commits"], verify_command: "pnpm test", repo: null, base_ref: null });
    const edited = await setCompletionRules(k, task.id, { repo: "/srv/repo", base_ref: "develop", require: [] });
    expect(edited).toMatchObject({
      require: null,
      repo: "/srv/repo",
      base_ref: "develop",
      verify_command: "pnpm test",
    });
    const err = await refusal(() => setCompletionRules(k, task.id, { repo: "srv/repo" }));
    expect(err).toMatchObject({ code: "invalid_input", message: expect.stringMatching(/^repo: /) });
    expect((await requireTask(k, task.id)).repo).toBe("/srv/repo");
  });
});

describe("a completion that cannot prove what its board requires", () => {
  it("is refused and audited, leaving the task as it was; accepting it without proof needs a reason, completes it and clears the warning, and the audit stays", async () => {
    const { k } = await freshBoard();
    await setPolicy(k, { require: ["commits"] });
    const { task } = await createTask(k, { title: "Ship it", assignee: "coder" });

    const err = await refusal(() => completeTask(k, task.id, { summary: "shipped" }));
    expect(err.code).toBe("unverified_completion");
    expect(err.facts.refused).toEqual([
      {
        kind: "required",
        claim: "commits",
        ok: false,
        reason: "missing",
        detail: "this task requires commits and the completion claims none",
      },
    ]);
    expect(await requireTask(k, task.id)).toEqual(task);
    expect((await taskDetail(k, task.id)).task.warnings?.kinds).toEqual({ completion_blocked_unverified: 1 });

    const blank = await refusal(() => waiveCompletion(k, task.id, { reason: "   " }));
    expect(blank.code).toBe("invalid_input");
    expect((await requireTask(k, task.id)).status).toBe("ready");

    const done = await waiveCompletion(k, task.id, { reason: "released by hand, no repo", by: "alice" });
    expect(done.status).toBe("done");
    const events = await listEvents(k, task.id);
    expect(events.map((e) => e.kind)).toEqual([
      "created",
      "completion_blocked_unverified",
      "completion_waived",
      "completed",
    ]);
    expect(TaskEvent.parse(events[2])).toMatchObject({
      payload: { reason: "released by hand, no repo", by: "alice", refused: [{ claim: "commits", reason: "missing" }] },
    });
    expect(TaskEvent.parse(events[3])).toMatchObject({ payload: { waived: true } });
    const detail = await taskDetail(k, task.id);
    expect(detail.task.warnings).toBeUndefined();
    expect(detail.runs.at(-1)).toMatchObject({
      outcome: "completed",
      summary: "Accepted without proof by alice: released by hand, no repo",
    });

    const again = await refusal(() => waiveCompletion(k, task.id, { reason: "twice" }));
    expect(again.code).toBe("invalid_transition");
  });

  it("through PATCH keeps its refusal's audit event although the move itself is one transaction", async () => {
    const { k } = await freshBoard();
    const { task } = await createTask(k, { title: "Write the report" });
    const err = await refusal(() => patchTask(k, task.id, { status: "done", receipts: { artifacts: ["report.pdf"] } }));
    expect(err.code).toBe("unverified_completion");
    expect(err.facts.refused?.map((v) => [v.kind, v.reason])).toEqual([["artifact", "no_workspace"]]);
    expect(await kinds(k, task.id)).toEqual(["created", "completion_blocked_unverified"]);
    expect((await requireTask(k, task.id)).status).toBe("ready");
  });
});

/** A claimed task with a real workspace directory and a verify command, its worker pid recorded. */
async function claimedWithVerify(k: Kernel, verify: string) {
  const workspace = tempDir("switchyard-ws-");
  const { task } = await createTask(k, {
    title: "Make it pass",
    assignee: "coder",
    workspace_kind: "dir",
    workspace_path: workspace,
    verify_command: verify,
  });
  const claimed = await claimTask(k, task.id, { ttl: 60 });
  const runId = claimed?.current_run_id as number;
  await setWorkerPid(k, task.id, runId, 5555);
  return { id: task.id, runId, workspace };
}

describe("a completion handed in for the board's checks", () => {
  it("keeps the task running without a worker or a claim expiry: its worker's exit, a stale-claim sweep and a second completion change nothing", async () => {
    const { k, clock } = await freshBoard();
    const { id, runId } = await claimedWithVerify(k, "pnpm test");
    const handed = await completeTask(k, id, { runId, summary: "green" });
    expect(handed.verifying).toEqual([{ command: "pnpm test", source: "verify", expected_exit: 0 }]);
    expect(await requireTask(k, id)).toMatchObject({
      status: "running",
      current_run_id: runId,
      worker_pid: null,
      claim_expires: null,
    });
    expect(await kinds(k, id)).toEqual(["created", "claimed", "spawned", "verifying"]);

    expect(await recordWorkerExit(k, id, runId, { pid: 5555, code: 0, signal: null })).toBeNull();
    clock.advance(3600);
    expect(await releaseStaleClaims(k)).toEqual([]);
    const twice = await refusal(() => completeTask(k, id, { runId, summary: "again" }));
    expect(twice.code).toBe("invalid_transition");
    expect(await kinds(k, id)).toEqual(["created", "claimed", "spawned", "verifying"]);
    expect(await pendingChecks(k)).toMatchObject([
      { task_id: id, run_id: runId, checking: null, timeout_seconds: 600 },
    ]);
  });

  it("is taken by one checker at a time, and decided by the results: a failure sends the task back counted, a pass completes it", async () => {
    const { k } = await freshBoard();
    const failing = await claimedWithVerify(k, "false");
    await completeTask(k, failing.id, { runId: failing.runId, summary: "done, trust me" });
    expect(await startChecks(k, failing.runId, "testhost:1")).toBe(true);
    expect(await startChecks(k, failing.runId, "testhost:2")).toBe(false);
    const check = { command: "false", source: "verify" as const, expected_exit: 0, duration_ms: 3, timed_out: false };
    const refused = await finishChecks(k, failing.id, failing.runId, [
      { ...check, exit_code: 1, output_tail: "1 failing", ok: false },
    ]);
    expect(refused).toMatchObject({ result: "refused", failure: { result: "retry", failures: 1 } });
    expect(await requireTask(k, failing.id)).toMatchObject({ status: "ready", spawn_failures: 1 });
    expect(await finishChecks(k, failing.id, failing.runId, [])).toBeNull();

    const passing = await claimedWithVerify(k, "true");
    await completeTask(k, passing.id, { runId: passing.runId, summary: "green", result: "all good" });
    const done = await finishChecks(k, passing.id, passing.runId, [
      { ...check, command: "true", exit_code: 0, output_tail: "", ok: true },
    ]);
    expect(done).toMatchObject({ result: "completed", task: { status: "done", result: "all good" } });
    expect(await pendingChecks(k)).toEqual([]);
  });
});
