import { existsSync, readdirSync, realpathSync, rmSync, statSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import type { Kernel } from "./kernel.ts";

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
