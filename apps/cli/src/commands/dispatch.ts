import type { DispatchResult } from "@switchyard/contract";
import { createDispatchService } from "@switchyard/runtime";
import { wholeNumber } from "../args.ts";
import type { RegisterVerbs } from "../context.ts";

/**
 * `dispatch` (reference §10.2, SPEC §4): one dispatcher tick of the board, with the home's
 * profiles and caps. The workers it starts are let go: this process exits, they keep running,
 * and the next tick (of the server or another `dispatch`) checks them by pid.
 */

interface DispatchOpts {
  dryRun?: boolean;
  max?: number;
  failureLimit?: number;
  json?: boolean;
}

function report(r: DispatchResult): string[] {
  const lines: string[] = [];
  const list = (label: string, ids: string[]) => {
    if (ids.length > 0) lines.push(`${label}: ${ids.join(", ")}`);
  };
  if (r.reclaimed > 0) lines.push(`Released ${r.reclaimed} stale claim(s)`);
  list("Crashed", r.crashed);
  list("Timed out", r.timed_out);
  list("Could not start", r.spawn_failed);
  list("Gave up (blocked)", r.auto_blocked);
  if (r.promoted > 0) lines.push(`Promoted ${r.promoted} task(s) to ready`);
  for (const s of r.spawned)
    lines.push(`Spawned ${s.task_id} (${s.assignee})${s.workspace ? ` in ${s.workspace}` : ""}`);
  list("Skipped, unassigned", r.skipped_unassigned);
  list("Skipped, no spawnable profile", r.skipped_nonspawnable);
  list("Waiting for capacity", r.skipped_capacity);
  list("Skipped, profile paused (switchyard profiles resume <name>)", r.skipped_paused);
  return lines.length > 0 ? lines : ["Nothing to dispatch"];
}

export const registerDispatch: RegisterVerbs = (program, cli) => {
  program
    .command("dispatch")
    .description("run one dispatcher tick: recover crashed, stale and timed-out work, then start ready tasks")
    .option("--dry-run", "show what would be spawned without claiming or starting anything")
    .option("--max <n>", "spawn at most this many in this tick", wholeNumber("--max", 0))
    .option(
      "--failure-limit <n>",
      "failures (spawn, crash, timeout, exit without finishing) before a task is blocked; default dispatch.failure_limit",
      wholeNumber("--failure-limit", 1),
    )
    .option("--json", "print the result as JSON")
    .action(async (opts: DispatchOpts) => {
      const board = await cli.boardSlug();
      const service = createDispatchService({
        home: cli.home,
        config: cli.config(),
        watchWorkers: false,
        log: (message) => cli.warn(message),
      });
      const result = await service.tick(board, {
        dryRun: opts.dryRun ?? false,
        maxSpawn: opts.max,
        failureLimit: opts.failureLimit,
      });
      // Workers this tick is stopping (stale or superseded) get their SIGKILL before we exit.
      await service.settle();
      if (opts.json) cli.json(result);
      else for (const line of report(result)) cli.out(line);
    });
};
