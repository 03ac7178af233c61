import type { CheckResult, DiffStat } from "@switchyard/contract";

/** A commit as people read it: its first 7 hex digits. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/** How a check the board ran ended: "exit 0", "timed out", or "did not start". */
export function checkOutcome(check: Pick<CheckResult, "exit_code" | "timed_out">): string {
  if (check.timed_out) return "timed out";
  return check.exit_code === null ? "did not start" : `exit ${check.exit_code}`;
}

/** "350ms", "4.2s", "3m 5s": how long a check ran. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, "")}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${s % 60}s`;
}

/** "sy/t_x vs abc1234: 3 files changed, +10 −2". */
export function diffSummary(diff: DiffStat): string {
  const files = `${diff.files_changed} ${diff.files_changed === 1 ? "file" : "files"} changed`;
  return `${diff.branch} vs ${shortSha(diff.base_commit)}: ${files}, +${diff.insertions} −${diff.deletions}`;
}
