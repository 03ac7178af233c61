import { type CliClaim, HeartbeatParams, type HeartbeatResult, PatchTaskBody, Receipts } from "@switchyard/contract";
import {
  archiveTask,
  blockTask,
  type Completion,
  claimWithWorkspace,
  completeTask,
  editCompletedResult,
  heartbeatWorker,
  unblockTask,
} from "@switchyard/core";
import {
  branchClaim,
  collect,
  duration,
  jsonObject,
  jsonObjectOf,
  parseInput,
  type TestClaimInput,
  testClaim,
} from "../args.ts";
import { forEachId } from "../bulk.ts";
import type { Cli, RegisterVerbs } from "../context.ts";
import { UsageError } from "../errors.ts";
import { stamp } from "../output.ts";
import { taskResponse } from "../shapes.ts";
import { assertOwnTask, runIdFor } from "../tools/scope.ts";

/**
 * claim, complete, block, unblock, archive, heartbeat and edit (reference §10.2). From a worker
 * (SWITCHYARD_TASK set) complete, block and heartbeat obey the same ownership and run-id guards
 * as the tools.
 */

function claimTtl(cli: Cli): number {
  return cli.scope().claimTtl ?? cli.config().dispatch.claim_ttl_seconds;
}

interface CompleteOpts {
  result?: string;
  summary?: string;
  metadata?: Record<string, unknown>;
  createdCard?: string[];
  commit?: string[];
  file?: string[];
  branch?: { name: string; remote?: string };
  test?: TestClaimInput[];
  artifact?: string[];
  receipts?: Record<string, unknown>;
  json?: boolean;
}

/** The flag each field of the receipts comes from, for a refusal of a bad one. */
const RECEIPT_FLAGS: Record<string, string> = {
  "": "--receipts",
  files: "--file",
  commits: "--commit",
  branch: "--branch",
  tests: "--test",
  artifacts: "--artifact",
};

/** A list claim of `--receipts` with the same claims given as flags added after it. */
function merged(fromJson: unknown, fromFlags: readonly unknown[] | undefined): unknown {
  if (fromFlags === undefined) return fromJson;
  if (fromJson === undefined) return fromFlags;
  return Array.isArray(fromJson) ? [...fromJson, ...fromFlags] : fromJson;
}

/**
 * What a completion claims (SPEC §12): the `--receipts` object with the claims of the flags
 * added (a `--branch` flag replaces its branch), checked with the contract's schema; null when
 * nothing is claimed.
 */
function receiptsOf(opts: CompleteOpts): Receipts | null {
  const json = opts.receipts ?? {};
  const raw: Record<string, unknown> = {
    ...json,
    files: merged(json.files, opts.file),
    commits: merged(json.commits, opts.commit),
    branch: opts.branch ?? json.branch,
    tests: merged(json.tests, opts.test),
    artifacts: merged(json.artifacts, opts.artifact),
  };
  for (const key of Object.keys(raw)) if (raw[key] === undefined) delete raw[key];
  if (Object.keys(raw).length === 0) return null;
  return parseInput(Receipts, raw, RECEIPT_FLAGS);
}

function claimsReceipts(opts: CompleteOpts): boolean {
  return [opts.commit, opts.file, opts.branch, opts.test, opts.artifact, opts.receipts].some((o) => o !== undefined);
}

/** The line of a completion the board checks before it counts: the worker must stop now. */
function handedInLine(id: string, checks: NonNullable<Completion["verifying"]>): string {
  const commands = checks.map((c) => `\`${c.command}\``);
  const runs = commands.length > 1 ? `${commands.slice(0, -1).join(", ")} and ${commands.at(-1)}` : commands[0];
  return `Handed in ${id}: the board runs ${runs ?? "its checks"} in the workspace; stop working now.`;
}

function completedLine(id: string, done: Completion): string {
  const verified = done.receipts.filter((v) => v.ok).length;
  return verified > 0 ? `Completed ${id} (${verified} receipt(s) verified)` : `Completed ${id}`;
}

interface EditOpts {
  result: string;
  summary?: string;
  metadata?: Record<string, unknown>;
  json?: boolean;
}

const BULK_JSON = "print {results: [{id, ok, error?}]} (as POST /tasks/bulk returns it)";

export const registerLifecycle: RegisterVerbs = (program, cli) => {
  program
    .command("claim")
    .description("claim a ready task as this process and prepare its workspace")
    .argument("<id>", "the task")
    .option("--ttl <duration>", "how long the claim lasts without a heartbeat (default: config, else 900 s)", duration)
    .option("--json", "print {task, workspace}")
    .action(async (id: string, opts: { ttl?: number; json?: boolean }) => {
      const ttl = opts.ttl ?? cli.config().dispatch.claim_ttl_seconds;
      const k = await cli.kernel();
      const { task, workspace } = await claimWithWorkspace(k, id, { ttl });
      if (opts.json) return cli.json({ ...(await taskResponse(k, id)), workspace } satisfies CliClaim);
      cli.out(`Claimed ${id} (until ${stamp(task.claim_expires)})`);
      cli.out(`Workspace: ${workspace}`);
    });

  program
    .command("complete")
    .description("complete one task with a handoff and receipts, or several without")
    .argument("<ids...>", "the task(s)")
    .option("--result <text>", "a short result line")
    .option("--summary <text>", "1-3 sentences for the next reader (one task only)")
    .option("--metadata <json>", "a JSON object of machine-readable facts (one task only)", jsonObject)
    .option("--created-card <id>", "a card you created for this task (repeatable; one task only)", collect)
    .option("--commit <sha>", "a commit you made on the task's branch (repeatable; receipts: one task only)", collect)
    .option("--file <path>", "a file you changed, relative to the workspace (repeatable)", collect)
    .option("--branch <name[@remote]>", "a branch you pushed (remote default origin)", branchClaim)
    .option(
      "--test <command=exit code>",
      "a test command and the exit code it gave; the board re-runs it (repeatable)",
      testClaim,
    )
    .option("--artifact <path|url>", "an artifact you produced (repeatable)", collect)
    .option(
      "--receipts <json>",
      "a whole receipts object {files, commits, branch, tests, artifacts}; the flags add to it",
      jsonObjectOf("--receipts", '{"commits": ["1a2b3c4"]}'),
    )
    .option(
      "--json",
      "print {results: [{id, ok, error?}]} (as POST /tasks/bulk returns it), or a handed-in completion as {task, verifying, receipts, …}",
    )
    .action(async (ids: string[], opts: CompleteOpts) => {
      if (
        ids.length > 1 &&
        (opts.summary !== undefined || opts.metadata !== undefined || opts.createdCard || claimsReceipts(opts))
      ) {
        throw new UsageError(
          "--summary, --metadata, --created-card and receipts describe one run: complete the tasks one at a time to give them",
        );
      }
      const handoff = parseInput(PatchTaskBody, {
        status: "done",
        result: opts.result ?? null,
        summary: opts.summary ?? null,
        metadata: opts.metadata ?? null,
      });
      const receipts = receiptsOf(opts);
      const k = await cli.kernel();
      const scope = cli.scope();
      // forEachId prints {results} after the last id, unless a single task was handed in: then its Completion.
      const output = { json: opts.json };
      await forEachId(
        cli,
        ids,
        async (id) => {
          assertOwnTask(scope, id);
          const done = await completeTask(k, id, {
            result: handoff.result ?? null,
            summary: handoff.summary ?? null,
            metadata: handoff.metadata ?? null,
            created_cards: opts.createdCard ?? null,
            receipts,
            runId: runIdFor(scope, id),
          });
          if (opts.json && done.verifying && ids.length === 1) {
            cli.json(done);
            output.json = false;
          } else if (!opts.json) {
            cli.out(done.verifying ? handedInLine(id, done.verifying) : completedLine(id, done));
          }
          if (done.phantom_refs.length > 0) {
            cli.warn(`⚠ ${id}: the handoff mentions task ids that do not exist: ${done.phantom_refs.join(", ")}`);
          }
        },
        output,
      );
    });

  program
    .command("block")
    .description("block a task on a decision or input (the reason is also posted as a comment)")
    .argument("<id>", "the task")
    .argument("[reason...]", "what is needed")
    .option("--ids <ids...>", "more tasks to block with the same reason")
    .option("--json", BULK_JSON)
    .action(async (id: string, words: string[], opts: { ids?: string[]; json?: boolean }) => {
      const { block_reason: reason } = parseInput(
        PatchTaskBody,
        { status: "blocked", block_reason: words.join(" ").trim() || null },
        { block_reason: "[reason]" },
      );
      const k = await cli.kernel();
      const scope = cli.scope();
      await forEachId(
        cli,
        [id, ...(opts.ids ?? [])],
        async (taskId) => {
          assertOwnTask(scope, taskId);
          await blockTask(k, taskId, {
            reason: reason ?? null,
            runId: runIdFor(scope, taskId),
            author: cli.identity(),
          });
          if (!opts.json) cli.out(`Blocked ${taskId}`);
        },
        opts,
      );
    });

  program
    .command("unblock")
    .description("move blocked tasks back to ready")
    .argument("<ids...>", "the task(s)")
    .option("--json", BULK_JSON)
    .action(async (ids: string[], opts: { json?: boolean }) => {
      const k = await cli.kernel();
      await forEachId(
        cli,
        ids,
        async (id) => {
          await unblockTask(k, id);
          if (!opts.json) cli.out(`Unblocked ${id}`);
        },
        opts,
      );
    });

  program
    .command("archive")
    .description("archive tasks (hidden from default views)")
    .argument("<ids...>", "the task(s)")
    .option("--json", BULK_JSON)
    .action(async (ids: string[], opts: { json?: boolean }) => {
      const k = await cli.kernel();
      await forEachId(
        cli,
        ids,
        async (id) => {
          await archiveTask(k, id);
          if (!opts.json) cli.out(`Archived ${id}`);
        },
        opts,
      );
    });

  program
    .command("heartbeat")
    .description("record that the worker of a running task is alive, and extend its claim")
    .argument("<id>", "the task")
    .option("--note <text>", "what progress was made")
    .option("--json", "print {ok, task_id} (as kanban_heartbeat returns it)")
    .action(async (id: string, opts: { note?: string; json?: boolean }) => {
      const { note } = parseInput(HeartbeatParams, { note: opts.note ?? null });
      const scope = cli.scope();
      assertOwnTask(scope, id);
      const task = await heartbeatWorker(await cli.kernel(), id, {
        note: note ?? null,
        runId: runIdFor(scope, id),
        ttl: claimTtl(cli),
      });
      if (opts.json) return cli.json({ ok: true, task_id: task.id } satisfies HeartbeatResult);
      cli.out(`Heartbeat ${id} (claim until ${stamp(task.claim_expires)})`);
    });

  program
    .command("edit")
    .description("rewrite the result (and handoff) of a done task")
    .argument("<id>", "the task")
    .requiredOption("--result <text>", "the new result")
    .option("--summary <text>", "the new summary")
    .option("--metadata <json>", "a JSON object of machine-readable facts", jsonObject)
    .option("--json", "print the task as PATCH /tasks/:id returns it")
    .action(async (id: string, opts: EditOpts) => {
      const handoff = parseInput(PatchTaskBody, {
        result: opts.result,
        summary: opts.summary ?? null,
        metadata: opts.metadata ?? null,
      });
      const k = await cli.kernel();
      await editCompletedResult(k, id, {
        result: handoff.result ?? opts.result,
        summary: handoff.summary ?? null,
        metadata: handoff.metadata ?? null,
      });
      if (opts.json) return cli.json(await taskResponse(k, id));
      cli.out(`Edited ${id}`);
    });
};
