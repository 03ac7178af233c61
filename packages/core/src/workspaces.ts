import { mkdirSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { Task } from "@switchyard/contract";
import { claimOrRefuse } from "./claims.ts";
import { CoreError } from "./errors.ts";
import type { Kernel } from "./kernel.ts";
import { reclaimTask } from "./recovery.ts";

/**
 * Resolves where a worker runs (reference §3.9): scratch under the board's workspaces root
 * (or its absolute path), dir at its absolute path, worktree at its path or
 * `<cwd>/.worktrees/<id>` (not created: the worker runs `git worktree add`). The path is
 * saved on the task.
 */
export async function resolveWorkspace(k: Kernel, task: Task, cwd: string = process.cwd()): Promise<string> {
  const given = task.workspace_path?.trim() || null;
  if (given && !isAbsolute(given)) {
    throw new CoreError("invalid_input", `workspace path of ${task.id} must be absolute, got '${given}'`);
  }
  let path: string;
  switch (task.workspace_kind) {
    case "scratch":
      path = given ?? join(k.paths.workspacesRoot, task.id);
      mkdirSync(path, { recursive: true });
      break;
    case "dir":
      if (!given) throw new CoreError("invalid_input", `workspace kind 'dir' of ${task.id} has no path`);
      path = given;
      mkdirSync(path, { recursive: true });
      break;
    case "worktree":
      path = given ?? join(cwd, ".worktrees", task.id);
      break;
  }
  await k.write((k) => k.db.run("UPDATE tasks SET workspace_path = ? WHERE id = ?", [path, task.id]));
  return path;
}

/**
 * A claim a person or an agent in a terminal makes (`switchyard claim`): the claim and its
 * workspace. A workspace that cannot be prepared gives the claim back at once.
 */
export async function claimWithWorkspace(
  k: Kernel,
  id: string,
  options: { ttl?: number; cwd?: string } = {},
): Promise<{ task: Task; workspace: string }> {
  const task = await claimOrRefuse(k, id, { ttl: options.ttl });
  try {
    return { task, workspace: await resolveWorkspace(k, task, options.cwd) };
  } catch (err) {
    const why = (err as Error).message;
    await reclaimTask(k, id, { reason: `workspace: ${why}` });
    throw new CoreError("invalid_input", `cannot claim ${id}: workspace: ${why}`, { task_id: id });
  }
}
