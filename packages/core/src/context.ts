import type { Kernel } from "./kernel.ts";
import { parentIds } from "./links.ts";
import { type CommentRow, type RunRow, toComment, toRun } from "./rows.ts";
import { listRuns } from "./runs.ts";
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
export function buildWorkerContext(k: Kernel, taskId: string): string {
  const task = requireTask(k, taskId);
  const out: string[] = [`# Kanban task ${task.id}: ${task.title}`, ""];
  out.push(`Assignee: ${task.assignee ?? "(unassigned)"}`);
  out.push(`Status: ${task.status}`);
  if (task.tenant) out.push(`Tenant: ${task.tenant}`);
  out.push(`Workspace: ${task.workspace_kind} @ ${task.workspace_path ?? "(unresolved)"}`);

  if (task.body?.trim()) out.push("", "## Body", "", truncateText(task.body, CONTEXT_CAPS.body));

  const closed = listRuns(k, taskId, false);
  if (closed.length > 0) {
    out.push("", "## Prior attempts on this task");
    const shown = closed.slice(-CONTEXT_CAPS.attempts);
    const omitted = closed.length - shown.length;
    if (omitted > 0) out.push("", `(${omitted} older attempt(s) omitted)`);
    shown.forEach((run, i) => {
      const n = omitted + i + 1;
      out.push(
        "",
        `### Attempt ${n} — ${run.outcome ?? run.status} (${run.profile ?? "(no profile)"}, ${stamp(run.started_at)})`,
      );
      if (run.summary) out.push(truncateText(run.summary, CONTEXT_CAPS.field));
      if (run.error) out.push(`_error_: ${truncateText(run.error, CONTEXT_CAPS.field)}`);
      if (run.metadata) out.push(`_metadata_: ${truncateText(sortedJson(run.metadata), CONTEXT_CAPS.field)}`);
    });
  }

  const doneParents = parentIds(k, taskId)
    .map((id) => requireTask(k, id))
    .filter((p) => p.status === "done");
  if (doneParents.length > 0) {
    out.push("", "## Parent task results");
    for (const p of doneParents) {
      const row = k
        .stmt(
          "SELECT * FROM task_runs WHERE task_id = ? AND outcome = 'completed' ORDER BY started_at DESC, id DESC LIMIT 1",
        )
        .get(p.id) as RunRow | undefined;
      const run = row ? toRun(row) : null;
      out.push("", `### ${p.id}`);
      out.push(truncateText(run?.summary ?? p.result ?? "(no result recorded)", CONTEXT_CAPS.field));
      if (run?.metadata) out.push(`_metadata_: ${truncateText(sortedJson(run.metadata), CONTEXT_CAPS.field)}`);
    }
  }

  if (task.assignee) {
    const recent = k
      .stmt(
        `SELECT r.task_id, r.summary, r.ended_at, t.title FROM task_runs r JOIN tasks t ON t.id = r.task_id
          WHERE r.profile = ? AND r.outcome = 'completed' AND r.task_id != ?
          ORDER BY r.ended_at DESC, r.id DESC LIMIT ?`,
      )
      .all(task.assignee, taskId, CONTEXT_CAPS.roleHistory) as Array<{
      task_id: string;
      summary: string | null;
      ended_at: number | null;
      title: string;
    }>;
    if (recent.length > 0) {
      out.push("", `## Recent work by @${task.assignee}`, "");
      for (const r of recent) {
        const line = (r.summary ?? "").split(/\r?\n/, 1)[0]?.slice(0, CONTEXT_CAPS.roleSummary) ?? "";
        out.push(`- ${r.task_id} — ${r.title} (${r.ended_at === null ? "?" : stamp(r.ended_at)}): ${line}`);
      }
    }
  }

  const total = (k.stmt("SELECT COUNT(*) AS n FROM task_comments WHERE task_id = ?").get(taskId) as { n: number }).n;
  if (total > 0) {
    const rows = (
      k
        .stmt("SELECT * FROM task_comments WHERE task_id = ? ORDER BY created_at DESC, id DESC LIMIT ?")
        .all(taskId, CONTEXT_CAPS.comments) as CommentRow[]
    )
      .map(toComment)
      .reverse();
    out.push("", "## Comment thread");
    if (total > rows.length) out.push("", `(${total - rows.length} older comment(s) omitted)`);
    for (const c of rows) {
      out.push("", `**${c.author}** (${stamp(c.created_at)}):`, truncateText(c.body, CONTEXT_CAPS.comment));
    }
  }
  return `${out.join("\n")}\n`;
}
