import type { CliContext, CliStats, StatusCounts, WorkerLog } from "@switchyard/contract";
import {
  boardStats,
  buildWorkerContext,
  CoreError,
  FLEET_WINDOW_SECONDS,
  fleetFigures,
  knownAssignees,
  listRuns,
  parseDuration,
  requireTask,
  withFleetConfig,
} from "@switchyard/core";
import { fleetConfig, readWorkerLog, spawnableProfiles } from "@switchyard/runtime";
import { wholeNumber } from "../args.ts";
import type { RegisterVerbs } from "../context.ts";
import { elapsed, stamp, table } from "../output.ts";
import { cliRun } from "../shapes.ts";

/** log, runs, stats, assignees and context (reference §5.6, §5.7, §10.2). */

function countsText(counts: StatusCounts): string {
  const parts = Object.entries(counts).map(([status, n]) => `${status} ${n}`);
  return parts.length > 0 ? parts.join(", ") : "(none)";
}

export const registerInspect: RegisterVerbs = (program, cli) => {
  program
    .command("log")
    .description("print a task's worker log")
    .argument("<id>", "the task")
    .option("--tail <bytes>", "only the last BYTES bytes", wholeNumber("--tail", 1))
    .option("--json", "print the log as GET /tasks/:id/log returns it")
    .action(async (id: string, opts: { tail?: number; json?: boolean }) => {
      const k = await cli.kernel();
      await requireTask(k, id);
      const log = readWorkerLog(k.paths, id, opts.tail);
      if (!log.exists) throw new CoreError("not_found", `(no log for ${id} at ${log.path})`, { task_id: id });
      if (opts.json) return cli.json(log satisfies WorkerLog);
      cli.print(log.content.endsWith("\n") || log.content === "" ? log.content : `${log.content}\n`);
    });

  program
    .command("runs")
    .description("list a task's attempts")
    .argument("<id>", "the task")
    .option("--json", "print JSON")
    .action(async (id: string, opts: { json?: boolean }) => {
      const k = await cli.kernel();
      await requireTask(k, id);
      const runs = await listRuns(k, id);
      if (opts.json) return cli.json(runs.map(cliRun));
      if (runs.length === 0) return cli.out(`(no runs of ${id} yet)`);
      const now = k.clock.now();
      const rows = runs.map((r) => [
        `#${r.id}`,
        r.outcome ?? r.status,
        r.profile ?? "-",
        elapsed((r.ended_at ?? now) - r.started_at),
        stamp(r.started_at),
      ]);
      const lines = table(["#", "OUTCOME", "PROFILE", "ELAPSED", "STARTED"], rows).split("\n");
      cli.out(lines[0]);
      runs.forEach((r, i) => {
        cli.out(lines[i + 1]);
        if (r.summary) cli.out(`    → ${r.summary.split(/\r?\n/, 1)[0]}`);
        if (r.error) cli.out(`    ✖ ${r.error}`);
      });
    });

  program
    .command("stats")
    .description("counts by status and assignee, and the oldest ready task's age")
    .option("--json", "print JSON, with the fleet figures (runs, failures, throughput, queue) under `fleet`")
    .option(
      "--since <duration>",
      "with --json, the fleet figures' window: how far back (90, 30m, 24h, 7d)",
      `${FLEET_WINDOW_SECONDS / 3600}h`,
    )
    .action(async (opts: { json?: boolean; since: string }) => {
      const k = await cli.kernel();
      const stats = await boardStats(k);
      if (opts.json) {
        const since = Math.max(0, stats.now - parseDuration(opts.since));
        const fleet = withFleetConfig(
          await fleetFigures(k, { since, now: stats.now }),
          fleetConfig(cli.home, cli.config()),
        );
        return cli.json({ ...stats, fleet } satisfies CliStats);
      }
      cli.out(`By status: ${countsText(stats.by_status)}`);
      const assignees = Object.entries(stats.by_assignee);
      if (assignees.length > 0) {
        cli.out("By assignee:");
        for (const [name, counts] of assignees) cli.out(`  ${name}: ${countsText(counts)}`);
      }
      cli.out(
        `Oldest ready task: ${stats.oldest_ready_age_seconds === null ? "(none ready)" : `${elapsed(stats.oldest_ready_age_seconds)} old`}`,
      );
    });

  program
    .command("assignees")
    .description("profiles the dispatcher can start, and everyone with tasks, with their counts")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const list = await knownAssignees(await cli.kernel(), spawnableProfiles(cli.home, cli.config()));
      if (opts.json) return cli.json(list);
      if (list.length === 0) return cli.out("(no profiles configured and no assigned tasks)");
      cli.out(
        table(
          ["NAME", "SPAWNABLE", "COUNTS"],
          list.map((a) => [a.name, a.on_disk ? "yes" : "no", countsText(a.counts)]),
        ),
      );
    });

  program
    .command("context")
    .description("print the context a worker reads first (task, prior attempts, parents, comments)")
    .argument("<id>", "the task")
    .option("--json", "print {task_id, worker_context}")
    .action(async (id: string, opts: { json?: boolean }) => {
      const context = await buildWorkerContext(await cli.kernel(), id);
      if (opts.json) return cli.json({ task_id: id, worker_context: context } satisfies CliContext);
      cli.print(context);
    });
};
