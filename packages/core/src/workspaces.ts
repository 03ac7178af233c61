import { mkdirSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { Task } from "@switchyard/contract";
import { CoreError } from "./errors.ts";
import type { Kernel } from "./kernel.ts";

/**
 * Resolves where a worker runs (reference §3.9): scratch under the board's workspaces root
 * (or its absolute path), dir at its absolute path, worktree at its path or
 * `<cwd>/.worktrees/<id>` (not created: the worker runs `git worktree add`). The path is
 * saved on the task.
 */
export function resolveWorkspace(k: Kernel, task: Task, cwd: string = process.cwd()): string {
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
  k.write(() => k.stmt("UPDATE tasks SET workspace_path = ? WHERE id = ?").run(path, task.id));
  return path;
}
