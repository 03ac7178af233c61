import { mkdirSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { Task } from "@switchyard/contract";
import { claimOrRefuse } from "./claims.ts";
import { CoreError } from "./errors.ts";
import type { Kernel } from "./kernel.ts";
import { getPolicy, type ProfileRequirements, resolveRequirements } from "./policy.ts";
import { writeProof } from "./proofs.ts";
import { reclaimTask } from "./recovery.ts";

/** Where a run's workspace is, and for a worktree the branch and the commit it started from. */
export interface PreparedWorkspace {
  path: string;
  branch: string | null;
  base_commit: string | null;
}

/** The branch of a task's worktree (SPEC §12). */
export function taskBranch(taskId: string): string {
  return `sy/${taskId}`;
}

/**
 * Resolves where a worker runs (reference §3.9, SPEC §12): scratch under the board's workspaces
 * root (or its absolute path), dir at its absolute path, worktree a real git worktree on branch
 * `sy/<task id>` made from the task's (else the board's, else `cwd`'s) repository at the
 * task's (else the board's) base revision, at its path or `<repo>/.worktrees/<id>`, and reused
 * by later runs. The path is saved on the task.
 */
export async function prepareWorkspace(k: Kernel, task: Task, cwd: string = process.cwd()): Promise<PreparedWorkspace> {
  const given = task.workspace_path?.trim() || null;
  if (given && !isAbsolute(given)) {
    throw new CoreError("invalid_input", `workspace path of ${task.id} must be absolute, got '${given}'`);
  }
  let path: string;
  let branch: string | null = null;
  let base: string | null = null;
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
    case "worktree": {
      if (!k.probe) throw new CoreError("invalid_input", "this host cannot make git worktrees (no workspace probe)");
      const policy = await getPolicy(k);
      const repo = task.repo ?? policy.repo ?? cwd;
      const made = await k.probe.prepareWorktree({
        repo,
        path: given ?? join(repo, ".worktrees", task.id),
        branch: taskBranch(task.id),
        baseRef: task.base_ref ?? policy.base_ref ?? "HEAD",
      });
      path = made.path;
      branch = made.branch;
      base = made.base_commit;
      break;
    }
  }
  await k.write((k) => k.db.run("UPDATE tasks SET workspace_path = ? WHERE id = ?", [path, task.id]));
  return { path, branch, base_commit: base };
}

/** `prepareWorkspace`'s path. */
export async function resolveWorkspace(k: Kernel, task: Task, cwd: string = process.cwd()): Promise<string> {
  return (await prepareWorkspace(k, task, cwd)).path;
}

/**
 * Records on a run what its completion must prove and, for a worktree, its branch and base
 * commit (`run_proofs`); nothing for a run with nothing to prove.
 */
export async function stampRun(
  k: Kernel,
  task: Task,
  runId: number,
  workspace: PreparedWorkspace,
  profile: ProfileRequirements | null | undefined,
): Promise<void> {
  const requirements = resolveRequirements(await getPolicy(k), task, profile);
  if (requirements.require.length === 0 && workspace.branch === null) return;
  await k.write((k) =>
    writeProof(k, runId, task.id, { base_commit: workspace.base_commit, branch: workspace.branch, requirements }),
  );
}

/**
 * A claim a person or an agent in a terminal makes (`switchyard claim`): the claim and its
 * workspace. A workspace that cannot be prepared gives the claim back at once.
 */
export async function claimWithWorkspace(
  k: Kernel,
  id: string,
  options: { ttl?: number; cwd?: string; profile?: ProfileRequirements | null } = {},
): Promise<{ task: Task; workspace: string }> {
  const task = await claimOrRefuse(k, id, { ttl: options.ttl });
  try {
    const prepared = await prepareWorkspace(k, task, options.cwd);
    if (task.current_run_id !== null) await stampRun(k, task, task.current_run_id, prepared, options.profile);
    return { task, workspace: prepared.path };
  } catch (err) {
    const why = (err as Error).message;
    await reclaimTask(k, id, { reason: `workspace: ${why}` });
    throw new CoreError("invalid_input", `cannot claim ${id}: workspace: ${why}`, { task_id: id });
  }
}
