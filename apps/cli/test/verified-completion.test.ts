import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  CliClaim,
  CompleteResult,
  DEFAULT_POLICY,
  PolicyResponse,
  ReceiptVerdict,
  type RunProof,
  Task,
  TaskResponse,
  ToolError,
} from "@switchyard/contract";
import { getTask, listEvents, taskDetail } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { git, gitRepository } from "../../../packages/core/test/git.ts";
import { connectMcp as connect, expectRefused, type TestHome, tempHome } from "./cli.ts";

/**
 * Verified completion at the CLI and in the MCP tools (SPEC §12, issue 16): receipts given as
 * flags, refusals, the hand-in of a completion the board checks itself, `waive` and `policy`.
 * The repositories are real git repositories in the test's temp directory.
 */

/** A repository with one commit on `main`, and a bare `origin` it can push to. */
function repository(home: TestHome): string {
  return gitRepository({ dir: join(home.dir, "repo"), origin: true });
}

interface Worker {
  id: string;
  workspace: string;
  /** The environment the dispatcher gives the task's worker. */
  env: Record<string, string>;
}

/** A task claimed as its worker would hold it: a `worktree` of `repo` when given, else scratch. */
function claimed(home: TestHome, title: string, repo?: string, ...flags: string[]): Worker {
  const where = repo ? ["--workspace", "worktree", "--repo", repo] : [];
  const id = home.create(title, "--assignee", "alice", ...where, ...flags);
  const claim = home.json(CliClaim, ["claim", id, "--json"]);
  const run = claim.task.current_run_id as number;
  return {
    id,
    workspace: claim.workspace,
    env: { SWITCHYARD_TASK: id, SWITCHYARD_RUN_ID: String(run), SWITCHYARD_PROFILE: "alice" },
  };
}

/** Commits a new file in a workspace; returns the commit's sha. */
function commitFile(dir: string, name: string, text = "work\n"): string {
  writeFileSync(join(dir, name), text);
  git(dir, "add", name);
  git(dir, "commit", "-qm", `add ${name}`);
  return git(dir, "rev-parse", "HEAD");
}

async function proofOf(home: TestHome, id: string): Promise<RunProof | null | undefined> {
  const detail = await taskDetail(await home.kernel(), id);
  return detail.runs.at(-1)?.proof;
}

async function eventKinds(home: TestHome, id: string): Promise<string[]> {
  return (await listEvents(await home.kernel(), id)).map((e) => e.kind);
}

describe("switchyard complete with receipts", () => {
  it("turns --commit, --file, --branch, --artifact and --receipts into one set of claims the board verifies", async () => {
    const home = tempHome();
    const repo = repository(home);
    const w = claimed(home, "write the notes", repo);
    const first = commitFile(w.workspace, "notes.txt");
    const second = commitFile(w.workspace, "more.txt");
    git(w.workspace, "push", "-q", "origin", "HEAD:refs/heads/feature");

    const out = home.ok(
      [
        "complete",
        w.id,
        "--summary",
        "wrote the notes",
        "--receipts",
        JSON.stringify({ commits: [first.slice(0, 10)], files: ["notes.txt"] }),
        "--commit",
        second,
        "--file",
        "more.txt",
        "--branch",
        "feature@origin",
        "--artifact",
        "notes.txt",
      ],
      { env: w.env },
    );

    expect(out).toBe(`Completed ${w.id} (6 receipt(s) verified)\n`);
    expect((await getTask(await home.kernel(), w.id))?.status).toBe("done");
    const claims = (await proofOf(home, w.id))?.receipts?.map((v) => [v.kind, v.claim, v.ok]);
    expect(claims).toEqual(
      expect.arrayContaining([
        ["commit", first.slice(0, 10), true],
        ["commit", second, true],
        ["file", "notes.txt", true],
        ["file", "more.txt", true],
        ["branch", "origin/feature", true],
        ["artifact", "notes.txt", true],
      ]),
    );
    const completed = (await listEvents(await home.kernel(), w.id)).find((e) => e.kind === "completed");
    expect(completed?.payload).toMatchObject({ receipts_verified: 6 });
  });

  it("hands in a completion with a claimed test: it names the command, split at the last '=', and the task stays running", async () => {
    const home = tempHome();
    const w = claimed(home, "run the tests");
    const out = home.ok(["complete", w.id, "--summary", "tests pass", "--test", "printf a=b=0"], { env: w.env });
    expect(out).toBe(`Handed in ${w.id}: the board runs \`printf a=b\` in the workspace; stop working now.\n`);
    expect((await getTask(await home.kernel(), w.id))?.status).toBe("running");
    expect(await eventKinds(home, w.id)).toContain("verifying");
    expect((await proofOf(home, w.id))?.verifying).toBe(true);

    const other = claimed(home, "run them with --json");
    const json = JSON.parse(
      home.ok(["complete", other.id, "--summary", "ok", "--test", "true=0", "--test", "exit 3=3", "--json"], {
        env: other.env,
      }),
    );
    expect(json).toMatchObject({
      task: { id: other.id, status: "running" },
      verifying: [
        { command: "true", source: "test" },
        { command: "exit 3", source: "test" },
      ],
    });
  });

  it("refuses receipts that do not check out with exit 1 and one line naming each claim; the task stays the worker's", async () => {
    const home = tempHome();
    const repo = repository(home);
    const w = claimed(home, "fix the bug", repo);
    const sha = commitFile(w.workspace, "fix.txt");

    const r = home.run(["complete", w.id, "--summary", "fixed", "--commit", "deadbeef", "--file", "missing.txt"], {
      env: w.env,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^switchyard: completion blocked: 2 claim\(s\) could not be verified: /);
    expect(lines[0]).toContain("commit deadbeef (not_found");
    expect(lines[0]).toContain("file missing.txt (not_found");
    expect((await getTask(await home.kernel(), w.id))?.status).toBe("running");
    const blocked = (await listEvents(await home.kernel(), w.id)).find(
      (e) => e.kind === "completion_blocked_unverified",
    );
    const payload = z.object({ refused: z.array(ReceiptVerdict) }).parse(blocked?.payload);
    expect(payload.refused).toHaveLength(2);

    // The retry with what is really there completes it.
    expect(
      home.ok(["complete", w.id, "--summary", "fixed", "--commit", sha, "--file", "fix.txt"], { env: w.env }),
    ).toBe(`Completed ${w.id} (2 receipt(s) verified)\n`);
  });

  it("refuses malformed receipts before asking the board (exit 2, one line naming the flag)", async () => {
    const home = tempHome();
    const w = claimed(home, "anything");
    const a = home.create("another");
    const cases: Array<[string[], RegExp]> = [
      [["--test", "pnpm test"], /--test takes "<command>=<exit code>"/],
      [["--test", "pnpm test=ok"], /--test takes "<command>=<exit code>"/],
      [["--test", "pnpm test=300"], /--test: exit_code must be 0\.\.255/],
      [["--commit", "not-a-sha"], /--commit: a commit must be a hex sha/],
      [["--branch", "@origin"], /^switchyard: branch name must not be blank/],
      [["--receipts", "[1]"], /--receipts must be a JSON object/],
      [["--receipts", "{not json"], /--receipts must be a JSON object.*not valid JSON/],
      [["--receipts", '{"commit": ["abc1234"]}'], /--receipts: .*commit/],
    ];
    for (const [flags, message] of cases) {
      await expectRefused(home, ["complete", w.id, "--summary", "s", ...flags], 2, message);
    }
    await expectRefused(home, ["complete", w.id, a, "--file", "x.txt"], 2, /receipts describe one run/);
  });

  it("keeps `Completed <id>` and the bulk JSON for a completion without receipts", () => {
    const home = tempHome();
    const w = claimed(home, "plain");
    expect(home.ok(["complete", w.id, "--summary", "done"], { env: w.env })).toBe(`Completed ${w.id}\n`);
  });
});

describe("switchyard create with requirements", () => {
  it("takes --require, --verify, --repo and --base-ref, and refuses an unknown requirement", async () => {
    const home = tempHome();
    const repo = repository(home);
    const id = home.create(
      "needs proof",
      "--require",
      "commits, verify",
      "--verify",
      "make check",
      "--repo",
      repo,
      "--base-ref",
      "main",
    );
    expect(await getTask(await home.kernel(), id)).toMatchObject({
      require: ["commits", "verify"],
      verify_command: "make check",
      repo,
      base_ref: "main",
    });
    expect(home.ok(["show", id])).toMatch(/requires:\s+commits, verify\n\s+verify:\s+make check/);
    await expectRefused(home, ["create", "bad", "--require", "tests"], 2, /--require: a requirement must be one of/);
    await expectRefused(home, ["create", "bad", "--base-ref", "-x"], 2, /^switchyard: base_ref must be a git revision/);
  });
});

describe("switchyard waive", () => {
  it("needs a reason (exit 2, nothing changes), then completes the task without proof and records who and why", async () => {
    const home = tempHome();
    const w = claimed(home, "checked by hand");
    await expectRefused(home, ["waive", w.id], 2, /reason is required/);
    await expectRefused(home, ["waive", w.id, "--reason", "   "], 2, /reason is required/);

    const r = home.json(TaskResponse, ["waive", w.id, "--reason", "verified on staging", "--json"]);
    expect(r.task).toMatchObject({ id: w.id, status: "done" });
    const events = await listEvents(await home.kernel(), w.id);
    const waived = events.find((e) => e.kind === "completion_waived");
    expect(waived?.payload).toMatchObject({ reason: "verified on staging", by: "user" });
    expect(events.at(-1)).toMatchObject({ kind: "completed", payload: { waived: true } });

    await expectRefused(home, ["waive", w.id, "--reason", "again"], 1, /cannot accept .* without proof: it is done/);
  });

  it("prints one line in text mode", () => {
    const home = tempHome();
    const w = claimed(home, "by hand");
    expect(home.ok(["waive", w.id, "--reason", "looked at it"])).toBe(
      `Waived ${w.id}: done without proof (looked at it)\n`,
    );
  });
});

describe("switchyard policy", () => {
  it("shows the defaults, sets fields, and clears them again, on the board given", () => {
    const home = tempHome();
    home.ok(["boards", "create", "ops"]);
    expect(home.json(PolicyResponse, ["policy", "--json"])).toEqual({ policy: DEFAULT_POLICY });
    expect(home.ok(["policy"])).toContain("Completion policy of board default:");

    const set = home.json(PolicyResponse, [
      "--board",
      "ops",
      "policy",
      "set",
      "--require",
      "verify,commits",
      "--verify",
      "pnpm test",
      "--verify-timeout",
      "5m",
      "--repo",
      "/srv/project",
      "--base-ref",
      "origin/main",
      "--keep-branches",
      "--json",
    ]);
    expect(set.policy).toEqual({
      repo: "/srv/project",
      base_ref: "origin/main",
      require: ["commits", "verify"],
      verify: "pnpm test",
      verify_timeout_seconds: 300,
      keep_branches: true,
    });
    expect(home.json(PolicyResponse, ["policy", "show", "--board", "ops", "--json"])).toEqual(set);
    expect(home.json(PolicyResponse, ["policy", "show", "--json"])).toEqual({ policy: DEFAULT_POLICY });
    const text = home.ok(["policy", "show", "--board", "ops"]);
    expect(text).toMatch(/require:\s+commits, verify/);
    expect(text).toMatch(/verify timeout:\s+300 s/);

    const cleared = home.json(PolicyResponse, [
      "policy",
      "set",
      "--board",
      "ops",
      "--require",
      "none",
      "--no-verify",
      "--no-repo",
      "--no-base-ref",
      "--no-keep-branches",
      "--json",
    ]);
    expect(cleared.policy).toEqual({ ...DEFAULT_POLICY, verify_timeout_seconds: 300 });
  });

  it("refuses an empty or bad change with exit 2 and changes nothing", async () => {
    const home = tempHome();
    await expectRefused(home, ["policy", "set"], 2, /policy set needs at least one of/);
    await expectRefused(home, ["policy", "set", "--require", "tests"], 2, /--require: a requirement must be one of/);
    await expectRefused(home, ["policy", "set", "--verify", "  "], 2, /verify must not be blank/);
    await expectRefused(
      home,
      ["policy", "set", "--verify-timeout", "200000"],
      2,
      /verify_timeout_seconds must be at most/,
    );
    expect(home.json(PolicyResponse, ["policy", "--json"])).toEqual({ policy: DEFAULT_POLICY });
  });
});

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as Array<{ type: string; text: string }>;
  expect(content).toHaveLength(1);
  return {
    isError: result.isError === true,
    body: JSON.parse(content[0]?.text ?? "null") as Record<string, unknown>,
    structured: result.structuredContent,
  };
}

describe("kanban_complete with receipts", () => {
  it("completes with receipts that check out, and refuses ones that do not with the claims named", async () => {
    const home = tempHome();
    const repo = repository(home);
    const w = claimed(home, "the feature", repo);
    const sha = commitFile(w.workspace, "feature.ts");
    const client = await connect(home, w.env);

    const { tools } = await client.listTools();
    const complete = tools.find((t) => t.name === "kanban_complete");
    expect(Object.keys(complete?.inputSchema.properties ?? {})).toContain("receipts");

    const bad = await call(client, "kanban_complete", {
      summary: "done",
      receipts: { commits: ["0123abcd"], files: ["feature.ts", "nope.ts"] },
    });
    expect(bad.isError).toBe(true);
    const error = ToolError.strict().parse(bad.body).error;
    expect(error).toMatch(/^kanban_complete: completion blocked: 2 claim\(s\) could not be verified: /);
    expect(error).toContain("commit 0123abcd (not_found");
    expect(error).toContain("file nope.ts (not_found");
    expect(error).toContain("call complete again");
    expect((await getTask(await home.kernel(), w.id))?.status).toBe("running");

    const good = await call(client, "kanban_complete", {
      summary: "done",
      receipts: { commits: [sha], files: ["feature.ts"] },
    });
    expect(good.isError, JSON.stringify(good.body)).toBe(false);
    expect(CompleteResult.strict().parse(good.body)).toMatchObject({ ok: true, task_id: w.id });
    expect((await getTask(await home.kernel(), w.id))?.status).toBe("done");
  });

  it("says a completion with claimed tests was handed in and the worker must stop; structuredContent keeps the contract's keys", async () => {
    const home = tempHome();
    const w = claimed(home, "tested work");
    const client = await connect(home, w.env);
    const r = await call(client, "kanban_complete", {
      summary: "all green",
      receipts: { tests: [{ command: "true", exit_code: 0 }] },
    });
    expect(r.isError, JSON.stringify(r.body)).toBe(false);
    expect(r.body).toMatchObject({ ok: true, task_id: w.id, handed_in: true, checks: ["true"] });
    expect(r.body.next).toMatch(
      /^Handed in: the board now runs `true` in your workspace .*Stop working and end your session now/,
    );
    expect(r.structured).toEqual(CompleteResult.parse(r.body));
    expect(Object.keys(r.structured ?? {}).sort()).toEqual(["ok", "run_id", "task_id"]);
    expect((await getTask(await home.kernel(), w.id))?.status).toBe("running");
  });

  it("kanban_create passes require and verify_command", async () => {
    const home = tempHome();
    const client = await connect(home, {}, ["--orchestrator"]);
    const r = await call(client, "kanban_create", {
      title: "prove it",
      assignee: "bob",
      require: ["files", "commits"],
      verify_command: "make test",
    });
    expect(r.isError, JSON.stringify(r.body)).toBe(false);
    const task = Task.parse(await getTask(await home.kernel(), r.body.task_id as string));
    expect(task).toMatchObject({ require: ["commits", "files"], verify_command: "make test" });
  });
});
