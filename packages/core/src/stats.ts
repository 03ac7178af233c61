import type { Assignee, BoardStats, Task, TaskAge } from "@switchyard/contract";
import type { Kernel } from "./kernel.ts";

/** Counts by status (archived excluded), by assignee, and the oldest ready task's age (§5.7). */
export async function boardStats(k: Kernel): Promise<BoardStats> {
  const now = k.clock.now();
  const byStatus: Record<string, number> = {};
  for (const r of await k.db.all<{ status: string; n: number }>(
    "SELECT status, COUNT(*) AS n FROM tasks WHERE status != 'archived' GROUP BY status",
  )) {
    byStatus[r.status] = Number(r.n);
  }
  const byAssignee: Record<string, Record<string, number>> = {};
  for (const r of await assigneeCounts(k)) {
    const entry = byAssignee[r.assignee] ?? {};
    entry[r.status] = Number(r.n);
    byAssignee[r.assignee] = entry;
  }
  const oldest = await k.db.get<{ t: number | null }>("SELECT MIN(created_at) AS t FROM tasks WHERE status = 'ready'");
  const t = oldest?.t ?? null;
  return {
    by_status: byStatus,
    by_assignee: byAssignee,
    oldest_ready_age_seconds: t === null ? null : Math.max(0, now - Number(t)),
    now,
  };
}

function assigneeCounts(k: Kernel) {
  return k.db.all<{ assignee: string; status: string; n: number }>(
    "SELECT assignee, status, COUNT(*) AS n FROM tasks WHERE status != 'archived' AND assignee IS NOT NULL GROUP BY assignee, status",
  );
}

/**
 * Ages of a task, clamped at 0 against clock skew (§5.7). A task completed without a claim
 * counts its time to complete from its creation, as Hermes does.
 */
export function taskAge(task: Task, now: number): TaskAge {
  const since = (t: number | null) => (t === null ? null : Math.max(0, now - t));
  return {
    created_age_seconds: since(task.created_at),
    started_age_seconds: since(task.started_at),
    time_to_complete_seconds:
      task.completed_at !== null ? Math.max(0, task.completed_at - (task.started_at ?? task.created_at)) : null,
  };
}

/**
 * The union of known profiles and the assignees of non-archived tasks, each with its counts by
 * status, sorted by name (reference `known_assignees`). `on_disk` means the profile is known to
 * the dispatcher (configured), so tasks assigned to it can be spawned.
 */
export async function knownAssignees(k: Kernel, profiles: readonly string[]): Promise<Assignee[]> {
  const counts = new Map<string, Record<string, number>>();
  for (const r of await assigneeCounts(k)) {
    const entry = counts.get(r.assignee) ?? {};
    entry[r.status] = Number(r.n);
    counts.set(r.assignee, entry);
  }
  const names = new Set([...profiles, ...counts.keys()]);
  return [...names].sort().map((name) => ({ name, on_disk: profiles.includes(name), counts: counts.get(name) ?? {} }));
}

/** Distinct tenants and assignees of the non-archived tasks (for the board's filters). */
export async function boardFacets(k: Kernel): Promise<{ tenants: string[]; assignees: string[] }> {
  const tenants = await k.db.all<{ tenant: string }>(
    "SELECT DISTINCT tenant FROM tasks WHERE tenant IS NOT NULL AND status != 'archived' ORDER BY tenant",
  );
  const assignees = await k.db.all<{ assignee: string }>(
    "SELECT DISTINCT assignee FROM tasks WHERE assignee IS NOT NULL AND status != 'archived' ORDER BY assignee",
  );
  return { tenants: tenants.map((r) => r.tenant), assignees: assignees.map((r) => r.assignee) };
}

/** Tasks by status (archived included) and their total, for board listings (`boards list --json`, `GET /boards`). */
export async function boardCounts(k: Kernel): Promise<{ counts: Record<string, number>; total: number }> {
  const counts: Record<string, number> = {};
  let total = 0;
  for (const r of await k.db.all<{ status: string; n: number }>(
    "SELECT status, COUNT(*) AS n FROM tasks GROUP BY status",
  )) {
    counts[r.status] = Number(r.n);
    total += Number(r.n);
  }
  return { counts, total };
}

/** Running tasks on this board: the total and the count per assignee. */
export async function runningByProfile(k: Kernel): Promise<{ total: number; byProfile: Map<string, number> }> {
  const byProfile = new Map<string, number>();
  let total = 0;
  for (const r of await k.db.all<{ assignee: string | null; n: number }>(
    "SELECT assignee, COUNT(*) AS n FROM tasks WHERE status = 'running' GROUP BY assignee",
  )) {
    total += Number(r.n);
    if (r.assignee) byProfile.set(r.assignee, Number(r.n));
  }
  return { total, byProfile };
}
