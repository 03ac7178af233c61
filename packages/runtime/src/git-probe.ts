import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, mkdir, mkdtemp, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { DiffStat, SavedWork } from "@switchyard/contract";
import type { WorkspaceProbe } from "@switchyard/core";

/**
 * The kernel's `WorkspaceProbe` answered with real git (SPEC §12): `git -C <dir> …` without a
 * shell, no prompts, C locale, each call bounded in time and killed with its whole process group
 * (a hung `git-remote-https` included) when it runs over.
 */

const GIT_TIMEOUT_MS = 30_000;
/** `worktree add` checks out a whole tree (and runs the repository's post-checkout hook). */
const WORKTREE_ADD_TIMEOUT_MS = 10 * 60_000;
/** What a caller's environment may carry that would point git at another repository or index. */
const REPOSITORY_ENV = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
  "GIT_COMMON_DIR",
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_NAMESPACE",
  "GIT_PREFIX",
];
const FALLBACK_NAME = "switchyard";
const FALLBACK_EMAIL = "switchyard@localhost";

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

interface GitOptions {
  timeoutMs?: number;
  env?: Record<string, string>;
}

class GitTimeout extends Error {}

function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of REPOSITORY_ENV) delete env[name];
  return { ...env, GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C", ...extra };
}

/** Runs `git -C dir …`; resolves with any exit code, rejects when git cannot run or runs over. */
function git(dir: string, args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  const timeoutMs = options.timeoutMs ?? GIT_TIMEOUT_MS;
  return new Promise((done, fail) => {
    const child = spawn("git", ["-C", dir, ...args], {
      env: gitEnv(options.env),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      action();
    };
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
      settle(() => fail(new GitTimeout(`git ${args[0]} did not finish within ${timeoutMs} ms`)));
    }, timeoutMs);
    child.once("error", (error) => settle(() => fail(new Error(`cannot run git: ${error.message}`))));
    child.once("close", (code) =>
      settle(() =>
        done({
          code: code ?? -1,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8"),
        }),
      ),
    );
  });
}

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .find(Boolean) ?? "no message"
  );
}

function gitFailed(args: readonly string[], result: GitResult): Error {
  return new Error(`git ${args.join(" ")} failed (exit ${result.code}): ${firstLine(result.stderr)}`);
}

/** Runs git and returns its stdout, or throws with git's own message. */
async function gitOk(dir: string, args: readonly string[], options?: GitOptions): Promise<string> {
  const result = await git(dir, args, options);
  if (result.code !== 0) throw gitFailed(args, result);
  return result.stdout;
}

function nulSeparated(text: string): string[] {
  return text.split("\0").filter(Boolean);
}

function sorted(paths: Iterable<string>): string[] {
  return [...new Set(paths)].sort();
}

/** A revision git could read as an option is never passed on. */
function isOption(rev: string): boolean {
  return rev === "" || rev.startsWith("-") || /[\0\n]/.test(rev);
}

function refuseOption(what: string, value: string): void {
  if (isOption(value)) throw new Error(`${what} "${value}" is not a git revision`);
}

async function gitRoot(dir: string): Promise<string | null> {
  const result = await git(dir, ["rev-parse", "--show-toplevel"]);
  return result.code === 0 ? result.stdout.trim() || null : null;
}

async function requireRoot(dir: string): Promise<string> {
  const root = await gitRoot(dir);
  if (!root) throw new Error(`${dir} is not a git repository`);
  return root;
}

async function resolveCommit(dir: string, rev: string): Promise<string | null> {
  if (isOption(rev)) return null;
  const result = await git(dir, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  return result.code === 0 ? result.stdout.trim() || null : null;
}

async function isAncestor(dir: string, ancestor: string, descendant: string): Promise<boolean> {
  if (isOption(ancestor) || isOption(descendant)) return false;
  const result = await git(dir, ["merge-base", "--is-ancestor", ancestor, descendant]);
  return result.code === 0;
}

async function dirtyFiles(dir: string): Promise<string[]> {
  // Porcelain paths are relative to the root whatever directory git runs in.
  const out = await gitOk(dir, ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"]);
  const entries = out.split("\0");
  const paths: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (!entry || entry.length < 4) continue;
    paths.push(entry.slice(3));
    // A rename or copy (should status detect one regardless) names its source next.
    if (/[RC]/.test(entry.slice(0, 2))) {
      const source = entries[++i];
      if (source) paths.push(source);
    }
  }
  return sorted(paths);
}

async function changedFiles(dir: string, base: string): Promise<string[]> {
  refuseOption("base", base);
  const root = await requireRoot(dir);
  const [diff, untracked] = await Promise.all([
    gitOk(root, ["diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", base, "--"]),
    gitOk(root, ["ls-files", "--others", "--exclude-standard", "-z"]),
  ]);
  return sorted([...nulSeparated(diff), ...nulSeparated(untracked)]);
}

async function remoteBranch(dir: string, remote: string, branch: string, timeoutMs: number): Promise<string | null> {
  if (isOption(remote)) throw new Error(`"${remote}" is not a remote name or URL`);
  const ref = `refs/heads/${branch}`;
  let result: GitResult;
  try {
    result = await git(dir, ["ls-remote", "--heads", remote, ref], { timeoutMs });
  } catch (error) {
    if (error instanceof GitTimeout) throw new Error(`remote ${remote} did not answer within ${timeoutMs} ms`);
    throw error;
  }
  if (result.code !== 0) throw new Error(`cannot reach remote ${remote}: ${firstLine(result.stderr)}`);
  // ls-remote matches a pattern against the end of each ref name: keep only the exact ref.
  for (const line of result.stdout.split("\n")) {
    const [sha, name] = line.split("\t");
    if (sha && name === ref) return sha;
  }
  return null;
}

async function urlExists(url: string, timeoutMs: number): Promise<boolean> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") return false;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    let response = await fetch(target, { method: "HEAD", signal });
    if (response.status === 405) {
      await response.body?.cancel();
      response = await fetch(target, { method: "GET", signal });
    }
    await response.body?.cancel();
    return response.status < 400;
  } catch {
    return false;
  }
}

/** The real path of `path`, its missing tail kept as given. */
async function realPathOf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(await realPathOf(parent), basename(path));
  }
}

interface WorktreeEntry {
  path: string;
  branch: string | null;
}

async function listWorktrees(root: string): Promise<WorktreeEntry[]> {
  const out = await gitOk(root, ["worktree", "list", "--porcelain"]);
  const entries: WorktreeEntry[] = [];
  for (const block of out.split("\n\n")) {
    const lines = block.split("\n");
    const path = lines.find((l) => l.startsWith("worktree "))?.slice("worktree ".length);
    if (!path) continue;
    const branch = lines.find((l) => l.startsWith("branch "))?.slice("branch ".length) ?? null;
    entries.push({ path: await realPathOf(path), branch });
  }
  return entries;
}

async function mergeBase(root: string, a: string, b: string): Promise<string> {
  const args = ["merge-base", a, b];
  const result = await git(root, args);
  if (result.code === 1) throw new Error(`${a} and ${b} have no history in common`);
  if (result.code !== 0) throw gitFailed(args, result);
  return result.stdout.trim();
}

/**
 * Keeps a worktree made inside the repository out of the main checkout's `git status`: lists
 * `.worktrees/` (or the worktree's own path) once in the shared `info/exclude`.
 */
async function excludeFromCheckout(root: string, worktree: string): Promise<void> {
  const rel = relative(await realPathOf(root), worktree);
  if (!rel || rel.startsWith("..") || isAbsolute(rel)) return;
  const segments = rel.split(sep);
  const pattern = segments.includes(".worktrees") ? ".worktrees/" : `/${segments.join("/")}/`;
  const common = resolve(root, (await gitOk(root, ["rev-parse", "--git-common-dir"])).trim());
  const file = join(common, "info", "exclude");
  let text = "";
  try {
    text = await readFile(file, "utf8");
  } catch {
    await mkdir(dirname(file), { recursive: true });
  }
  if (text.split("\n").some((line) => line.trim() === pattern)) return;
  await appendFile(file, `${text && !text.endsWith("\n") ? "\n" : ""}${pattern}\n`);
}

async function prepareWorktree(input: {
  repo: string;
  path: string;
  branch: string;
  baseRef: string;
}): Promise<{ path: string; branch: string; base_commit: string; created: boolean }> {
  const root = await gitRoot(input.repo);
  if (!root) throw new Error(`${input.repo} is not a git repository`);
  const { branch, baseRef } = input;
  refuseOption("branch", branch);
  refuseOption("base ref", baseRef);
  const target = await realPathOf(resolve(input.repo, input.path));

  if (existsSync(target)) {
    const entry = (await listWorktrees(root)).find((w) => w.path === target);
    if (entry) {
      if (entry.branch !== `refs/heads/${branch}`) {
        throw new Error(`${target} is already a worktree of ${root} on ${entry.branch ?? "a detached HEAD"}`);
      }
      return { path: target, branch, base_commit: await mergeBase(root, branch, baseRef), created: false };
    }
  }
  // An entry whose directory was deleted (or emptied) would refuse the path or hold the branch.
  await gitOk(root, ["worktree", "prune"]);
  await excludeFromCheckout(root, target);
  const branchExists = (await git(root, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`])).code === 0;
  let base_commit: string;
  let args: string[];
  if (branchExists) {
    base_commit = await mergeBase(root, branch, baseRef);
    args = ["worktree", "add", target, branch];
  } else {
    const base = await resolveCommit(root, baseRef);
    if (!base) throw new Error(`base ref ${baseRef} is not a commit in ${root}`);
    base_commit = base;
    // From the resolved commit: what base_commit says, and no upstream set to the base branch.
    args = ["worktree", "add", "-b", branch, target, base];
  }
  await gitOk(root, args, { timeoutMs: WORKTREE_ADD_TIMEOUT_MS });
  return { path: await realpath(target), branch, base_commit, created: true };
}

/** Author and committer to fall back on when git has none it would accept. */
async function identityEnv(dir: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const [author, committer] = await Promise.all([
    git(dir, ["var", "GIT_AUTHOR_IDENT"]),
    git(dir, ["var", "GIT_COMMITTER_IDENT"]),
  ]);
  if (author.code !== 0) Object.assign(env, { GIT_AUTHOR_NAME: FALLBACK_NAME, GIT_AUTHOR_EMAIL: FALLBACK_EMAIL });
  if (committer.code !== 0) {
    Object.assign(env, { GIT_COMMITTER_NAME: FALLBACK_NAME, GIT_COMMITTER_EMAIL: FALLBACK_EMAIL });
  }
  return env;
}

async function saveWork(dir: string, ref: string, message: string): Promise<SavedWork | null> {
  if (!ref.startsWith("refs/") || isOption(ref)) throw new Error(`"${ref}" is not a full ref name (refs/…)`);
  const files = await dirtyFiles(dir);
  if (files.length === 0) return null;
  const root = await requireRoot(dir);
  const head = await resolveCommit(root, "HEAD");
  const scratch = await mkdtemp(join(tmpdir(), "switchyard-wip-"));
  try {
    // A private index: the worktree's own index, branch and files stay as they are.
    const index = { env: { GIT_INDEX_FILE: join(scratch, "index") } };
    if (head) await gitOk(root, ["read-tree", head], index);
    await gitOk(root, ["add", "-A"], index);
    const tree = (await gitOk(root, ["write-tree"], index)).trim();
    const parents = head ? ["-p", head] : [];
    const env = await identityEnv(root);
    const commit = (
      await gitOk(root, ["commit-tree", "--no-gpg-sign", "-m", message, ...parents, tree], { env })
    ).trim();
    await gitOk(root, ["update-ref", "-m", "switchyard: save work in progress", ref, commit]);
    return { ref, commit, files };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function shortstatCount(text: string, pattern: RegExp): number {
  const match = pattern.exec(text);
  return match ? Number(match[1]) : 0;
}

async function diffStat(dir: string, branch: string, base: string): Promise<DiffStat> {
  refuseOption("base", base);
  const head = await resolveCommit(dir, branch);
  const stat: DiffStat = {
    branch,
    base_commit: base,
    head_commit: head,
    files_changed: 0,
    insertions: 0,
    deletions: 0,
    files: [],
  };
  if (!head) return stat;
  const range = ["--no-renames", "--no-ext-diff", base, head, "--"];
  const [short, names] = await Promise.all([
    gitOk(dir, ["diff", "--shortstat", ...range]),
    gitOk(dir, ["diff", "--name-only", "-z", ...range]),
  ]);
  stat.files_changed = shortstatCount(short, /(\d+) files? changed/);
  stat.insertions = shortstatCount(short, /(\d+) insertions?\(\+\)/);
  stat.deletions = shortstatCount(short, /(\d+) deletions?\(-\)/);
  stat.files = sorted(nulSeparated(names));
  return stat;
}

async function isMerged(repo: string, branch: string, baseRef: string): Promise<boolean> {
  return isAncestor(repo, branch, baseRef);
}

async function removeWorktree(repo: string, path: string, branch: string | null): Promise<void> {
  const root = await requireRoot(repo);
  const target = resolve(repo, path);
  const args = ["worktree", "remove", "--force", target];
  const removed = await git(root, args);
  // A worktree whose directory is already gone only leaves an entry for prune to drop.
  if (removed.code !== 0 && existsSync(target)) throw gitFailed(args, removed);
  await gitOk(root, ["worktree", "prune"]);
  if (!branch) return;
  refuseOption("branch", branch);
  const deleteArgs = ["branch", "-D", branch];
  const deleted = await git(root, deleteArgs);
  if (deleted.code !== 0 && !/not found/.test(deleted.stderr)) throw gitFailed(deleteArgs, deleted);
}

export const gitProbe: WorkspaceProbe = {
  gitRoot,
  resolveCommit,
  isAncestor,
  changedFiles,
  dirtyFiles,
  remoteBranch,
  urlExists,
  prepareWorktree,
  saveWork,
  diffStat,
  isMerged,
  removeWorktree,
};
