import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { blockTask, buildWorkerContext, completeTask, heartbeatWorker, RATE_LIMIT_EXIT_CODE } from "@switchyard/core";
import { runDirOf, runWrapped } from "@switchyard/runtime";
import type { RegisterVerbs } from "../context.ts";
import { UsageError } from "../errors.ts";

/**
 * `switchyard wrap -- <agent argv…>` (SPEC §14): runs, as a worker, an agent that cannot call
 * the board's tools (aider has no MCP client; the `aider` preset uses this). The task's worker
 * context is written to a message file in the run's directory and passed to the agent after
 * `--message-flag`; the claim is heartbeated while it runs; then the board hears the outcome:
 * exit 0 completes the task with the agent's last output lines as the summary, exit 75 (rate
 * limited) is passed on for the dispatcher's backoff, any other exit blocks the task with the code
 * and those lines. A wrapper that is itself stopped (reclaim, timeout) reports nothing.
 */

interface WrapOpts {
  messageFlag?: string;
  tailLines: number;
}

/** What the agent is told besides the task itself. */
const INSTRUCTIONS = [
  "",
  "## How to work",
  "",
  "You are running non-interactively as this task's worker; nobody will answer questions.",
  "Make the changes in the current directory, then stop. Your last message is reported as the",
  "task's summary, so end with a short account of what you did.",
  "",
].join("\n");

const SUMMARY_MAX = 4000;

function tailText(lines: readonly string[]): string {
  const text = lines.join("\n");
  return text.length > SUMMARY_MAX ? `…${text.slice(-(SUMMARY_MAX - 1))}` : text;
}

export const registerWrap: RegisterVerbs = (program, cli) => {
  program
    .command("wrap")
    .description(
      "run an agent without MCP as this task's worker: give it the task, then complete or block the task by its exit code",
    )
    .argument("<argv...>", "the agent's command and arguments (after --)")
    .option("--message-flag <flag>", "pass the path of the task's message file after this flag (e.g. --message-file)")
    .option("--tail-lines <n>", "how many of the agent's last output lines to report", Number, 20)
    .addHelpText(
      "after",
      "\nRun by the dispatcher (SWITCHYARD_TASK and SWITCHYARD_RUN_ID set), e.g. for the aider preset:\n" +
        "  switchyard wrap --message-flag=--message-file -- aider --yes-always",
    )
    .action(async (argv: string[], opts: WrapOpts) => {
      const scope = cli.scope();
      if (scope.task === null || scope.runId === null) {
        throw new UsageError(
          "switchyard wrap runs a worker's agent: set SWITCHYARD_TASK and SWITCHYARD_RUN_ID (the dispatcher does)",
        );
      }
      if (!Number.isInteger(opts.tailLines) || opts.tailLines < 1 || opts.tailLines > 200) {
        throw new UsageError("--tail-lines must be a whole number from 1 to 200");
      }
      const task = scope.task;
      const runId = scope.runId;
      const k = await cli.kernel();
      const agent = argv[0] ?? "the agent";

      const dir = runDirOf(k.paths, runId);
      mkdirSync(dir, { recursive: true });
      const messageFile = join(dir, "message.md");
      writeFileSync(messageFile, `${await buildWorkerContext(k, task)}\n${INSTRUCTIONS}`, { mode: 0o600 });

      let stopped = false;
      const onStop = () => {
        stopped = true;
      };
      process.once("SIGTERM", onStop);
      process.once("SIGINT", onStop);
      const ttl = scope.claimTtl ?? cli.config().dispatch.claim_ttl_seconds;
      const run = await runWrapped({
        argv: [...argv, ...(opts.messageFlag ? [opts.messageFlag, messageFile] : [])],
        env: process.env,
        tailLines: opts.tailLines,
        heartbeatSeconds: Math.max(5, Math.floor(ttl / 3)),
        heartbeat: async () => {
          await heartbeatWorker(k, task, { runId, ttl, note: `${agent} is running` });
        },
      });
      process.off("SIGTERM", onStop);
      process.off("SIGINT", onStop);

      // Stopped by the dispatcher (a reclaim or a timeout records the run itself), or rate limited.
      if (stopped) {
        process.exitCode = 143;
        return;
      }
      if (run.code === RATE_LIMIT_EXIT_CODE) {
        process.exitCode = RATE_LIMIT_EXIT_CODE;
        return;
      }
      const output = tailText(run.tail);
      if (run.code === 0) {
        const summary = output || `${agent} finished (exit 0) without output`;
        await completeTask(k, task, { runId, summary });
        cli.warn(`switchyard wrap: ${agent} exited 0; completed ${task}`);
        return;
      }
      const how = run.startError
        ? `could not start: ${run.startError}`
        : run.signal
          ? `was ended by ${run.signal}`
          : `exited with code ${run.code}`;
      const last = run.tail.at(-1);
      const reason = `${agent} ${how}${last && !run.startError ? `: ${last}` : ""}`;
      await blockTask(k, task, { runId, reason: reason.slice(0, 2000), author: scope.profile ?? "worker" });
      cli.warn(`switchyard wrap: ${reason}; blocked ${task}`);
    });
};
