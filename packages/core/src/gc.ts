import { existsSync, readdirSync, realpathSync, rmSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative } from "node:path";
import type { Kernel } from "./kernel.ts";
import { getPolicy } from "./policy.ts";
import { taskBranch } from "./workspaces.ts";

export const DEFAULT_RETENTION_DAYS = 30;

/** Deletes events older than the cutoff, only for tasks that are done or archived (§5.7). */
export async function gcEvents(k: Kernel, olderThanSeconds: number = DEFAULT_RETENTION_DAYS * 86400): Promise<number> {
  const cutoff = k.clock.now() - olderThanSeconds;
  return k.write((k) =>
    k.db.run(
      `DELETE FROM task_events WHERE created_at < ?
         AND task_id IN (SELECT id FROM tasks WHERE status IN ('done', 'archived'))`,
      [cutoff],
    ),
  );
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/**
 * Removes the scratch workspaces of archived tasks. Only directories strictly inside the
 * board's scratch root are ever deleted (SPEC §6); anything else is left alone.
 */
export async function gcWorkspaces(k: Kernel): Promise<number> {
  const root = k.paths.workspacesRoot;
  if (!existsSync(root)) return 0;
  const realRoot = realpathSync(root);
  const rows = await k.db.all<{ id: string; workspace_path: string | null }>(
    "SELECT id, workspace_path FROM tasks WHERE status = 'archived' AND workspace_kind = 'scratch'",
  );
  let removed = 0;
  for (const r of rows) {
    const path = r.workspace_path ?? join(root, r.id);
    if (!existsSync(path)) continue;
    const real = realpathSync(path);
    if (!isInside(realRoot, real)) continue;
    rmSync(real, { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/** Deletes worker logs (and rotated generations) not modified within the retention window. */
export function gcWorkerLogs(logsDir: string, olderThanSeconds: number, nowSeconds: number): number {
  if (!existsSync(logsDir)) return 0;
  let removed = 0;
  for (const name of readdirSync(logsDir)) {
    if (!/\.log(\.1)?$/.test(name)) continue;
    const path = join(logsDir, name);
    const st = statSync(path);
    if (!st.isFile()) continue;
    if (st.mtimeMs / 1000 < nowSeconds - olderThanSeconds) {
      rmSync(path, { force: true });
      removed++;
    }
  }
  return removed;
}

/**
 * Removes the git worktrees of tasks that are done or archived (SPEC §12), and only when their
 * work is safe: the task's branch is merged into its base (the worktree and the branch go), or
 * the board keeps branches (`keep_branches`: the worktree goes, the branch stays). A worktree
 * whose branch is unmerged is left alone. Returns how many worktrees were removed.
 */
export async function gcWorktrees(k: Kernel): Promise<number> {
  if (!k.probe) return 0;
  const policy = await getPolicy(k);
  const rows = await k.db.all<{
    id: string;
    workspace_path: string | null;
    repo: string | null;
    base_ref: string | null;
  }>(
    `SELECT id, workspace_path, repo, base_ref FROM tasks
      WHERE status IN ('done', 'archived') AND workspace_kind = 'worktree' AND workspace_path IS NOT NULL`,
  );
  let removed = 0;
  for (const r of rows) {
    const path = r.workspace_path as string;
    if (!existsSync(path)) continue;
    const repo = r.repo ?? policy.repo ?? (basename(dirname(path)) === ".worktrees" ? dirname(dirname(path)) : null);
    if (!repo) continue;
    const branch = taskBranch(r.id);
    try {
      const merged = await k.probe.isMerged(repo, branch, r.base_ref ?? policy.base_ref ?? "HEAD");
      if (!merged && !policy.keep_branches) continue;
      await k.probe.removeWorktree(repo, path, merged ? branch : null);
      removed++;
    } catch {
      // A worktree git cannot judge or remove stays; gc is not the place to lose work.
    }
  }
  return removed;
}
