import type { EventPayload, SavedWork } from "@switchyard/contract";
import type { Kernel } from "./kernel.ts";
import { parentIds } from "./links.ts";
import { getProof } from "./proofs.ts";
import { type CommentRow, toComment } from "./rows.ts";
import { latestCompletedRun, listRuns } from "./runs.ts";
import { requireTask } from "./tasks.ts";

/** Caps of the worker context (reference §5.6). */
export const CONTEXT_CAPS = {
  body: 8 * 1024,
  field: 4 * 1024,
  comment: 2 * 1024,
  attempts: 10,
  comments: 30,
  roleHistory: 5,
  roleSummary: 200,
} as const;

export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [truncated, ${text.length - max} chars omitted]`;
}

function stamp(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ");
}

function sortedJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .map((key) => [key, sort((v as Record<string, unknown>)[key])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

/**
 * The markdown a worker reads first (reference §5.6): the task, its prior attempts, its
 * parents' handoffs, the profile's recent work elsewhere and the comment thread, each capped.
 */
export async function buildWorkerContext(k: Kernel, taskId: string): Promise<string> {
  const task = await requireTask(k, taskId);
  const out: string[] = [`# Kanban task ${task.id}: ${task.title}`, ""];
  out.push(`Assignee: ${task.assignee ?? "(unassigned)"}`);
  out.push(`Status: ${task.status}`);
  if (task.tenant) out.push(`Tenant: ${task.tenant}`);
  out.push(`Workspace: ${task.workspace_kind} @ ${task.workspace_path ?? "(unresolved)"}`);

  if (task.body?.trim()) out.push("", "## Body", "", truncateText(task.body, CONTEXT_CAPS.body));

  out.push(...(await proofSections(k, task.id, task.current_run_id)));

  const closed = await listRuns(k, taskId, false);
  /** A block's reason is both an attempt's summary and a "BLOCKED:" comment: the thread points up instead of repeating it. */
  const blockReasons = new Map<string, number>();
  if (closed.length > 0) {
    out.push("", "## Prior attempts on this task");
    const shown = closed.slice(-CONTEXT_CAPS.attempts);
    const omitted = closed.length - shown.length;
    if (omitted > 0) out.push("", `(${omitted} older attempt(s) omitted)`);
    shown.forEach((run, i) => {
      const n = omitted + i + 1;
      if (run.outcome === "blocked" && run.summary) blockReasons.set(`BLOCKED: ${run.summary}`, n);
      out.push(
        "",
        `### Attempt ${n} — ${run.outcome ?? run.status} (${run.profile ?? "(no profile)"}, ${stamp(run.started_at)})`,
      );
      if (run.summary) out.push(truncateText(run.summary, CONTEXT_CAPS.field));
      if (run.error) out.push(`_error_: ${truncateText(run.error, CONTEXT_CAPS.field)}`);
      if (run.metadata) out.push(`_metadata_: ${truncateText(sortedJson(run.metadata), CONTEXT_CAPS.field)}`);
    });
  }

  const doneParents = [];
  for (const id of await parentIds(k, taskId)) {
    const parent = await requireTask(k, id);
    if (parent.status === "done") doneParents.push(parent);
  }
  if (doneParents.length > 0) {
    out.push("", "## Parent task results");
    for (const p of doneParents) {
      const run = await latestCompletedRun(k, p.id);
      out.push("", `### ${p.id}`);
      out.push(truncateText(run?.summary ?? p.result ?? "(no result recorded)", CONTEXT_CAPS.field));
      if (run?.metadata) out.push(`_metadata_: ${truncateText(sortedJson(run.metadata), CONTEXT_CAPS.field)}`);
    }
  }

  if (task.assignee) {
    const recent = await k.db.all<{
      task_id: string;
      summary: string | null;
      ended_at: number | null;
      title: string;
    }>(
      `SELECT r.task_id, r.summary, r.ended_at, t.title FROM task_runs r JOIN tasks t ON t.id = r.task_id
        WHERE r.profile = ? AND r.outcome = 'completed' AND r.task_id != ?
        ORDER BY r.ended_at DESC, r.id DESC LIMIT ?`,
      [task.assignee, taskId, CONTEXT_CAPS.roleHistory],
    );
    if (recent.length > 0) {
      out.push("", `## Recent work by @${task.assignee}`, "");
      for (const r of recent) {
        const line = (r.summary ?? "").split(/\r?\n/, 1)[0]?.slice(0, CONTEXT_CAPS.roleSummary) ?? "";
        out.push(`- ${r.task_id} — ${r.title} (${r.ended_at === null ? "?" : stamp(r.ended_at)}): ${line}`);
      }
    }
  }

  const total = Number(
    (await k.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM task_comments WHERE task_id = ?", [taskId]))?.n ?? 0,
  );
  if (total > 0) {
    const rows = (
      await k.db.all<CommentRow>(
        "SELECT * FROM task_comments WHERE task_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
        [taskId, CONTEXT_CAPS.comments],
      )
    )
      .map(toComment)
      .reverse();
    out.push("", "## Comment thread");
    if (total > rows.length) out.push("", `(${total - rows.length} older comment(s) omitted)`);
    for (const c of rows) {
      const attempt = blockReasons.get(c.body);
      const body =
        attempt === undefined
          ? truncateText(c.body, CONTEXT_CAPS.comment)
          : `BLOCKED: (the reason given in attempt ${attempt} above)`;
      out.push("", `**${c.author}** (${stamp(c.created_at)}):`, body);
    }
  }
  return `${out.join("\n")}\n`;
}

interface ProofEventRow {
  kind: string;
  payload: string | null;
}

function fence(text: string): string[] {
  const body = text.trimEnd() || "(no output)";
  return ["~~~~", body.replaceAll("~~~~", "~~~"), "~~~~"];
}

/**
 * What the worker must know to finish with proof (SPEC §12): what its completion must prove and
 * on which branch, why the last completion was refused (the board's own check output), and
 * where the previous attempt's uncommitted work was saved.
 */
async function proofSections(k: Kernel, taskId: string, runId: number | null): Promise<string[]> {
  const out: string[] = [];
  const proof = await getProof(k, runId);
  const req = proof?.requirements;
  if (proof?.branch || (req && req.require.length > 0)) {
    out.push("", "## What your completion must prove");
    if (proof?.branch) {
      out.push(
        "",
        `Your workspace is a git worktree on branch \`${proof.branch}\`, started from ${proof.base_commit?.slice(0, 12) ?? "its base"}. Commit your work there.`,
      );
    }
    if (req && req.require.length > 0) out.push("", `Required: ${req.require.join(", ")}.`);
    if (req?.verify) {
      out.push(
        "",
        `After you complete, the board runs \`${req.verify}\` in your workspace itself (limit ${req.verify_timeout_seconds} s); the task is done only if it exits 0.`,
      );
    }
    out.push(
      "",
      "Complete with receipts the board can check: the files you changed, the shas of your commits (`git rev-parse HEAD` after committing), a pushed branch, test commands with their exit codes, artifacts. A claim that does not check out refuses the completion.",
    );
  }

  const rows = await k.db.all<ProofEventRow>(
    `SELECT kind, payload FROM task_events
      WHERE task_id = ? AND kind IN ('completion_blocked_unverified', 'completed', 'reclaimed', 'timed_out')
      ORDER BY id DESC LIMIT 20`,
    [taskId],
  );
  const lastRefusal = rows.findIndex((r) => r.kind === "completion_blocked_unverified");
  const lastDone = rows.findIndex((r) => r.kind === "completed");
  const beforeDone = (i: number) => i !== -1 && (lastDone === -1 || i < lastDone);
  if (beforeDone(lastRefusal)) {
    const p = JSON.parse(rows[lastRefusal]?.payload ?? "{}") as EventPayload<"completion_blocked_unverified">;
    out.push("", "## Why the last completion was refused");
    for (const v of p.refused ?? []) out.push("", `- ${v.kind} \`${v.claim}\`: ${v.reason} — ${v.detail ?? ""}`);
    for (const c of (p.checks ?? []).filter((c) => !c.ok)) {
      out.push(
        "",
        `The board ran \`${c.command}\` in your workspace: ${c.timed_out ? "it timed out" : `exit ${c.exit_code}`} after ${c.duration_ms} ms. The end of its output:`,
        "",
        ...fence(truncateText(c.output_tail, CONTEXT_CAPS.field)),
      );
    }
  }
  const stoppedAt = rows.findIndex((r) => r.kind === "reclaimed" || r.kind === "timed_out");
  const stopped = rows[stoppedAt];
  const wip = stopped?.payload ? (JSON.parse(stopped.payload) as { wip?: SavedWork }).wip : undefined;
  if (wip && beforeDone(stoppedAt)) {
    out.push(
      "",
      "## Work in progress from the previous attempt",
      "",
      `The previous attempt was stopped with ${wip.files.length} uncommitted file(s): ${wip.files.slice(0, 20).join(", ")}. ` +
        `They were left in place in your workspace and saved at \`${wip.ref}\` (commit ${wip.commit.slice(0, 12)}). ` +
        `If they are missing, restore them with \`git restore --source=${wip.commit.slice(0, 12)} --worktree -- .\`.`,
    );
  }
  return out;
}
