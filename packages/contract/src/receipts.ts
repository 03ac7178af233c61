import * as z from "zod";
import { atMost } from "./limits.ts";

/**
 * Verified completion (SPEC §12, decision 018): what a worker claims when it completes, what a
 * board, profile or task requires of a completion, and the kernel's verdict on each claim.
 */

/** What a completion can be required to prove. */
export const REQUIREMENTS = ["commits", "files", "branch", "artifacts", "clean_tree", "verify"] as const;
export const Requirement = z.enum(REQUIREMENTS, {
  error: `a requirement must be one of ${REQUIREMENTS.join(", ")}`,
});
export type Requirement = z.infer<typeof Requirement>;

export const RequirementList = z
  .array(Requirement)
  .max(REQUIREMENTS.length)
  .transform((list) => REQUIREMENTS.filter((r) => list.includes(r)));

/** A shell command the board runs itself in the task's workspace (`verify`). */
export const VERIFY_COMMAND_MAX = 2000;
export const VerifyCommand = z
  .string({ error: "verify must be a shell command" })
  .trim()
  .min(1, "verify must not be blank (use null to clear it)")
  .max(VERIFY_COMMAND_MAX, atMost(VERIFY_COMMAND_MAX));

/** A git revision a worktree starts from: a branch, tag or commit (`main`, `origin/main`, `v1.2`). */
export const BaseRef = z
  .string({ error: "base_ref must be a git revision" })
  .trim()
  .min(1, "base_ref must not be blank")
  .max(255, atMost(255))
  .refine((r) => !r.startsWith("-") && !/[\s\0]/.test(r), "base_ref must be a git revision name");

/** The repository a `worktree` workspace is made from: an absolute path. */
export const RepoPath = z
  .string({ error: "repo must be a path" })
  .trim()
  .min(1, "repo must not be blank")
  .max(4096, atMost(4096))
  .refine((p) => p.startsWith("/"), "repo must be an absolute path");

const MAX_CLAIMS = 200;
const claimText = (what: string, max = 4096) =>
  z
    .string({ error: `${what} must be a string` })
    .trim()
    .min(1, `${what} must not be blank`)
    .max(max, atMost(max));

export const CommitSha = z
  .string({ error: "a commit must be a sha" })
  .trim()
  .regex(/^[0-9a-fA-F]{4,64}$/, "a commit must be a hex sha (4 to 64 digits)")
  .transform((s) => s.toLowerCase());

/** A test or build command the worker says it ran, and the exit code it says it got. */
export const TestClaim = z.strictObject({
  command: claimText("a test command", VERIFY_COMMAND_MAX),
  exit_code: z
    .number({ error: "exit_code must be a whole number" })
    .int("exit_code must be a whole number")
    .min(0, "exit_code must be 0..255")
    .max(255, "exit_code must be 0..255"),
});
export type TestClaim = z.infer<typeof TestClaim>;

/** A branch the worker says it pushed. */
export const PushedBranch = z.strictObject({
  name: claimText("branch name", 255).refine((n) => !n.startsWith("-"), "branch name must not start with '-'"),
  remote: claimText("remote", 2048).default("origin"),
});
export type PushedBranch = z.infer<typeof PushedBranch>;

/** What a completion claims (`receipts` on kanban_complete, CLI `complete`, REST). */
export const Receipts = z.strictObject({
  /** Files changed, relative to the workspace (or absolute inside it). */
  files: z.array(claimText("a file")).max(MAX_CLAIMS).optional(),
  /** Commits made for the task (full or abbreviated shas). */
  commits: z.array(CommitSha).max(MAX_CLAIMS).optional(),
  /** A branch pushed to a remote. */
  branch: PushedBranch.optional(),
  /** Test or build commands with their claimed exit codes; the board runs each one itself. */
  tests: z.array(TestClaim).max(20).optional(),
  /** Produced artifacts: paths (relative to the workspace, or absolute) or http(s) URLs. */
  artifacts: z.array(claimText("an artifact")).max(MAX_CLAIMS).optional(),
});
export type Receipts = z.infer<typeof Receipts>;

/** What one verdict is about. */
export const RECEIPT_KINDS = [
  "file",
  "commit",
  "branch",
  "test",
  "artifact",
  "clean_tree",
  "verify",
  "required",
] as const;
export const ReceiptKind = z.enum(RECEIPT_KINDS);
export type ReceiptKind = z.infer<typeof ReceiptKind>;

/**
 * Why a claim was refused: `not_found` (no such file, commit, artifact or remote branch),
 * `unchanged` (a file the task's branch did not change since its base), `not_on_branch`
 * (a commit not reachable from the task's branch), `not_from_base` (a commit that does not
 * descend from the run's base commit), `not_a_repository` (a git claim outside a git
 * workspace), `outside_workspace`, `no_workspace`, `remote_unreachable`, `dirty_tree`,
 * `missing` (a requirement with no claim to meet it), `no_verify_command`, `verify_failed`,
 * `test_result_mismatch`, `timed_out`.
 */
export const REFUSAL_REASONS = [
  "not_found",
  "unchanged",
  "not_on_branch",
  "not_from_base",
  "not_a_repository",
  "outside_workspace",
  "no_workspace",
  "remote_unreachable",
  "dirty_tree",
  "missing",
  "no_verify_command",
  "verify_failed",
  "test_result_mismatch",
  "timed_out",
] as const;
export const RefusalReason = z.enum(REFUSAL_REASONS);
export type RefusalReason = z.infer<typeof RefusalReason>;

/** The kernel's verdict on one claim: `ok`, or refused with a reason and a human detail. */
export const ReceiptVerdict = z.object({
  kind: ReceiptKind,
  /** The claim as given (a path, a sha, `origin/feature`, a command, a requirement name). */
  claim: z.string(),
  ok: z.boolean(),
  reason: RefusalReason.nullable(),
  detail: z.string().nullable(),
});
export type ReceiptVerdict = z.infer<typeof ReceiptVerdict>;

/** A command the board ran itself in the workspace: the required `verify`, or a claimed test. */
export const CheckResult = z.object({
  command: z.string(),
  source: z.enum(["verify", "test"]),
  /** The exit code that passes: 0 for `verify`, the claimed one for a test. */
  expected_exit: z.number().int(),
  /** Null when it was stopped (timed out) or could not start. */
  exit_code: z.number().int().nullable(),
  duration_ms: z.number().int(),
  /** The last lines of its combined output (at most `CHECK_OUTPUT_TAIL` characters). */
  output_tail: z.string(),
  timed_out: z.boolean(),
  ok: z.boolean(),
});
export type CheckResult = z.infer<typeof CheckResult>;

/** How much of a check's output is kept on the run and in the next run's context. */
export const CHECK_OUTPUT_TAIL = 4000;

/** What a completion must prove, as stamped on a run (or resolved for a task without one). */
export const Requirements = z.object({
  require: z.array(Requirement),
  /** The command the board runs when `verify` is required (task's, else profile's, else board's). */
  verify: z.string().nullable(),
  verify_timeout_seconds: z.number().int(),
});
export type Requirements = z.infer<typeof Requirements>;

/** A board's completion policy (`GET/PATCH /boards/:slug/policy`, `switchyard policy`). */
export const CompletionPolicy = z.object({
  /** The repository `worktree` workspaces are made from (null: the dispatcher's directory). */
  repo: z.string().nullable(),
  /** The revision a new task branch starts from (null: the repository's HEAD). */
  base_ref: z.string().nullable(),
  require: z.array(Requirement),
  verify: z.string().nullable(),
  verify_timeout_seconds: z.number().int(),
  /** gc removes a done task's worktree but keeps its unmerged branch (else both stay until merged). */
  keep_branches: z.boolean(),
});
export type CompletionPolicy = z.infer<typeof CompletionPolicy>;

export const DEFAULT_VERIFY_TIMEOUT_SECONDS = 600;
export const MAX_VERIFY_TIMEOUT_SECONDS = 24 * 3600;

export const DEFAULT_POLICY: CompletionPolicy = {
  repo: null,
  base_ref: null,
  require: [],
  verify: null,
  verify_timeout_seconds: DEFAULT_VERIFY_TIMEOUT_SECONDS,
  keep_branches: false,
};

export const PolicyPatch = z.strictObject({
  repo: RepoPath.nullable().optional(),
  base_ref: BaseRef.nullable().optional(),
  require: RequirementList.optional(),
  verify: VerifyCommand.nullable().optional(),
  verify_timeout_seconds: z
    .number({ error: "verify_timeout_seconds must be a whole number" })
    .int("verify_timeout_seconds must be a whole number")
    .min(1, "verify_timeout_seconds must be 1 or more")
    .max(MAX_VERIFY_TIMEOUT_SECONDS, `verify_timeout_seconds must be at most ${MAX_VERIFY_TIMEOUT_SECONDS}`)
    .optional(),
  keep_branches: z.boolean().optional(),
});
export type PolicyPatch = z.infer<typeof PolicyPatch>;

/** A run's proof: the workspace facts it started from and what its completion was checked against. */
export const RunProof = z.object({
  base_commit: z.string().nullable(),
  branch: z.string().nullable(),
  requirements: Requirements.nullable(),
  /** Verdicts on the run's last checked completion. */
  receipts: z.array(ReceiptVerdict).nullable(),
  /** The board's own runs of `verify` and claimed tests. */
  checks: z.array(CheckResult).nullable(),
  /** True while the board is checking a completion the worker has handed in. */
  verifying: z.boolean(),
});
export type RunProof = z.infer<typeof RunProof>;

/** The diff of a task's branch against its base (`git diff --shortstat base..branch`). */
export const DiffStat = z.object({
  branch: z.string(),
  base_commit: z.string(),
  head_commit: z.string().nullable(),
  files_changed: z.number().int(),
  insertions: z.number().int(),
  deletions: z.number().int(),
  files: z.array(z.string()),
});
export type DiffStat = z.infer<typeof DiffStat>;

/** Uncommitted work saved before a worker was stopped (on `reclaimed` and `timed_out`). */
export const SavedWork = z.object({
  ref: z.string(),
  commit: z.string(),
  files: z.array(z.string()),
});
export type SavedWork = z.infer<typeof SavedWork>;

/** `POST /tasks/:id/waive`: "Accept without proof". */
export const WaiveBody = z.strictObject({
  reason: z
    .string({ error: "reason is required: say why the completion is accepted without proof" })
    .trim()
    .min(1, "reason is required: say why the completion is accepted without proof")
    .max(2000, atMost(2000)),
  author: z.string().trim().min(1).max(200).default("dashboard"),
  result: z
    .string()
    .max(64 * 1024)
    .nullish(),
});
export type WaiveBody = z.infer<typeof WaiveBody>;
