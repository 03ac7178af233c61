import type { DiffStat, SavedWork } from "@switchyard/contract";

/**
 * What the kernel needs to know of a task's workspace to verify a completion (SPEC §12): facts
 * about files and git, never a verdict. The kernel decides what a claim must satisfy; the host
 * runtime answers with real git (runtime `gitProbe`), tests may answer with fakes. A kernel opened
 * without a probe refuses every claim that needs one (`not_a_repository`).
 *
 * Paths are absolute unless said otherwise; a `dir` is a workspace directory.
 */
export interface WorkspaceProbe {
  /** The top of the git work tree `dir` belongs to, or null when it is not in one. */
  gitRoot(dir: string): Promise<string | null>;
  /** The full sha of a commit (`rev^{commit}`), or null when there is no such commit. */
  resolveCommit(dir: string, rev: string): Promise<string | null>;
  /** `git merge-base --is-ancestor ancestor descendant` (a commit is its own ancestor). */
  isAncestor(dir: string, ancestor: string, descendant: string): Promise<boolean>;
  /**
   * Paths (relative to the git root, `/`-separated) that differ between `base` and the working
   * tree: committed since, staged, unstaged and untracked (not ignored).
   */
  changedFiles(dir: string, base: string): Promise<string[]>;
  /** Paths (relative to the git root) with uncommitted changes, untracked files included. */
  dirtyFiles(dir: string): Promise<string[]>;
  /**
   * The sha `refs/heads/<branch>` has on `remote` (`git ls-remote`), null when the remote has no
   * such branch; rejects when the remote cannot be reached within `timeoutMs`.
   */
  remoteBranch(dir: string, remote: string, branch: string, timeoutMs: number): Promise<string | null>;
  /** Whether an http(s) URL answers with a status below 400 within `timeoutMs`. */
  urlExists(url: string, timeoutMs: number): Promise<boolean>;
  /**
   * Makes (or reuses) the worktree of a task: `path` on `branch`, created from `baseRef` in
   * `repo` when the branch does not exist yet. `base_commit` is the commit the branch started
   * from (its merge base with `baseRef` when it is reused).
   */
  prepareWorktree(input: {
    repo: string;
    path: string;
    branch: string;
    baseRef: string;
  }): Promise<{ path: string; branch: string; base_commit: string; created: boolean }>;
  /**
   * Saves the uncommitted changes of `dir` (untracked files included) as a commit stored at
   * `ref`, without touching the working tree, the index or any branch. Null when nothing is
   * uncommitted.
   */
  saveWork(dir: string, ref: string, message: string): Promise<SavedWork | null>;
  /** The diff of `branch` against `base` in the repository of `dir`. */
  diffStat(dir: string, branch: string, base: string): Promise<DiffStat>;
  /** Whether `branch` is merged into `baseRef` (its tip is an ancestor of it). */
  isMerged(repo: string, branch: string, baseRef: string): Promise<boolean>;
  /** Removes a worktree (forcing past uncommitted changes) and, when asked, deletes its branch. */
  removeWorktree(repo: string, path: string, branch: string | null): Promise<void>;
}
