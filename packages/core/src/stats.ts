import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Assignee, BoardStats, Task, TaskAge } from "@switchyard/contract";
import type { Kernel } from "./kernel.ts";

/** Counts by status (archived excluded), by assignee, and the oldest ready task's age (§5.7). */
export function boardStats(k: Kernel): BoardStats {
  const now = k.clock.now();
  const byStatus: Record<string, number> = {};
  for (const r of k
    .stmt("SELECT status, COUNT(*) AS n FROM tasks WHERE status != 'archived' GROUP BY status")
    .all() as Array<{
    status: string;
    n: number;
  }>) {
    byStatus[r.status] = Number(r.n);
  }
  const byAssignee: Record<string, Record<string, number>> = {};
  for (const r of k
    .stmt(
      "SELECT assignee, status, COUNT(*) AS n FROM tasks WHERE status != 'archived' AND assignee IS NOT NULL GROUP BY assignee, status",
    )
    .all() as Array<{ assignee: string; status: string; n: number }>) {
    const entry = byAssignee[r.assignee] ?? {};
    entry[r.status] = Number(r.n);
    byAssignee[r.assignee] = entry;
  }
  const oldest = k.stmt("SELECT MIN(created_at) AS t FROM tasks WHERE status = 'ready'").get() as { t: number | null };
  return {
    by_status: byStatus,
    by_assignee: byAssignee,
    oldest_ready_age_seconds: oldest.t === null ? null : Math.max(0, now - Number(oldest.t)),
    now,
  };
}

/** Ages of a task, clamped at 0 against clock skew (§5.7). */
export function taskAge(task: Task, now: number): TaskAge {
  const since = (t: number | null) => (t === null ? null : Math.max(0, now - t));
  return {
    created_age_seconds: since(task.created_at),
    started_age_seconds: since(task.started_at),
    time_to_complete_seconds:
      task.completed_at !== null && task.started_at !== null ? Math.max(0, task.completed_at - task.started_at) : null,
  };
}

/**
 * Hermes profiles on disk (the `hermes` preset): under a home laid out as Hermes's (it has a
 * `profiles/` directory), `default` and every `profiles/<name>/` holding a config.yaml.
 */
export function hermesProfilesOnDisk(root: string): string[] {
  const dir = join(root, "profiles");
  if (!existsSync(dir)) return [];
  const named = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "config.yaml")))
    .map((d) => d.name.toLowerCase());
  // A Hermes home's root is itself the `default` profile, which always exists (reference §5.1).
  return [...new Set(["default", ...named])].sort();
}

/**
 * The union of known profiles and the assignees of non-archived tasks, each with its counts by
 * status, sorted by name (reference `known_assignees`). `on_disk` means the profile is known to
 * the dispatcher (configured), so tasks assigned to it can be spawned.
 */
export function knownAssignees(k: Kernel, profiles: readonly string[]): Assignee[] {
  const counts = new Map<string, Record<string, number>>();
  for (const r of k
    .stmt(
      "SELECT assignee, status, COUNT(*) AS n FROM tasks WHERE status != 'archived' AND assignee IS NOT NULL GROUP BY assignee, status",
    )
    .all() as Array<{ assignee: string; status: string; n: number }>) {
    const entry = counts.get(r.assignee) ?? {};
    entry[r.status] = Number(r.n);
    counts.set(r.assignee, entry);
  }
  const names = new Set([...profiles, ...counts.keys()]);
  return [...names].sort().map((name) => ({ name, on_disk: profiles.includes(name), counts: counts.get(name) ?? {} }));
}

/** Distinct tenants and assignees of the non-archived tasks (for the board's filters). */
export function boardFacets(k: Kernel): { tenants: string[]; assignees: string[] } {
  const tenants = k
    .stmt("SELECT DISTINCT tenant FROM tasks WHERE tenant IS NOT NULL AND status != 'archived' ORDER BY tenant")
    .all() as Array<{ tenant: string }>;
  const assignees = k
    .stmt("SELECT DISTINCT assignee FROM tasks WHERE assignee IS NOT NULL AND status != 'archived' ORDER BY assignee")
    .all() as Array<{ assignee: string }>;
  return { tenants: tenants.map((r) => r.tenant), assignees: assignees.map((r) => r.assignee) };
}

/** Tasks by status (archived included) and their total, for board listings (`boards list --json`, `GET /boards`). */
export function boardCounts(k: Kernel): { counts: Record<string, number>; total: number } {
  const counts: Record<string, number> = {};
  let total = 0;
  for (const r of k.stmt("SELECT status, COUNT(*) AS n FROM tasks GROUP BY status").all() as Array<{
    status: string;
    n: number;
  }>) {
    counts[r.status] = Number(r.n);
    total += Number(r.n);
  }
  return { counts, total };
}

/** Running tasks on this board: the total and the count per assignee. */
export function runningByProfile(k: Kernel): { total: number; byProfile: Map<string, number> } {
  const byProfile = new Map<string, number>();
  let total = 0;
  for (const r of k
    .stmt("SELECT assignee, COUNT(*) AS n FROM tasks WHERE status = 'running' GROUP BY assignee")
    .all() as Array<{ assignee: string | null; n: number }>) {
    total += Number(r.n);
    if (r.assignee) byProfile.set(r.assignee, Number(r.n));
  }
  return { total, byProfile };
}
