import {
  type CompletionPolicy,
  PolicyPatch,
  type PolicyResponse,
  type TaskResponse,
  WaiveBody,
} from "@switchyard/contract";
import { getPolicy, setPolicy, waiveCompletion } from "@switchyard/core";
import { absolutePath, duration, nameList, parseInput } from "../args.ts";
import type { Cli, RegisterVerbs } from "../context.ts";
import { UsageError } from "../errors.ts";
import { taskResponse } from "../shapes.ts";

/**
 * Verified completion at the CLI (SPEC §12): `waive` accepts a completion without proof, with a
 * reason (audited); `policy` shows or sets what a board's completions must prove.
 */

interface PolicySetOpts {
  require?: string[];
  verify?: string | false;
  repo?: string | false;
  baseRef?: string | false;
  verifyTimeout?: number;
  keepBranches?: boolean;
  json?: boolean;
}

/** The flag each field of the policy is set with, for a refusal of a bad value. */
const POLICY_FLAGS: Record<string, string> = {
  repo: "--repo",
  base_ref: "--base-ref",
  require: "--require",
  verify: "--verify",
  verify_timeout_seconds: "--verify-timeout",
  keep_branches: "--keep-branches",
};

/** A flag pair `--x <value>` / `--no-x`: the value, null for `--no-x`, absent when neither was given. */
function orNull<T>(value: T | false | undefined): T | null | undefined {
  return value === false ? null : value;
}

function policyLines(cli: Cli, slug: string, policy: CompletionPolicy): void {
  const field = (name: string, value: string) => cli.out(`  ${`${name}:`.padEnd(16)} ${value}`);
  cli.out(`Completion policy of board ${slug}:`);
  field("repo", policy.repo ?? "(the dispatcher's directory)");
  field("base ref", policy.base_ref ?? "HEAD");
  field("require", policy.require.length > 0 ? policy.require.join(", ") : "(nothing)");
  field("verify", policy.verify ?? "(none)");
  field("verify timeout", `${policy.verify_timeout_seconds} s`);
  field("keep branches", policy.keep_branches ? "yes (gc keeps an unmerged branch)" : "no");
}

export const registerVerification: RegisterVerbs = (program, cli) => {
  program
    .command("waive")
    .description("accept a task's completion without proof (done, with the reason recorded)")
    .argument("<id>", "the task")
    .option("--reason <text>", "why it is accepted without proof (required)")
    .option("--result <text>", "the result to record")
    .option("--json", "print the task as POST /tasks/:id/waive returns it")
    .action(async (id: string, opts: { reason?: string; result?: string; json?: boolean }) => {
      const input = parseInput(WaiveBody, {
        reason: opts.reason ?? "",
        author: cli.identity(),
        result: opts.result ?? null,
      });
      const k = await cli.kernel();
      await waiveCompletion(k, id, { reason: input.reason, by: input.author, result: input.result ?? null });
      if (opts.json) return cli.json((await taskResponse(k, id)) satisfies TaskResponse);
      cli.out(`Waived ${id}: done without proof (${input.reason})`);
    });

  const policy = program
    .command("policy")
    .description("show or set what this board's completions must prove (require, verify, repo)");

  policy
    .command("show", { isDefault: true })
    .description("the board's completion policy")
    .option("--json", "print {policy} (as GET /boards/:slug/policy returns it)")
    .action(async (opts: { json?: boolean }) => {
      const current = await getPolicy(await cli.kernel());
      if (opts.json) return cli.json({ policy: current } satisfies PolicyResponse);
      policyLines(cli, await cli.boardSlug(), current);
    });

  policy
    .command("set")
    .description("change the board's completion policy (only the fields given)")
    .option(
      "--require <list>",
      "what every completion must prove, comma-separated (commits, files, branch, artifacts, clean_tree, verify), or none",
      nameList,
    )
    .option("--verify <command>", "the shell command the board runs in the workspace before a task counts as done")
    .option("--no-verify", "no board-wide verify command")
    .option("--repo <path>", "the repository worktrees are made from", absolutePath)
    .option("--no-repo", "worktrees are made from the dispatcher's directory")
    .option("--base-ref <rev>", "the revision a new task branch starts from")
    .option("--no-base-ref", "new task branches start from the repository's HEAD")
    .option("--verify-timeout <seconds>", "how long a verify command may run: seconds, or 30s, 5m, 2h", duration)
    .option("--keep-branches", "gc removes a done task's worktree but keeps its unmerged branch")
    .option("--no-keep-branches", "gc keeps both until the branch is merged")
    .option("--json", "print {policy} (as PATCH /boards/:slug/policy returns it)")
    .action(async (opts: PolicySetOpts) => {
      const raw = {
        repo: orNull(opts.repo),
        base_ref: orNull(opts.baseRef),
        require: opts.require,
        verify: orNull(opts.verify),
        verify_timeout_seconds: opts.verifyTimeout,
        keep_branches: opts.keepBranches,
      };
      const given = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
      if (Object.keys(given).length === 0) {
        throw new UsageError(
          "policy set needs at least one of --require, --verify/--no-verify, --repo/--no-repo, --base-ref/--no-base-ref, --verify-timeout, --keep-branches/--no-keep-branches",
        );
      }
      const patch = parseInput(PolicyPatch, given, POLICY_FLAGS);
      const updated = await setPolicy(await cli.kernel(), patch);
      if (opts.json) return cli.json({ policy: updated } satisfies PolicyResponse);
      policyLines(cli, await cli.boardSlug(), updated);
    });
};
