import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TaskEvent } from "@switchyard/contract";
import { boardPaths, type Kernel, listEvents, requireTask } from "@switchyard/core";
import { systemProcesses, workerLogPath } from "@switchyard/runtime";
import { describe, expect, it, onTestFinished } from "vitest";
import { stringify } from "yaml";
import { GIT_IDENTITY, git, gitRepository } from "../../../packages/core/test/git.ts";
import { type TestHome, tempHome } from "./cli.ts";

/**
 * Issue 16's acceptance with everything real: `switchyard dispatch` makes each task's git
 * worktree and starts the fake agent (e2e/fake-agent), which does real git work and completes
 * through the CLI with receipts; the board verifies them, and runs a required `verify` itself.
 */

const FAKE_AGENT = fileURLToPath(new URL("../../../e2e/fake-agent/fake-agent.mjs", import.meta.url));

interface Rig {
  home: TestHome;
  k: Kernel;
  repo: string;
}

/** A home whose `coder` profile runs the fake agent with `args`, and a repository its worktrees come from. */
async function rig(args: string[]): Promise<Rig> {
  const home = tempHome();
  mkdirSync(home.root, { recursive: true });
  const trace = join(home.dir, "trace.jsonl");
  writeFileSync(
    join(home.root, "config.yaml"),
    stringify({
      dispatch: { stop_grace_seconds: 1 },
      profiles: { coder: { command: [process.execPath, FAKE_AGENT, "--trace", trace, ...args] } },
    }),
  );
  const repo = gitRepository({ dir: join(home.dir, "repo") });
  home.ok(["policy", "set", "--repo", repo, "--base-ref", "main"]);
  const k = await home.kernel();
  onTestFinished(async () => {
    const pids = await k.db.all<{ worker_pid: number }>(
      "SELECT worker_pid FROM task_runs WHERE worker_pid IS NOT NULL",
    );
    for (const { worker_pid } of pids) systemProcesses.kill(-worker_pid, "SIGKILL");
  });
  return { home, k, repo };
}

/** The workers' commits need an identity; the fake agent's environment is the dispatcher's. */
const IDENTITY = GIT_IDENTITY;

async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const eventOf = async (k: Kernel, id: string, kind: string) => (await listEvents(k, id)).find((e) => e.kind === kind);

const COMMIT = "echo 'the feature' > feature.txt && git add feature.txt && git commit -qm 'add the feature'";

describe("a worktree task done by the fake agent through the CLI", () => {
  it("commits on sy/<id> and completes with that sha and the changed file: done, receipts verified", async () => {
    const { home, k, repo } = await rig([
      "--shell",
      COMMIT,
      "--receipts",
      '{"commits": ["%HEAD%"], "files": ["feature.txt"]}',
    ]);
    const id = home.create("Add the feature", "--assignee", "coder", "--workspace", "worktree");
    home.ok(["dispatch"], { env: IDENTITY });
    await until("the task to be done", async () => (await requireTask(k, id)).status === "done");
    const completed = TaskEvent.parse(await eventOf(k, id, "completed"));
    expect(completed.payload).toMatchObject({ receipts_verified: 2 });
    expect(git(repo, "log", "-1", "--format=%s", `sy/${id}`)).toBe("add the feature");
    const shown = home.ok(["show", id]);
    expect(shown).toContain(`sy/${id}`);
  });

  it("that claims a commit which does not exist is refused: the task stays running, the refusal is audited", async () => {
    const { home, k } = await rig([
      "--shell",
      COMMIT,
      "--receipts",
      '{"commits": ["deadbeefdeadbeefdeadbeef"], "files": ["feature.txt"]}',
      "--after-refusal",
      "hang",
    ]);
    const id = home.create("Add the feature", "--assignee", "coder", "--workspace", "worktree");
    home.ok(["dispatch"], { env: IDENTITY });
    const refused = TaskEvent.parse(await until("the refusal", () => eventOf(k, id, "completion_blocked_unverified")));
    expect(refused.payload).toMatchObject({
      phase: "receipts",
      refused: [{ kind: "commit", claim: "deadbeefdeadbeefdeadbeef", reason: "not_found" }],
      verified: [{ kind: "file", claim: "feature.txt", ok: true }],
    });
    expect(await requireTask(k, id)).toMatchObject({ status: "running" });
    expect(await eventOf(k, id, "completed")).toBeUndefined();
  });
});

describe("a required verify command run by the board", () => {
  it("that exits 1 refuses the worker's completion after the board's own run, and the next run's context holds its output; the same flow with exit 0 completes", async () => {
    const { home, k } = await rig(["--print-context"]);
    const failing = home.create(
      "Make the tests pass",
      "--assignee",
      "coder",
      "--verify",
      "node -e \"console.log('VERIFY-SAYS: 2 of 9 failing'); process.exit(1)\"",
    );
    home.ok(["dispatch"]);
    await until("the hand-in", () => eventOf(k, failing, "verifying"));
    // The next dispatch runs the board's checks (the one-shot CLI waits for them).
    home.ok(["dispatch"]);
    const refused = TaskEvent.parse(await eventOf(k, failing, "completion_blocked_unverified"));
    expect(refused.payload).toMatchObject({
      phase: "verify",
      refused: [{ kind: "verify", reason: "verify_failed" }],
      checks: [{ exit_code: 1, ok: false }],
    });
    expect(await requireTask(k, failing)).toMatchObject({ status: "ready", spawn_failures: 1 });
    const log = workerLogPath(boardPaths(home.home(), "default"), failing);

    home.ok(["dispatch"]);
    await until("the second attempt to read its context", () => {
      const text = existsSync(log) ? readFileSync(log, "utf8") : "";
      return text.includes("Why the last completion was refused") && text.includes("VERIFY-SAYS: 2 of 9 failing");
    });

    const passing = home.create("Keep them passing", "--assignee", "coder", "--verify", "node -e 'process.exit(0)'");
    home.ok(["dispatch"]);
    await until("the hand-in", () => eventOf(k, passing, "verifying"));
    home.ok(["dispatch"]);
    expect(await requireTask(k, passing)).toMatchObject({ status: "done" });
  });
});

describe("a reclaim of a worker with uncommitted edits", () => {
  it("keeps them: the next run finds them in its worktree, and its context says where they were saved", async () => {
    const { home, k } = await rig([
      "--shell",
      'if [ -f draft.txt ]; then cp draft.txt ../found.txt; fi; echo "half a draft" >> draft.txt',
      "--mode",
      "hang",
      "--print-context",
    ]);
    const id = home.create("Write the draft", "--assignee", "coder", "--workspace", "worktree");
    home.ok(["dispatch"]);
    const first = await until("the first worker's edit", async () => {
      const t = await requireTask(k, id);
      return t.workspace_path && existsSync(join(t.workspace_path, "draft.txt")) ? t : undefined;
    });
    home.ok(["reclaim", id, "--reason", "wrong approach"]);
    const reclaimed = TaskEvent.parse(await eventOf(k, id, "reclaimed"));
    expect(reclaimed.payload).toMatchObject({ wip: { files: ["draft.txt"] } });

    await until("the second run", async () => {
      home.ok(["dispatch"]);
      const t = await requireTask(k, id);
      return t.status === "running" && t.current_run_id !== first.current_run_id;
    });
    const found = join(first.workspace_path as string, "..", "found.txt");
    await until("the second worker to find the draft", () => existsSync(found));
    expect(readFileSync(found, "utf8")).toBe("half a draft\n");
    const log = workerLogPath(boardPaths(home.home(), "default"), id);
    await until("the second worker's context in its log", () => {
      const text = readFileSync(log, "utf8");
      return (
        text.includes("## Work in progress from the previous attempt") && text.includes(`refs/switchyard/wip/${id}/`)
      );
    });
  });
});
