import type { CliGc } from "@switchyard/contract";
import { gcEvents, gcWorkerLogs, gcWorkspaces, gcWorktrees } from "@switchyard/core";
import { wholeNumber } from "../args.ts";
import type { RegisterVerbs } from "../context.ts";

const DAY = 86_400;

/**
 * gc (reference §5.7, §10.2): scratch workspaces of archived tasks, the git worktrees of finished
 * tasks whose work is safe (SPEC §12: merged, or the board keeps branches), old events of
 * finished tasks, old logs.
 */
export const registerGc: RegisterVerbs = (program, cli) => {
  program
    .command("gc")
    .description(
      "remove archived tasks' scratch workspaces, finished tasks' merged worktrees, old events of finished tasks and old worker logs",
    )
    .option(
      "--event-retention-days <days>",
      "keep events younger than this",
      wholeNumber("--event-retention-days", 0),
      30,
    )
    .option("--log-retention-days <days>", "keep logs modified within this", wholeNumber("--log-retention-days", 0), 30)
    .option("--json", "print {workspaces, events, logs}: how many were removed (worktrees count as workspaces)")
    .action(async (opts: { eventRetentionDays: number; logRetentionDays: number; json?: boolean }) => {
      const k = await cli.kernel();
      const workspaces = (await gcWorkspaces(k)) + (await gcWorktrees(k));
      const events = await gcEvents(k, opts.eventRetentionDays * DAY);
      const logs = gcWorkerLogs(k.paths.logsDir, opts.logRetentionDays * DAY, k.clock.now());
      if (opts.json) return cli.json({ workspaces, events, logs } satisfies CliGc);
      cli.out(`Removed ${workspaces} workspace(s), ${events} event(s), ${logs} log file(s)`);
    });
};
