import type { Task } from "@switchyard/contract";

export type Staleness = "fresh" | "amber" | "red";

const MIN = 60;
const HOUR = 3600;
const DAY = 86_400;

/** Amber and red thresholds by status, in seconds (reference §12); other columns never go stale. */
const THRESHOLDS: Partial<Record<Task["status"], readonly [number, number]>> = {
  ready: [HOUR, DAY],
  running: [10 * MIN, HOUR],
  blocked: [HOUR, DAY],
  todo: [7 * DAY, 30 * DAY],
};

/** How stale a card looks: running cards age from `started_at`, all others from `created_at`. */
export function staleness(task: Pick<Task, "status" | "created_at" | "started_at">, now: number): Staleness {
  const limits = THRESHOLDS[task.status];
  if (!limits) return "fresh";
  const since = task.status === "running" ? (task.started_at ?? task.created_at) : task.created_at;
  const age = now - since;
  if (age >= limits[1]) return "red";
  if (age >= limits[0]) return "amber";
  return "fresh";
}
