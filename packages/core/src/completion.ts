import {
  allows,
  type CheckResult,
  type Receipts,
  type ReceiptVerdict,
  type Requirements,
  type Task,
} from "@switchyard/contract";
import { assertCurrentRun, isLocalLock } from "./claims.ts";
import { CoreError, notFound } from "./errors.ts";
import { appendEvent } from "./events.ts";
import { type FailureOutcome, recordFailure } from "./failures.ts";
import { hallucinatedCardsError, normalizeCards, phantomRefs, verifyCreatedCards } from "./gate.ts";
import type { Kernel } from "./kernel.ts";
import { promoteChildrenOf } from "./links.ts";
import { policyOf, REQUIREMENT_SETTINGS_SQL, resolveRequirements } from "./policy.ts";
import { getProof, type PendingCompletion, writeProof } from "./proofs.ts";
import { checkVerdict, type PlannedCheck, unverifiedError, verifyClaims } from "./receipts.ts";
import { assertJsonBounds, boundedJsonOrNull, NO_CLAIM_SQL, type TaskRow, toTask } from "./rows.ts";
import { closeRun, latestCompletedRun, synthesizeRun } from "./runs.ts";
import { getTask, requireTask } from "./tasks.ts";

export interface CompleteInput {
  result?: string | null;
  summary?: string | null;
  metadata?: Record<string, unknown> | null;
  created_cards?: readonly string[] | null;
  /** What the completion claims (SPEC §12), verified against the task's workspace first. */
  receipts?: Receipts | null;
  /** The worker's run (SWITCHYARD_RUN_ID); when given it must be the task's current run. */
  runId?: number | null;
  /**
   * The verdict of `checkCompletion`, when the caller ran it before opening its own
   * transaction (a PATCH): the checks ask git, and a refusal's audit event must outlive it.
   */
  checked?: CheckedCompletion;
}

export interface Completion {
  task: Task;
  run_id: number | null;
  verified_cards: string[];
  /** Prose references to task ids that do not exist (advisory; recorded as an event). */
  phantom_refs: string[];
  /** The verdict on each receipt and requirement (all verified, or the completion was refused). */
  receipts: ReceiptVerdict[];
  /**
   * Non-null when the completion was handed in: the board runs these commands in the workspace
   * before it counts, and the task stays running meanwhile (its worker should exit).
   */
  verifying: PlannedCheck[] | null;
}

/** The statuses a completion starts from, from the contract's transition table. */
const COMPLETABLE_SQL = (["running", "ready", "blocked"] as const)
  .filter((status) => allows("complete", status))
  .map((status) => `'${status}'`)
  .join(", ");

function firstLine(text: string | null | undefined, max: number): string | null {
  if (!text) return null;
  const line = text.split(/\r?\n/, 1)[0]?.trim() ?? "";
  return line ? line.slice(0, max) : null;
}

function isHandoff(input: { result?: string | null; summary?: string | null; metadata?: unknown }): boolean {
  return Boolean(input.summary) || Boolean(input.result) || (input.metadata !== null && input.metadata !== undefined);
}

/** What `checkCompletion` found: the task as checked, and the verified cards, receipts and checks. */
export interface CheckedCompletion {
  before: Task;
  verified_cards: string[];
  verdicts: ReceiptVerdict[];
  checks: PlannedCheck[];
  requirements: Requirements;
  /** The run had a proof row (a worktree's facts or stamped requirements). */
  hasProof: boolean;
}

interface CompletionFactsRow extends TaskRow {
  proof_run: number | null;
  proof_base_commit: string | null;
  proof_branch: string | null;
  proof_requirements: string | null;
  proof_pending: number;
  policy_require: string | null;
  policy_verify: string | null;
  policy_verify_timeout_seconds: string | null;
}

/**
 * Everything a completion's gates read, in one statement: the task, its current run's proof
 * and what the board requires. What the run must prove is what was stamped on it, else the
 * board's and the task's requirements.
 */
async function completionFacts(k: Kernel, id: string) {
  const row = await k.db.get<CompletionFactsRow>(
    `SELECT t.*, p.run_id AS proof_run, p.base_commit AS proof_base_commit, p.branch AS proof_branch,
            p.requirements AS proof_requirements, CASE WHEN p.pending IS NULL THEN 0 ELSE 1 END AS proof_pending,
            ${REQUIREMENT_SETTINGS_SQL}
       FROM tasks t LEFT JOIN run_proofs p ON p.run_id = t.current_run_id
      WHERE t.id = ?`,
    [id],
  );
  if (!row) return null;
  const task = toTask(row);
  const stamped = row.proof_requirements ? (JSON.parse(row.proof_requirements) as Requirements) : null;
  const policy = policyOf({
    require: row.policy_require,
    verify: row.policy_verify,
    verify_timeout_seconds: row.policy_verify_timeout_seconds,
  });
  return {
    task,
    hasProof: row.proof_run !== null,
    pending: Number(row.proof_pending) === 1,
    run: { base_commit: row.proof_base_commit, branch: row.proof_branch },
    requirements: stamped ?? resolveRequirements(policy, task, null),
  };
}

/**
 * The gates of a completion, before anything changes (reference §7, SPEC §12): the card gate,
 * then the task's receipts and requirements checked against its workspace. A refusal records
 * its audit event (`completion_blocked_hallucination` or `completion_blocked_unverified`) and
 * throws, leaving the task exactly as it was. Call it outside a transaction: the checks ask
 * git, and the refusal's event must be committed.
 */
export async function checkCompletion(k: Kernel, id: string, input: CompleteInput = {}): Promise<CheckedCompletion> {
  assertJsonBounds("metadata", input.metadata);
  const cards = normalizeCards(input.created_cards);
  const facts = await completionFacts(k, id);
  if (!facts) throw notFound(id);
  const before = facts.task;
  assertCurrentRun(before, input.runId, "complete");
  if (!allows("complete", before.status)) {
    throw new CoreError("invalid_transition", `cannot complete ${id}: it is ${before.status}`, { task_id: id });
  }

  let verified: string[] = [];
  if (cards.length > 0) {
    const verdict = await verifyCreatedCards(k, id, cards);
    if (verdict.phantom.length > 0) {
      await k.write((k) =>
        appendEvent(k, id, "completion_blocked_hallucination", {
          phantom_cards: verdict.phantom,
          verified_cards: verdict.verified,
          summary_preview: firstLine(input.summary ?? input.result, 200),
        }),
      );
      throw hallucinatedCardsError(id, verdict, before.status);
    }
    verified = verdict.verified;
  }

  if (facts.pending) {
    throw new CoreError(
      "invalid_transition",
      `cannot complete ${id}: its completion was already handed in and the board is checking it; stop working on it`,
      { task_id: id, status: before.status },
    );
  }
  const { requirements } = facts;
  let verdicts: ReceiptVerdict[] = [];
  let checks: PlannedCheck[] = [];
  if (input.receipts || requirements.require.length > 0) {
    ({ verdicts, checks } = await verifyClaims(k, before, facts.run, input.receipts, requirements));
    if (checks.length > 0 && before.current_run_id === null) {
      for (const c of checks) {
        verdicts.push({
          kind: c.source,
          claim: c.command,
          ok: false,
          reason: "no_workspace",
          detail:
            "the board runs checks in a worker's run and this task has none; accept it without proof to complete it by hand",
        });
      }
    }
    const refused = verdicts.filter((v) => !v.ok);
    if (refused.length > 0) {
      await k.write((k) =>
        appendEvent(
          k,
          id,
          "completion_blocked_unverified",
          {
            phase: "receipts",
            refused,
            verified: verdicts.filter((v) => v.ok),
            summary_preview: firstLine(input.summary ?? input.result, 200),
          },
          before.current_run_id,
        ),
      );
      throw unverifiedError(id, refused, before.status);
    }
  }
  return { before, verified_cards: verified, verdicts, checks, requirements, hasProof: facts.hasProof };
}

/** The refusal of a completion whose compare-and-swap found the task moved on since it was checked. */
async function changedWhileCompleting(k: Kernel, id: string): Promise<CoreError> {
  const task = await requireTask(k, id);
  return new CoreError(
    "invalid_transition",
    `cannot complete ${id}: it changed while completing (now ${task.status})`,
    {
      task_id: id,
    },
  );
}

interface Finish {
  result: string | null;
  summary: string | null;
  metadata: Record<string, unknown> | null;
  verified_cards: string[];
  verdicts: ReceiptVerdict[];
  checks?: CheckResult[];
  waived?: boolean;
  hasProof: boolean;
}

/**
 * The completion itself, in the caller's transaction: a compare-and-swap on the task as it was
 * checked (still completable, still the same run), the run closed (or a zero-length run
 * recording the handoff), the proof's verdicts kept, `completed` appended and children promoted.
 */
async function finishCompletion(k: Kernel, before: Task, f: Finish): Promise<{ runId: number | null; task: Task }> {
  const id = before.id;
  const now = k.clock.now();
  const done = await k.db.get<TaskRow>(
    `UPDATE tasks SET status = 'done', result = ?, completed_at = ?, ${NO_CLAIM_SQL}, spawn_failures = 0
      WHERE id = ? AND status IN (${COMPLETABLE_SQL}) AND current_run_id IS NOT DISTINCT FROM ?
      RETURNING *`,
    [f.result, now, id, before.current_run_id],
  );
  if (!done) {
    throw await changedWhileCompleting(k, id);
  }
  const summary = f.summary ?? f.result ?? null;
  let run: number | null = before.current_run_id;
  if (run !== null) {
    await closeRun(k, run, { outcome: "completed", status: "done", summary, metadata: f.metadata });
  } else if (isHandoff(f) || f.waived || f.verdicts.length > 0) {
    run = await synthesizeRun(k, id, done.assignee, { outcome: "completed", summary, metadata: f.metadata });
  }
  if (run !== null && (f.hasProof || f.verdicts.length > 0 || f.checks)) {
    await writeProof(k, run, id, {
      receipts: f.verdicts,
      ...(f.checks ? { checks: f.checks } : {}),
      pending: null,
      checking: null,
    });
  }
  const proven = f.verdicts.filter((v) => v.ok).length;
  await appendEvent(
    k,
    id,
    "completed",
    {
      result_len: f.result?.length ?? 0,
      summary: firstLine(summary, 400),
      ...(f.verified_cards.length > 0 ? { verified_cards: f.verified_cards } : {}),
      ...(proven > 0 ? { receipts_verified: proven } : {}),
      ...(f.waived ? { waived: true } : {}),
    },
    run,
  );
  await promoteChildrenOf(k, id);
  // The row as the completion left it (promoting children does not touch it).
  return { runId: run, task: toTask(done) };
}

/**
 * Completes a task (reference §2.3, §3.7, §7; SPEC §12). The gates run first
 * (`checkCompletion`). When the board must run commands itself (a required `verify`, claimed
 * tests), the completion is handed in: the task stays running on its run, its claim no longer
 * expires and its worker is expected to exit, `verifying` is appended, and the dispatcher's
 * checks decide it (`finishChecks`). Otherwise the task is done, its open run closes (or a
 * zero-length run records the handoff), children whose parents are all satisfied become
 * ready, and then the prose scan runs.
 */
export async function completeTask(k: Kernel, id: string, input: CompleteInput = {}): Promise<Completion> {
  const checked = input.checked ?? (await checkCompletion(k, id, input));
  const { before, verdicts, checks } = checked;
  const base = { verified_cards: checked.verified_cards, receipts: verdicts, phantom_refs: [] as string[] };

  if (checks.length > 0) {
    const runId = before.current_run_id as number;
    const task = await k.write(async (k) => {
      const row = await k.db.get<TaskRow>(
        `UPDATE tasks SET worker_pid = NULL, claim_expires = NULL
          WHERE id = ? AND status = 'running' AND current_run_id = ? RETURNING *`,
        [id, runId],
      );
      if (!row) {
        throw await changedWhileCompleting(k, id);
      }
      assertJsonBounds("metadata", input.metadata);
      const pending: PendingCompletion = {
        result: input.result ?? null,
        summary: input.summary ?? null,
        metadata: input.metadata ?? null,
        verified_cards: checked.verified_cards,
        verified: verdicts,
        checks,
        timeout_seconds: checked.requirements.verify_timeout_seconds,
      };
      await writeProof(k, runId, id, { receipts: verdicts, pending, checking: null });
      await appendEvent(
        k,
        id,
        "verifying",
        { checks: checks.map((c) => ({ command: c.command, source: c.source })), verified: verdicts },
        runId,
      );
      return toTask(row);
    });
    return { ...base, task, run_id: runId, verifying: checks };
  }

  const { runId, task } = await k.write((k) =>
    finishCompletion(k, before, {
      result: input.result ?? null,
      summary: input.summary ?? null,
      metadata: input.metadata ?? null,
      verified_cards: checked.verified_cards,
      verdicts,
      hasProof: checked.hasProof,
    }),
  );

  const phantoms = await phantomRefs(k, [input.summary, input.result], checked.verified_cards);
  if (phantoms.length > 0) {
    await k.write((k) =>
      appendEvent(
        k,
        id,
        "suspected_hallucinated_references",
        { phantom_refs: phantoms, source: "completion_summary" },
        runId,
      ),
    );
  }
  return { ...base, task, run_id: runId, phantom_refs: phantoms, verifying: null };
}

/** What the board's checks of a handed-in completion decided. */
export type ChecksOutcome =
  | { result: "completed"; task: Task }
  | { result: "refused"; failure: FailureOutcome; refused: ReceiptVerdict[] };

/**
 * Decides a handed-in completion with the board's own runs of its checks (SPEC §12): all passed
 * -> the task is done with the handed-in handoff; otherwise `completion_blocked_unverified`
 * (phase verify) is appended, the run closes as `unverified` and the task goes back for
 * another attempt, counted as a failure (blocked at the limit). Null when the run is no longer
 * waiting (reclaimed, blocked, decided elsewhere).
 */
export async function finishChecks(
  k: Kernel,
  taskId: string,
  runId: number,
  results: CheckResult[],
  policy: { limit?: number; pauseAfter?: number } = {},
): Promise<ChecksOutcome | null> {
  return k.write(async (k) => {
    const proof = await getProof(k, runId);
    const pending = proof?.pending;
    const task = await getTask(k, taskId);
    if (!pending || task?.status !== "running" || task.current_run_id !== runId) return null;
    const verdicts = results.map(checkVerdict);
    const refused = verdicts.filter((v) => !v.ok);
    if (refused.length === 0) {
      const done = await finishCompletion(k, task, {
        result: pending.result,
        summary: pending.summary,
        metadata: pending.metadata,
        verified_cards: pending.verified_cards,
        verdicts: [...pending.verified, ...verdicts],
        checks: results,
        hasProof: true,
      });
      return { result: "completed", task: done.task };
    }
    await writeProof(k, runId, taskId, { checks: results, pending: null, checking: null });
    const first = refused[0] as ReceiptVerdict;
    const failure = await recordFailure(
      k,
      taskId,
      {
        kind: "unverified",
        error: `${first.kind} \`${first.claim}\` ${first.detail}`,
        runId,
        unverified: {
          refused,
          verified: [...pending.verified, ...verdicts.filter((v) => v.ok)],
          checks: results,
          summary_preview: firstLine(pending.summary ?? pending.result, 200),
        },
      },
      policy.limit,
      policy.pauseAfter,
    );
    return failure ? { result: "refused", failure, refused } : null;
  });
}

/** A handed-in completion this host's dispatcher must check. */
export interface PendingCheck {
  task_id: string;
  run_id: number;
  workspace: string | null;
  /** The worker that handed it in (to be gone before the checks run). */
  pid: number | null;
  checks: PlannedCheck[];
  timeout_seconds: number;
  /** `host:pid` of the process checking it now, or null. */
  checking: string | null;
}

/** Handed-in completions of running tasks claimed on this host (the workspace is here). */
export async function pendingChecks(k: Kernel): Promise<PendingCheck[]> {
  const rows = await k.db.all<{
    id: string;
    run_id: number;
    workspace_path: string | null;
    claim_lock: string | null;
    worker_pid: number | null;
    pending: string;
    checking: string | null;
  }>(
    `SELECT t.id, p.run_id, t.workspace_path, t.claim_lock, r.worker_pid, p.pending, p.checking
       FROM run_proofs p
       JOIN tasks t ON t.current_run_id = p.run_id AND t.status = 'running'
       JOIN task_runs r ON r.id = p.run_id
      WHERE p.pending IS NOT NULL
      ORDER BY p.run_id`,
  );
  return rows
    .filter((r) => isLocalLock(k, r.claim_lock))
    .map((r) => {
      const pending = JSON.parse(r.pending) as PendingCompletion;
      return {
        task_id: r.id,
        run_id: Number(r.run_id),
        workspace: r.workspace_path,
        pid: r.worker_pid === null ? null : Number(r.worker_pid),
        checks: pending.checks,
        timeout_seconds: pending.timeout_seconds,
        checking: r.checking,
      };
    });
}

/**
 * Takes a handed-in completion's checks for `checker` (`host:pid`): true when it was waiting
 * and unowned, or owned by `takeOver` (a checker that is gone). A null `checker` gives them back.
 */
export async function startChecks(
  k: Kernel,
  runId: number,
  checker: string | null,
  takeOver: string | null = null,
): Promise<boolean> {
  return k.write(
    async (k) =>
      (await k.db.run(
        `UPDATE run_proofs SET checking = ?
          WHERE run_id = ? AND pending IS NOT NULL AND checking IS NOT DISTINCT FROM ?`,
        [checker, runId, takeOver],
      )) > 0,
  );
}

export interface WaiveInput {
  reason: string;
  /** Who accepts it (a person, `dashboard`). */
  by?: string | null;
  result?: string | null;
}

/**
 * "Accept without proof" (SPEC §12): a person completes a task whose completion could not be
 * verified, with a reason. Appends `completion_waived` (naming the claims last refused) and
 * `completed` with `waived`, which clears the task's warning; the audit events stay.
 */
export async function waiveCompletion(k: Kernel, id: string, input: WaiveInput): Promise<Task> {
  const reason = input.reason?.trim() ?? "";
  if (!reason)
    throw new CoreError("invalid_input", "a reason is required to accept a completion without proof", { task_id: id });
  const by = input.by?.trim() || "dashboard";
  return k.write(async (k) => {
    const before = await requireTask(k, id);
    if (!allows("complete", before.status)) {
      throw new CoreError("invalid_transition", `cannot accept ${id} without proof: it is ${before.status}`, {
        task_id: id,
      });
    }
    const last = await k.db.get<{ payload: string | null }>(
      `SELECT payload FROM task_events WHERE task_id = ? AND kind = 'completion_blocked_unverified'
        ORDER BY id DESC LIMIT 1`,
      [id],
    );
    const refused =
      (last?.payload ? (JSON.parse(last.payload).refused as ReceiptVerdict[] | undefined) : undefined) ?? [];
    await appendEvent(k, id, "completion_waived", { reason, by, refused }, before.current_run_id);
    const proof = await getProof(k, before.current_run_id);
    const { task } = await finishCompletion(k, before, {
      result: input.result ?? proof?.pending?.result ?? before.result,
      summary: proof?.pending?.summary ?? `Accepted without proof by ${by}: ${reason}`,
      metadata: proof?.pending?.metadata ?? null,
      verified_cards: proof?.pending?.verified_cards ?? [],
      verdicts: [],
      waived: true,
      hasProof: proof !== null,
    });
    return task;
  });
}

export interface EditResultInput {
  result: string;
  summary?: string | null;
  metadata?: Record<string, unknown> | null;
}

/**
 * Rewrites the handoff of a done task (reference §3.7 `edit_completed_task_result`): the
 * result, and the latest completed run's summary and metadata (a run is synthesised if none).
 */
export async function editCompletedResult(k: Kernel, id: string, input: EditResultInput): Promise<Task> {
  assertJsonBounds("metadata", input.metadata);
  return k.write(async (k) => {
    const task = await requireTask(k, id);
    if (task.status !== "done") {
      throw new CoreError("invalid_transition", `cannot edit the result of ${id}: it is ${task.status}, not done`, {
        task_id: id,
      });
    }
    await k.db.run("UPDATE tasks SET result = ? WHERE id = ?", [input.result, id]);
    const summary = input.summary ?? input.result;
    const latest = await latestCompletedRun(k, id);
    let runId: number;
    if (latest) {
      runId = latest.id;
      await k.db.run("UPDATE task_runs SET summary = ? WHERE id = ?", [summary, runId]);
      if (input.metadata !== undefined && input.metadata !== null) {
        await k.db.run("UPDATE task_runs SET metadata = ? WHERE id = ?", [
          boundedJsonOrNull("metadata", input.metadata),
          runId,
        ]);
      }
    } else {
      runId = await synthesizeRun(k, id, task.assignee, {
        outcome: "completed",
        summary,
        metadata: input.metadata ?? null,
      });
    }
    const fields = ["result", "summary", ...(input.metadata ? ["metadata"] : [])];
    await appendEvent(
      k,
      id,
      "edited",
      { fields, result_len: input.result.length, summary: firstLine(summary, 400) },
      runId,
    );
    return requireTask(k, id);
  });
}
