import { existsSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, normalize, relative, sep } from "node:path";
import type {
  CheckResult,
  ReceiptKind,
  Receipts,
  ReceiptVerdict,
  RefusalReason,
  Requirement,
  Requirements,
  Task,
  TaskStatus,
} from "@switchyard/contract";
import { CoreError } from "./errors.ts";
import type { Kernel } from "./kernel.ts";
import type { WorkspaceProbe } from "./probe.ts";

/**
 * The rules of verified completion (SPEC §12): what each claim of a completion must satisfy in
 * the task's workspace, checked by the kernel through the host's probe (facts only). Everything
 * that cannot be verified is refused, like a phantom card.
 */

/** How long a remote (`git ls-remote`) or an artifact URL may take to answer. */
export const REMOTE_TIMEOUT_MS = 15_000;

/** A command the board runs itself before a handed-in completion counts. */
export interface PlannedCheck {
  command: string;
  source: "verify" | "test";
  expected_exit: number;
}

export interface ClaimsVerdict {
  verdicts: ReceiptVerdict[];
  checks: PlannedCheck[];
}

/** The facts of the run a completion belongs to: where its branch started. */
export interface RunFacts {
  base_commit: string | null;
  branch: string | null;
}

const ok = (kind: ReceiptKind, claim: string, detail: string | null = null): ReceiptVerdict => ({
  kind,
  claim,
  ok: true,
  reason: null,
  detail,
});

const refused = (kind: ReceiptKind, claim: string, reason: RefusalReason, detail: string): ReceiptVerdict => ({
  kind,
  claim,
  ok: false,
  reason,
  detail,
});

/** `path` names a directory on this host. */
export function isDirectory(path: string | null): path is string {
  if (!path) return false;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function realOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

const short = (sha: string) => sha.slice(0, 12);
const URL_PATTERN = /^https?:\/\//i;

/** Lazily asked facts of one workspace, asked at most once each. */
class Workspace {
  private root: Promise<string | null> | undefined;
  private changed: Promise<Set<string>> | undefined;
  private head: Promise<string | null> | undefined;

  constructor(
    readonly dir: string | null,
    readonly probe: WorkspaceProbe | null,
    readonly run: RunFacts,
  ) {}

  get present(): boolean {
    return isDirectory(this.dir);
  }

  gitRoot(): Promise<string | null> {
    if (!this.probe || !this.present) return Promise.resolve(null);
    this.root ??= this.probe.gitRoot(this.dir as string).then((r) => (r ? realOr(r) : null));
    return this.root;
  }

  changedFiles(base: string): Promise<Set<string>> {
    this.changed ??= (this.probe as WorkspaceProbe).changedFiles(this.dir as string, base).then((l) => new Set(l));
    return this.changed;
  }

  /** The tip of the task's branch, else the workspace's HEAD. */
  tip(): Promise<string | null> {
    const probe = this.probe as WorkspaceProbe;
    const dir = this.dir as string;
    this.head ??= (async () =>
      (this.run.branch ? await probe.resolveCommit(dir, `refs/heads/${this.run.branch}`) : null) ??
      probe.resolveCommit(dir, "HEAD"))();
    return this.head;
  }
}

async function checkFile(ws: Workspace, claim: string): Promise<ReceiptVerdict> {
  if (!ws.present) return refused("file", claim, "no_workspace", "the task has no workspace directory on this host");
  const dir = realOr(ws.dir as string);
  const path = normalize(isAbsolute(claim) ? claim : join(dir, claim));
  if (!inside(dir, realOr(path)) && !inside(dir, path)) {
    return refused("file", claim, "outside_workspace", `${claim} is outside the workspace ${dir}`);
  }
  if (!existsSync(path)) return refused("file", claim, "not_found", `no file ${claim} in the workspace`);
  const root = await ws.gitRoot();
  const base = ws.run.base_commit;
  if (!root || !base) return ok("file", claim, "exists");
  const rel = relative(root, realOr(path)).split(sep).join("/");
  const changed = await ws.changedFiles(base);
  const hit = changed.has(rel) || [...changed].some((c) => c.startsWith(`${rel}/`));
  return hit
    ? ok("file", claim, `changed since ${short(base)}`)
    : refused("file", claim, "unchanged", `${claim} is unchanged since the run's base commit ${short(base)}`);
}

async function checkCommit(ws: Workspace, claim: string): Promise<ReceiptVerdict> {
  if (!ws.present) return refused("commit", claim, "no_workspace", "the task has no workspace directory on this host");
  const probe = ws.probe;
  if (!probe || !(await ws.gitRoot())) {
    return refused(
      "commit",
      claim,
      "not_a_repository",
      "the workspace is not a git repository, so no commit can be checked",
    );
  }
  const dir = ws.dir as string;
  const sha = await probe.resolveCommit(dir, claim);
  if (!sha) return refused("commit", claim, "not_found", `no commit ${claim} in the workspace's repository`);
  const tip = await ws.tip();
  const where = ws.run.branch ?? "HEAD";
  if (!tip || !(await probe.isAncestor(dir, sha, tip))) {
    return refused("commit", claim, "not_on_branch", `commit ${short(sha)} is not reachable from ${where}`);
  }
  const base = ws.run.base_commit;
  if (base && (sha === base || !(await probe.isAncestor(dir, base, sha)))) {
    return refused(
      "commit",
      claim,
      "not_from_base",
      `commit ${short(sha)} is not a new commit on top of the base ${short(base)}`,
    );
  }
  return ok("commit", claim, `${short(sha)} on ${where}`);
}

async function checkBranch(ws: Workspace, name: string, remote: string): Promise<ReceiptVerdict> {
  const claim = `${remote}/${name}`;
  if (!ws.present) return refused("branch", claim, "no_workspace", "the task has no workspace directory on this host");
  const probe = ws.probe;
  if (!probe || !(await ws.gitRoot())) {
    return refused(
      "branch",
      claim,
      "not_a_repository",
      "the workspace is not a git repository, so no push can be checked",
    );
  }
  try {
    const sha = await probe.remoteBranch(ws.dir as string, remote, name, REMOTE_TIMEOUT_MS);
    return sha
      ? ok("branch", claim, `${remote} has ${name} at ${short(sha)}`)
      : refused("branch", claim, "not_found", `${remote} has no branch ${name}`);
  } catch (err) {
    return refused("branch", claim, "remote_unreachable", `could not reach ${remote}: ${(err as Error).message}`);
  }
}

async function checkArtifact(ws: Workspace, claim: string): Promise<ReceiptVerdict> {
  if (URL_PATTERN.test(claim)) {
    if (!ws.probe) return refused("artifact", claim, "not_found", "this host cannot check URLs");
    let found = false;
    try {
      found = await ws.probe.urlExists(claim, REMOTE_TIMEOUT_MS);
    } catch {
      found = false;
    }
    return found
      ? ok("artifact", claim, "reachable")
      : refused("artifact", claim, "not_found", `${claim} did not answer`);
  }
  let path = claim;
  if (!isAbsolute(claim)) {
    if (!ws.present)
      return refused("artifact", claim, "no_workspace", "the task has no workspace directory on this host");
    path = join(ws.dir as string, claim);
  }
  return existsSync(path)
    ? ok("artifact", claim, "exists")
    : refused("artifact", claim, "not_found", `no artifact at ${path}`);
}

async function checkCleanTree(ws: Workspace): Promise<ReceiptVerdict> {
  if (!ws.present)
    return refused("clean_tree", "clean_tree", "no_workspace", "the task has no workspace directory on this host");
  if (!ws.probe || !(await ws.gitRoot())) {
    return refused("clean_tree", "clean_tree", "not_a_repository", "the workspace is not a git repository");
  }
  const dirty = await ws.probe.dirtyFiles(ws.dir as string);
  if (dirty.length === 0) return ok("clean_tree", "clean_tree", "nothing uncommitted");
  const named = dirty.slice(0, 10).join(", ");
  return refused(
    "clean_tree",
    "clean_tree",
    "dirty_tree",
    `uncommitted changes: ${named}${dirty.length > 10 ? ` and ${dirty.length - 10} more` : ""}`,
  );
}

const CLAIMED: Partial<Record<Requirement, (r: Receipts) => boolean>> = {
  commits: (r) => (r.commits?.length ?? 0) > 0,
  files: (r) => (r.files?.length ?? 0) > 0,
  branch: (r) => r.branch !== undefined,
  artifacts: (r) => (r.artifacts?.length ?? 0) > 0,
};

/**
 * Verifies a completion's claims and requirements against the task's workspace. Returns a
 * verdict per claim (and per requirement not met by any claim) and the commands the board must
 * run itself before the completion counts: the required `verify`, and each claimed test.
 */
export async function verifyClaims(
  k: Kernel,
  task: Pick<Task, "workspace_path">,
  run: RunFacts,
  receipts: Receipts | null | undefined,
  requirements: Requirements,
): Promise<ClaimsVerdict> {
  const ws = new Workspace(task.workspace_path, k.probe, run);
  const r: Receipts = receipts ?? {};
  const verdicts: ReceiptVerdict[] = [];
  const checks: PlannedCheck[] = [];

  for (const f of r.files ?? []) verdicts.push(await checkFile(ws, f));
  for (const c of r.commits ?? []) verdicts.push(await checkCommit(ws, c));
  if (r.branch) verdicts.push(await checkBranch(ws, r.branch.name, r.branch.remote));
  for (const a of r.artifacts ?? []) verdicts.push(await checkArtifact(ws, a));
  for (const t of r.tests ?? []) checks.push({ command: t.command, source: "test", expected_exit: t.exit_code });

  for (const need of requirements.require) {
    const claimed = CLAIMED[need];
    if (claimed && !claimed(r)) {
      verdicts.push(refused("required", need, "missing", `this task requires ${need} and the completion claims none`));
    }
  }
  if (requirements.require.includes("clean_tree")) verdicts.push(await checkCleanTree(ws));
  if (requirements.require.includes("verify")) {
    if (requirements.verify) checks.push({ command: requirements.verify, source: "verify", expected_exit: 0 });
    else
      verdicts.push(
        refused("verify", "verify", "no_verify_command", "verify is required but no verify command is set"),
      );
  }
  if (checks.length > 0 && !ws.present) {
    for (const c of checks) {
      verdicts.push(
        refused(
          c.source,
          c.command,
          "no_workspace",
          "the board runs checks in the task's workspace, and it has none on this host",
        ),
      );
    }
  }
  return { verdicts, checks };
}

/** A check's verdict: it passed, or why it refused the completion. */
export function checkVerdict(c: CheckResult): ReceiptVerdict {
  if (c.ok) return ok(c.source, c.command, `exit ${c.exit_code} in ${c.duration_ms} ms`);
  if (c.timed_out)
    return refused(c.source, c.command, "timed_out", `stopped after ${Math.round(c.duration_ms / 1000)} s`);
  const got = c.exit_code === null ? "did not run" : `exited ${c.exit_code}`;
  return c.source === "verify"
    ? refused("verify", c.command, "verify_failed", `${got} (0 passes)`)
    : refused("test", c.command, "test_result_mismatch", `${got}, the worker claimed ${c.expected_exit}`);
}

function describe(v: ReceiptVerdict): string {
  return `${v.kind} ${v.claim} (${v.reason}: ${v.detail})`;
}

/** The refusal a worker gets: what failed and how to retry (like the card gate's, SPEC §3.8). */
export function unverifiedError(taskId: string, refusedClaims: ReceiptVerdict[], status: TaskStatus): CoreError {
  return new CoreError(
    "unverified_completion",
    `completion blocked: ${refusedClaims.length} claim(s) could not be verified: ${refusedClaims.map(describe).join("; ")}. ` +
      `Task ${taskId} is unchanged and still yours. Fix what is missing (commit your work on the task's branch, ` +
      "claim only files you changed and shas from `git rev-parse HEAD`, leave nothing uncommitted when a clean tree is " +
      "required) and call complete again with receipts that check out, or block the task if you cannot.",
    { refused: refusedClaims, task_id: taskId, status },
  );
}
