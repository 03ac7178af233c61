import { Config, ReassignBody, type ReassignResponse, ReclaimBody, type ReclaimResponse } from "@switchyard/contract";
import { isLocalLock, type Kernel, reassignTask, reclaimTask, type WorkerRef } from "@switchyard/core";
import { stopWorker, systemProcesses } from "@switchyard/runtime";
import { parseInput } from "../args.ts";
import type { Cli, RegisterVerbs } from "../context.ts";

/**
 * reclaim and reassign (reference §8, SPEC §3.3): take a task back from its worker at once,
 * and stop that worker when it runs on this host (SIGTERM, a grace period, SIGKILL). Their
 * refusals read as the reference words them (errors.ts, BY_VERB).
 */

/** The home's config, or the defaults when it cannot be read (the reclaim itself is done by then). */
function configOrDefaults(cli: Cli): Config {
  try {
    return cli.config();
  } catch {
    return Config.parse({});
  }
}

/** Stops the worker; with `--json` its line goes to stderr, so stdout stays one JSON value. */
async function stopLocalWorker(cli: Cli, k: Kernel, worker: WorkerRef | null, json = false): Promise<void> {
  if (!worker || worker.pid === null || !isLocalLock(k, worker.lock)) return;
  if (!systemProcesses.isAlive(worker.pid)) return;
  const stopped = await stopWorker(configOrDefaults(cli), worker, { host: k.host });
  if (!stopped) return;
  const say = json ? cli.warn : cli.out;
  if (stopped.stopped) say(`Stopped its worker (pid ${worker.pid}${stopped.sigkill ? ", with SIGKILL" : ""})`);
  else
    cli.warn(
      `⚠ its worker (pid ${worker.pid}) is still alive; the dispatcher will not respawn the task until it exits`,
    );
}

export const registerRecovery: RegisterVerbs = (program, cli) => {
  program
    .command("reclaim")
    .description("take a running task back from its worker now (back to ready)")
    .argument("<id>", "the task")
    .option("--reason <text>", "why, for the run's record")
    .option("--json", "print {ok, task_id} (as POST /tasks/:id/reclaim returns it)")
    .action(async (id: string, opts: { reason?: string; json?: boolean }) => {
      const { reason } = parseInput(ReclaimBody, { reason: opts.reason ?? null });
      const k = await cli.kernel();
      const worker = await reclaimTask(k, id, { reason: reason ?? null });
      if (opts.json) cli.json({ ok: true, task_id: id } satisfies ReclaimResponse);
      else cli.out(`Reclaimed ${id}`);
      await stopLocalWorker(cli, k, worker, opts.json);
    });

  program
    .command("reassign")
    .description("hand a task to another profile (none unassigns); --reclaim takes it from a running worker first")
    .argument("<id>", "the task")
    .argument("<profile>", "the new profile, or none")
    .option("--reclaim", "reclaim it first if it is running")
    .option("--reason <text>", "why, for the run's record")
    .option("--json", "print {ok, task_id, assignee} (as POST /tasks/:id/reassign returns it)")
    .action(async (id: string, profile: string, opts: { reclaim?: boolean; reason?: string; json?: boolean }) => {
      const unassign = ["none", "-", "null", ""].includes(profile.trim().toLowerCase());
      const input = parseInput(
        ReassignBody,
        { profile: unassign ? null : profile, reclaim_first: opts.reclaim ?? false, reason: opts.reason ?? null },
        { profile: "<profile>", reclaim_first: "--reclaim" },
      );
      const k = await cli.kernel();
      const result = await reassignTask(k, id, input.profile ?? null, {
        reclaimFirst: input.reclaim_first,
        reason: input.reason ?? null,
      });
      if (opts.json) {
        cli.json({ ok: true, task_id: id, assignee: result.task.assignee } satisfies ReassignResponse);
      } else {
        const who = result.task.assignee ?? "(unassigned)";
        cli.out(`Reassigned ${id} to ${who}${result.reclaimed ? " (claim reclaimed)" : ""}`);
      }
      await stopLocalWorker(cli, k, result.reclaimed, opts.json);
    });
};
