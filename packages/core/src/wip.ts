import type { SavedWork } from "@switchyard/contract";
import type { Kernel } from "./kernel.ts";
import { isDirectory } from "./receipts.ts";

/**
 * Work in progress kept when a worker is stopped (SPEC §12): before a reclaim, a reassign or a
 * timeout ends a run whose git workspace has uncommitted changes, they are saved as a commit at
 * `refs/switchyard/wip/<task id>/<run id>` without touching the working tree, so the next run
 * finds them in place and, should anything remove them, where to get them back.
 */

export function wipRef(taskId: string, runId: number): string {
  return `refs/switchyard/wip/${taskId}/${runId}`;
}

/**
 * Saves the uncommitted work of a task's workspace, or returns null (nothing uncommitted, no git
 * workspace on this host, no probe). A failure to save is not a reason to keep a worker running:
 * it is returned as null and the stop goes on.
 */
export async function saveWorkInProgress(
  k: Kernel,
  taskId: string,
  runId: number | null,
  why: string,
): Promise<SavedWork | null> {
  if (!k.probe || runId === null) return null;
  const row = await k.db.get<{ workspace_path: string | null }>("SELECT workspace_path FROM tasks WHERE id = ?", [
    taskId,
  ]);
  const dir = row?.workspace_path ?? null;
  if (!isDirectory(dir)) return null;
  try {
    if (!(await k.probe.gitRoot(dir))) return null;
    return await k.probe.saveWork(
      dir,
      wipRef(taskId, runId),
      `switchyard: work in progress of ${taskId} (run ${runId}, ${why})`,
    );
  } catch {
    return null;
  }
}
