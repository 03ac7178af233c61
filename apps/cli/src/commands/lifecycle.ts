import { type CliClaim, HeartbeatParams, type HeartbeatResult, PatchTaskBody } from "@switchyard/contract";
import {
  archiveTask,
  blockTask,
  claimWithWorkspace,
  completeTask,
  editCompletedResult,
  heartbeatWorker,
  unblockTask,
} from "@switchyard/core";
import { collect, duration, jsonObject, parseInput } from "../args.ts";
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
  json?: boolean;
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
    .description("complete one task with a handoff, or several without one")
    .argument("<ids...>", "the task(s)")
    .option("--result <text>", "a short result line")
    .option("--summary <text>", "1-3 sentences for the next reader (one task only)")
    .option("--metadata <json>", "a JSON object of machine-readable facts (one task only)", jsonObject)
    .option("--created-card <id>", "a card you created for this task (repeatable; one task only)", collect)
    .option("--json", BULK_JSON)
    .action(async (ids: string[], opts: CompleteOpts) => {
      if (ids.length > 1 && (opts.summary !== undefined || opts.metadata !== undefined || opts.createdCard)) {
        throw new UsageError(
          "--summary, --metadata and --created-card describe one run: complete the tasks one at a time to give them",
        );
      }
      const handoff = parseInput(PatchTaskBody, {
        status: "done",
        result: opts.result ?? null,
        summary: opts.summary ?? null,
        metadata: opts.metadata ?? null,
      });
      const k = await cli.kernel();
      const scope = cli.scope();
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
            runId: runIdFor(scope, id),
          });
          if (!opts.json) cli.out(`Completed ${id}`);
          if (done.phantom_refs.length > 0) {
            cli.warn(`⚠ ${id}: the handoff mentions task ids that do not exist: ${done.phantom_refs.join(", ")}`);
          }
        },
        opts,
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
