import type { DiffStat, Run, TaskDetail } from "@switchyard/contract";
import { taskDict } from "./board-view.ts";
import { listComments } from "./comments.ts";
import { notFound } from "./errors.ts";
import { listEvents } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { childIds, parentIds } from "./links.ts";
import { proofsOf } from "./proofs.ts";
import { listRuns } from "./runs.ts";

/**
 * Everything known about one task (`GET /tasks/:id`, the drawer, `show`, `kanban_show`): the
 * task dict, its comments, events (all, or the newest `events`), links, runs with their proofs
 * (SPEC §12) and, for a worktree task, the diff of its branch against its base. Each surface
 * formats this one answer its own way.
 */
export async function taskDetail(k: Kernel, id: string, options: { events?: number } = {}): Promise<TaskDetail> {
  const task = await taskDict(k, id);
  if (!task) throw notFound(id);
  const proofs = await proofsOf(k, id);
  const runs: Run[] = (await listRuns(k, id)).map((run) => {
    const proof = proofs.get(run.id);
    // A run that ended is no longer being verified, whatever it was waiting for.
    return proof ? { ...run, proof: { ...proof, verifying: proof.verifying && run.ended_at === null } } : run;
  });
  return {
    task,
    comments: await listComments(k, id),
    events: await listEvents(k, id, options.events),
    links: { parents: await parentIds(k, id), children: await childIds(k, id) },
    runs,
    diff: await branchDiff(k, task.workspace_path, runs),
  };
}

/** The diff of the newest run's branch against its base, when this host can see the worktree. */
async function branchDiff(k: Kernel, workspace: string | null, runs: Run[]): Promise<DiffStat | null> {
  const proof = [...runs].reverse().find((r) => r.proof?.branch && r.proof.base_commit)?.proof;
  if (!k.probe || !workspace || !proof?.branch || !proof.base_commit) return null;
  try {
    return await k.probe.diffStat(workspace, proof.branch, proof.base_commit);
  } catch {
    return null;
  }
}
