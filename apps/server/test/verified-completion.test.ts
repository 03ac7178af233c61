import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_POLICY, PolicyResponse } from "@switchyard/contract";
import {
  boardPaths,
  claimWithWorkspace,
  createTask,
  getTask,
  type Kernel,
  listEvents,
  openKernel,
  taskDetail,
} from "@switchyard/core";
import { gitProbe } from "@switchyard/runtime";
import { describe, expect, it, onTestFinished } from "vitest";
import { git, gitRepository } from "../../../packages/core/test/git.ts";
import { harness, ok, refused } from "./helpers.ts";

/**
 * Verified completion over REST (SPEC §12, issue 16): receipts on `PATCH /tasks/:id`, "Accept
 * without proof" (`POST /tasks/:id/waive`) and a board's completion policy
 * (`GET/PATCH /boards/:slug/policy`). The repositories are real git repositories in temp dirs.
 */

function repository(): string {
  return gitRepository();
}

/** The board's file opened a second time with the real git probe, as a dispatcher on this host has it. */
async function dispatcherKernel(h: ReturnType<typeof harness>): Promise<Kernel> {
  const k = await openKernel(boardPaths(h.home, "default"), { clock: h.clock, probe: gitProbe });
  onTestFinished(() => k.close());
  return k;
}

/** A `worktree` task of a fresh repository, claimed: its worker holds it in its own worktree. */
async function claimedWorktree(h: ReturnType<typeof harness>) {
  const k = await dispatcherKernel(h);
  const repo = repository();
  const { task } = await createTask(k, { title: "fix it", assignee: "alice", workspace_kind: "worktree", repo });
  const { workspace } = await claimWithWorkspace(k, task.id, { ttl: 600 });
  return { id: task.id, workspace };
}

describe("PATCH /tasks/:id with status done and receipts", () => {
  it("refuses a commit that is not in the workspace with 409 unverified_completion and the refused claims; the task stays running", async () => {
    const h = harness();
    const { id } = await claimedWorktree(h);
    const body = await refused(
      h.request("PATCH", `/tasks/${id}`, {
        json: { status: "done", summary: "fixed", receipts: { commits: ["deadbeef"] } },
      }),
      409,
      "unverified_completion",
    );
    expect(body.refused).toEqual([
      expect.objectContaining({ kind: "commit", claim: "deadbeef", ok: false, reason: expect.any(String) }),
    ]);
    expect(body.detail).toContain("deadbeef");
    const k = await h.k;
    expect((await getTask(k, id))?.status).toBe("running");
    expect((await listEvents(k, id)).map((e) => e.kind)).toContain("completion_blocked_unverified");
  });

  it("completes with a commit made on the task's branch, and records the verdicts on the run", async () => {
    const h = harness();
    const { id, workspace } = await claimedWorktree(h);
    writeFileSync(join(workspace, "fix.txt"), "fixed\n");
    git(workspace, "add", "fix.txt");
    git(workspace, "commit", "-qm", "fix");
    const sha = git(workspace, "rev-parse", "HEAD");
    const res = await ok(
      h.api.tasks[":id"].$patch({
        param: { id },
        query: {},
        json: { status: "done", summary: "fixed", receipts: { commits: [sha], files: ["fix.txt"] } },
      }),
    );
    expect(res.task).toMatchObject({ id, status: "done" });
    const detail = await taskDetail(await h.k, id);
    expect(detail.runs.at(-1)?.proof?.receipts?.map((v) => [v.kind, v.ok])).toEqual([
      ["file", true],
      ["commit", true],
    ]);
  });

  it("refuses malformed receipts with 400 and changes nothing", async () => {
    const h = harness();
    const k = await h.k;
    const { task } = await createTask(k, { title: "t", assignee: "alice" });
    await refused(
      h.request("PATCH", `/tasks/${task.id}`, { json: { status: "done", receipts: { commits: ["xyz!"] } } }),
      400,
      "invalid_input",
    );
    await refused(
      h.request("PATCH", `/tasks/${task.id}`, { json: { status: "done", receipts: { proofs: [] } } }),
      400,
      "invalid_input",
    );
    expect((await getTask(k, task.id))?.status).toBe("ready");
    expect((await listEvents(k, task.id)).map((e) => e.kind)).toEqual(["created"]);
  });
});

describe("POST /tasks/:id/waive", () => {
  it("needs a reason: 400, and nothing changes", async () => {
    const h = harness();
    const { id } = await claimedWorktree(h);
    const k = await h.k;
    const before = await listEvents(k, id);
    for (const json of [{}, { reason: "   " }]) {
      const body = await refused(h.request("POST", `/tasks/${id}/waive`, { json }), 400, "invalid_input");
      expect(body.detail).toContain("reason is required");
    }
    expect((await getTask(k, id))?.status).toBe("running");
    expect(await listEvents(k, id)).toEqual(before);
  });

  it("completes the task without proof, naming who accepted it and why, and answers {task}", async () => {
    const h = harness();
    const { id } = await claimedWorktree(h);
    await refused(
      h.request("PATCH", `/tasks/${id}`, { json: { status: "done", receipts: { files: ["nope.txt"] } } }),
      409,
      "unverified_completion",
    );
    const res = await ok(
      h.api.tasks[":id"].waive.$post({
        param: { id },
        query: {},
        json: { reason: "checked on staging", author: "carol" },
      }),
    );
    expect(res.task).toMatchObject({ id, status: "done" });
    const events = await listEvents(await h.k, id);
    expect(events.find((e) => e.kind === "completion_waived")?.payload).toMatchObject({
      reason: "checked on staging",
      by: "carol",
      refused: [expect.objectContaining({ kind: "file", claim: "nope.txt" })],
    });
    expect(events.at(-1)).toMatchObject({ kind: "completed", payload: { waived: true } });
  });

  it("refuses a task that cannot be completed with 409, and an unknown one with 404", async () => {
    const h = harness();
    const k = await h.k;
    const { task } = await createTask(k, { title: "t" });
    await ok(h.api.tasks[":id"].waive.$post({ param: { id: task.id }, query: {}, json: { reason: "fine" } }));
    await refused(
      h.request("POST", `/tasks/${task.id}/waive`, { json: { reason: "again" } }),
      409,
      "invalid_transition",
    );
    await refused(h.request("POST", "/tasks/t_00ffffff/waive", { json: { reason: "x" } }), 404, "not_found");
  });
});

describe("GET and PATCH /boards/:slug/policy", () => {
  it("answers the defaults, then round-trips a change, per board", async () => {
    const h = harness();
    await ok(h.api.boards.$post({ json: { slug: "ops" } }));
    const initial = await ok(h.api.boards[":slug"].policy.$get({ param: { slug: "default" } }));
    expect(PolicyResponse.parse(initial)).toEqual({ policy: DEFAULT_POLICY });

    const patched = await ok(
      h.api.boards[":slug"].policy.$patch({
        param: { slug: "ops" },
        json: {
          require: ["verify", "commits"],
          verify: "pnpm test",
          verify_timeout_seconds: 120,
          repo: "/srv/project",
          base_ref: "origin/main",
          keep_branches: true,
        },
      }),
    );
    const expected = {
      repo: "/srv/project",
      base_ref: "origin/main",
      require: ["commits", "verify"],
      verify: "pnpm test",
      verify_timeout_seconds: 120,
      keep_branches: true,
    };
    expect(patched).toEqual({ policy: expected });
    expect(await ok(h.api.boards[":slug"].policy.$get({ param: { slug: "ops" } }))).toEqual({ policy: expected });
    expect(await ok(h.api.boards[":slug"].policy.$get({ param: { slug: "default" } }))).toEqual({
      policy: DEFAULT_POLICY,
    });

    const cleared = await ok(
      h.api.boards[":slug"].policy.$patch({ param: { slug: "ops" }, json: { verify: null, repo: null } }),
    );
    expect(cleared.policy).toMatchObject({ verify: null, repo: null, require: ["commits", "verify"] });
  });

  it("refuses bad input with 400 and changes nothing; an unknown board is 404", async () => {
    const h = harness();
    const bad: unknown[] = [
      { require: ["tests"] },
      { verify: "   " },
      { verify_timeout_seconds: 0 },
      { verify_timeout_seconds: 1.5 },
      { repo: "relative/path" },
      { base_ref: "-rf" },
      { keep_branches: "yes" },
      { verfy: "make" },
    ];
    for (const json of bad) {
      await refused(h.request("PATCH", "/boards/default/policy", { json }), 400, "invalid_input");
    }
    expect(await ok(h.api.boards[":slug"].policy.$get({ param: { slug: "default" } }))).toEqual({
      policy: DEFAULT_POLICY,
    });
    await refused(h.request("GET", "/boards/nope/policy"), 404, "board_not_found");
    await refused(h.request("PATCH", "/boards/nope/policy", { json: { verify: "make" } }), 404, "board_not_found");
    await refused(h.request("GET", "/boards/Bad Slug!/policy"), 400, "invalid_input");
  });
});
