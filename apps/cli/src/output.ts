import type { ReceiptVerdict, Task, TaskEvent } from "@switchyard/contract";

/** Text output of the CLI (reference §10.1): status icons, list lines, times and durations. */

const ICONS: Record<string, string> = {
  todo: "◻",
  ready: "▶",
  running: "●",
  blocked: "⊘",
  done: "✓",
  archived: "—",
};

export function statusIcon(status: string): string {
  return ICONS[status] ?? "?";
}

/** `▶ t_0d214f19 ready    alice                [tenant] Title`. */
export function taskLine(task: Task): string {
  const tenant = task.tenant ? ` [${task.tenant}]` : "";
  return `${statusIcon(task.status)} ${task.id} ${task.status.padEnd(8)} ${(task.assignee ?? "(unassigned)").padEnd(20)}${tenant} ${task.title}`;
}

/** Unix seconds as `YYYY-MM-DD HH:MM` (UTC). */
export function stamp(seconds: number | null): string {
  if (seconds === null) return "-";
  return new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ");
}

/** A duration as `42s`, `5m` or `2h` (clamped at 0 against clock skew). */
export function elapsed(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${(s / 3600).toFixed(1).replace(/\.0$/, "")}h`;
}

/** `2024-01-01 10:00 t_… [run 3] completed {"summary":"…"}`. */
export function eventLine(e: TaskEvent): string {
  const run = e.run_id === null ? "" : ` [run ${e.run_id}]`;
  const payload = e.payload === null || e.payload === undefined ? "" : ` ${JSON.stringify(e.payload)}`;
  return `${stamp(e.created_at)} ${e.task_id}${run} ${e.kind}${payload}`;
}

/** A value as one line of JSON (JSON lines: `tail --json`, `watch --json`, `serve --json`). */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value);
}

/** Indents every line of a block of text. */
export function indent(text: string, by = "  "): string {
  return text
    .split(/\r?\n/)
    .map((l) => `${by}${l}`)
    .join("\n");
}

/** A table with left-aligned columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/**
 * Refused receipts on one line: `commit 1a2b3c4 (no such commit); file src/a.ts (unchanged)`;
 * those a refusal's `message` already names are left out.
 */
export function refusedClaims(verdicts: readonly ReceiptVerdict[], message = ""): string {
  return verdicts
    .filter((v) => !v.ok && !message.includes(`${v.kind} ${v.claim}`))
    .map((v) => `${v.kind} ${v.claim} (${(v.detail ?? v.reason ?? "refused").replace(/\s+/g, " ").trim()})`)
    .join("; ");
}
