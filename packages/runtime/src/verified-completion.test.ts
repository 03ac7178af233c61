import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type ReceiptVerdict, TaskEvent } from "@switchyard/contract";
import {
  buildWorkerContext,
  completeTask,
  createTask,
  gcWorktrees,
  getProof,
  isCoreError,
  type Kernel,
  listEvents,
  openBoard,
  reclaimTask,
  requireTask,
  setPolicy,
  taskDetail,
} from "@switchyard/core";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../../core/test/fixtures.ts";
import { git, gitRepository } from "../../core/test/git.ts";
import { waitFor, workerHome } from "../test/workers.ts";
import { loadConfig } from "./config.ts";
import { createDispatchService, type DispatchService } from "./dispatch-service.ts";
import { gitProbe } from "./git-probe.ts";

/**
 * Verified completion (SPEC §12, issue 16) end to end on this host: real git repositories, a
 * real dispatcher that makes each task's worktree and runs the board's own checks, and real
 * worker processes (shell scripts) doing real git work. The worker's completion call is the
 * kernel command the CLI and MCP tools call, made here with the worker's run id.
 */

const services: DispatchService[] = [];
const kernels: Kernel[] = [];

afterEach(async () => {
  for (const s of services.splice(0)) {
    // The workers wait to be stopped: end what is left of them with the test.
    for (const pid of s.liveWorkers()) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await s.settle();
  }
  for (const k of kernels.splice(0)) await k.close();
});

/**
 * A worker that runs `script` in its workspace, records what it did in `<notes>/<task>.<run>`,
 * and then waits to be stopped (its completion is made by the test, as its tool call).
 */
function worker(notes: string, script: string): string[] {
  return [
    "/bin/sh",
    "-c",
    `set -e; ${script}; echo done > "${notes}/$SWITCHYARD_TASK.$SWITCHYARD_RUN_ID"; exec sleep 600`,
  ];
}

async function rig(script: string, profile: Record<string, unknown> = {}) {
  const notes = tempDir("switchyard-notes-");
  const wh = await workerHome(() => ({
    dispatch: { max_in_progress: 4, stop_grace_seconds: 1, failure_limit: 3 },
    profiles: { coder: { command: worker(notes, script), ...profile } },
  }));
  const s = createDispatchService({ home: wh.home, config: loadConfig(wh.home), watchWorkers: true });
  services.push(s);
  const k = await openBoard(wh.home, "default", { probe: gitProbe });
  kernels.push(k);
  const repo = gitRepository();
  await setPolicy(k, { repo, base_ref: "main" });
  /** Dispatches the task and waits until its worker has done its work. */
  const start = async (id: string) => {
    expect((await s.tick("default")).spawned.map((x) => x.task_id)).toEqual([id]);
    const task = await requireTask(k, id);
    await waitFor(`the worker of ${id} to finish its script`, () =>
      existsSync(join(notes, `${id}.${task.current_run_id}`)),
    );
    return requireTask(k, id);
  };
  return { s, k, repo, notes, start, home: wh.home };
}

const kinds = async (k: Kernel, id: string) => (await listEvents(k, id)).map((e) => e.kind);

async function refusal(work: Promise<unknown>): Promise<{ message: string; facts: { refused?: ReceiptVerdict[] } }> {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isCoreError(err, "unverified_completion"), String(err)).toBe(true);
  return err as never;
}

describe("a worktree task", () => {
  it("gets a real worktree on sy/<id> from the board's repository, and completes with the commit and the file it changed: done, receipts verified", async () => {
    const { k, repo, start } = await rig(
      'echo "the feature" > feature.txt && git add feature.txt && git commit -q -m "add the feature"',
    );
    const id = (await createTask(k, { title: "Add the feature", assignee: "coder", workspace_kind: "worktree" })).task
      .id;
    const task = await start(id);
    const workspace = task.workspace_path as string;
    expect(workspace).toBe(join(repo, ".worktrees", id));
    expect(git(workspace, "rev-parse", "--abbrev-ref", "HEAD")).toBe(`sy/${id}`);
    const proof = await getProof(k, task.current_run_id);
    expect(proof).toMatchObject({ branch: `sy/${id}`, base_commit: git(repo, "rev-parse", "main") });
    const head = git(workspace, "rev-parse", "HEAD");

    const done = await completeTask(k, id, {
      runId: task.current_run_id,
      summary: "added the feature",
      receipts: { commits: [head], files: ["feature.txt"] },
    });
    expect(done.verifying).toBeNull();
    expect(done.task.status).toBe("done");
    expect(done.receipts.map((v) => [v.kind, v.claim, v.ok])).toEqual([
      ["file", "feature.txt", true],
      ["commit", head, true],
    ]);
    const completed = (await listEvents(k, id)).find((e) => e.kind === "completed");
    expect(TaskEvent.parse(completed)).toMatchObject({ payload: { receipts_verified: 2 } });
    const detail = await taskDetail(k, id);
    expect(detail.runs.at(-1)?.proof?.receipts?.every((v) => v.ok)).toBe(true);
    expect(detail.diff).toMatchObject({ branch: `sy/${id}`, files_changed: 1, insertions: 1, files: ["feature.txt"] });
  });

  it("refuses a sha that does not exist, a file it did not change, and a dirty tree when clean_tree is required, changing nothing but the audit", async () => {
    const { k, start } = await rig(
      'echo "the feature" > feature.txt && git add feature.txt && git commit -q -m "add the feature" && echo scratch > notes.txt',
    );
    const id = (
      await createTask(k, {
        title: "Add the feature, cleanly",
        assignee: "coder",
        workspace_kind: "worktree",
        require: ["clean_tree"],
      })
    ).task.id;
    const task = await start(id);
    const head = git(task.workspace_path as string, "rev-parse", "HEAD");
    const before = await requireTask(k, id);
    const eventsBefore = await kinds(k, id);

    const claims = [
      { receipts: { commits: ["0123456789abcdef0123456789abcdef01234567"] }, reasons: ["not_found", "dirty_tree"] },
      { receipts: { commits: [head], files: ["README.md"] }, reasons: ["unchanged", "dirty_tree"] },
      { receipts: { commits: [head], files: ["feature.txt"] }, reasons: ["dirty_tree"] },
    ];
    for (const claim of claims) {
      const err = await refusal(completeTask(k, id, { runId: task.current_run_id, receipts: claim.receipts }));
      expect(err.facts.refused?.map((v) => v.reason)).toEqual(claim.reasons);
      expect(err.message).toMatch(/still yours/);
    }
    expect(await requireTask(k, id)).toEqual(before);
    const added = (await kinds(k, id)).slice(eventsBefore.length);
    expect(added).toEqual(Array(3).fill("completion_blocked_unverified"));
    const last = (await listEvents(k, id)).at(-1);
    expect(TaskEvent.parse(last)).toMatchObject({
      kind: "completion_blocked_unverified",
      payload: { phase: "receipts", refused: [{ kind: "clean_tree", reason: "dirty_tree" }] },
    });
    // The warning is active until a clean completion.
    expect((await taskDetail(k, id)).task.warnings?.kinds).toEqual({ completion_blocked_unverified: 3 });
  });
});

describe("a required verify command", () => {
  it("that fails is run by the board after the completion call: refused, the task back to ready, and its output in the next run's context", async () => {
    const { s, k, start } = await rig("echo work > work.txt");
    const id = (
      await createTask(k, {
        title: "Make the tests pass",
        assignee: "coder",
        verify_command: "node -e \"console.log('3 tests, 1 failing: parser.test'); process.exit(1)\"",
      })
    ).task.id;
    const task = await start(id);
    const handed = await completeTask(k, id, { runId: task.current_run_id, summary: "all tests pass" });
    expect(handed.verifying?.map((c) => [c.source, c.expected_exit])).toEqual([["verify", 0]]);
    expect(handed.task.status).toBe("running");

    // The board's own run of the command decides, not the worker's word.
    await s.tick("default");
    await s.settle();
    const after = await requireTask(k, id);
    expect(after).toMatchObject({ status: "ready", spawn_failures: 1, current_run_id: null });
    const refused = (await listEvents(k, id)).filter((e) => e.kind === "completion_blocked_unverified");
    expect(refused).toHaveLength(1);
    // The worker was stopped by the board before its checks, not counted as a crash.
    expect(await kinds(k, id)).not.toContain("protocol_violation");
    expect(await kinds(k, id)).not.toContain("crashed");
    expect(TaskEvent.parse(refused[0])).toMatchObject({
      payload: {
        phase: "verify",
        status: "ready",
        refused: [{ kind: "verify", reason: "verify_failed" }],
        checks: [{ source: "verify", exit_code: 1, ok: false, timed_out: false }],
      },
    });
    const context = await buildWorkerContext(k, id);
    expect(context).toContain("## Why the last completion was refused");
    expect(context).toContain("3 tests, 1 failing: parser.test");
    const runs = (await taskDetail(k, id)).runs;
    expect(runs.at(-1)).toMatchObject({ outcome: "unverified", proof: { verifying: false } });
    expect(runs.at(-1)?.proof?.checks?.[0]?.output_tail).toContain("parser.test");
  });

  it("that passes completes the task with the handed-in summary", async () => {
    const { s, k, start } = await rig("echo work > work.txt");
    const id = (
      await createTask(k, {
        title: "Make the tests pass",
        assignee: "coder",
        verify_command: "test -f work.txt && echo verified",
      })
    ).task.id;
    const task = await start(id);
    await completeTask(k, id, { runId: task.current_run_id, summary: "wrote work.txt" });
    await s.tick("default");
    await s.settle();
    const done = await requireTask(k, id);
    expect(done).toMatchObject({ status: "done", result: null });
    const detail = await taskDetail(k, id);
    expect(detail.runs.at(-1)).toMatchObject({ outcome: "completed", summary: "wrote work.txt" });
    expect(detail.runs.at(-1)?.proof?.checks).toMatchObject([{ exit_code: 0, ok: true }]);
    expect(detail.task.warnings).toBeUndefined();
  });
});

describe("a reclaim of a worker with uncommitted edits", () => {
  it("saves them, names them in the reclaimed event, and the next run finds them in its worktree", async () => {
    const { s, k, notes, start } = await rig(
      'if [ -f draft.txt ]; then cp draft.txt "$SWITCHYARD_WORKSPACE/../found-$SWITCHYARD_RUN_ID.txt"; fi; echo "half a draft" > draft.txt',
    );
    const id = (await createTask(k, { title: "Write the draft", assignee: "coder", workspace_kind: "worktree" })).task
      .id;
    const first = await start(id);
    const workspace = first.workspace_path as string;

    await reclaimTask(k, id, { reason: "operator: wrong approach" });
    const reclaimed = (await listEvents(k, id)).find((e) => e.kind === "reclaimed");
    const wip = TaskEvent.parse(reclaimed).payload as { wip?: { ref: string; commit: string; files: string[] } };
    expect(wip.wip).toMatchObject({ ref: `refs/switchyard/wip/${id}/${first.current_run_id}`, files: ["draft.txt"] });
    expect(git(workspace, "show", `${wip.wip?.commit}:draft.txt`)).toBe("half a draft");
    await s.stopWorker({ task_id: id, run_id: first.current_run_id, pid: first.worker_pid, lock: first.claim_lock });

    const second = await waitFor("the second run", async () => {
      const r = await s.tick("default");
      return r.spawned.length > 0 ? requireTask(k, id) : undefined;
    });
    await waitFor("the second worker to finish its script", () =>
      existsSync(join(notes, `${id}.${second.current_run_id}`)),
    );
    expect(second.workspace_path).toBe(workspace);
    expect(readFileSync(join(workspace, "..", `found-${second.current_run_id}.txt`), "utf8")).toBe("half a draft\n");
    const context = await buildWorkerContext(k, id);
    expect(context).toContain("## Work in progress from the previous attempt");
    expect(context).toContain(`refs/switchyard/wip/${id}/${first.current_run_id}`);
  });
});

describe("a worker stopped at its max runtime", () => {
  it("has its uncommitted edits saved and named in the timed_out event", async () => {
    const { s, k, start } = await rig('echo "unfinished" > partial.txt');
    const id = (
      await createTask(k, {
        title: "Slow work",
        assignee: "coder",
        workspace_kind: "worktree",
        max_runtime_seconds: 1,
      })
    ).task.id;
    const first = await start(id);
    const event = await waitFor("the timeout", async () => {
      await s.tick("default");
      return (await listEvents(k, id)).find((e) => e.kind === "timed_out");
    });
    expect(TaskEvent.parse(event)).toMatchObject({
      payload: { wip: { ref: `refs/switchyard/wip/${id}/${first.current_run_id}`, files: ["partial.txt"] } },
    });
  });
});

describe("gc of a done worktree task", () => {
  it("leaves the worktree while its branch is unmerged, and removes it with its branch once merged", async () => {
    const { k, repo, start } = await rig('echo "the fix" > fix.txt && git add fix.txt && git commit -q -m "the fix"');
    const id = (await createTask(k, { title: "Fix it", assignee: "coder", workspace_kind: "worktree" })).task.id;
    const task = await start(id);
    const workspace = task.workspace_path as string;
    const head = git(workspace, "rev-parse", "HEAD");
    await completeTask(k, id, { runId: task.current_run_id, receipts: { commits: [head] } });

    expect(await gcWorktrees(k)).toBe(0);
    expect(existsSync(workspace)).toBe(true);

    git(repo, "merge", "-q", "--ff-only", `sy/${id}`);
    // The worker (still waiting to be stopped) has its cwd there; removing the directory is gc's job anyway.
    expect(await gcWorktrees(k)).toBe(1);
    expect(existsSync(workspace)).toBe(false);
    expect(git(repo, "branch", "--list", `sy/${id}`)).toBe("");
    expect(git(repo, "rev-parse", "main")).toBe(head);
  });
});
