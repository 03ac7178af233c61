import { WARNING_KINDS, type Warnings } from "@switchyard/contract";
import type { Kernel } from "./kernel.ts";

/**
 * The active-versus-stale rule of reference §7.3: hallucination events, and (SPEC §12)
 * unverified completions, count until the task's next `completed` or `edited` event. Computed in
 * one query over the (rare) warning events, each compared with its task's latest clean event
 * through an index.
 */
const ACTIVE = `
  SELECT h.task_id, h.kind, COUNT(*) AS n, MAX(h.created_at) AS latest
    FROM task_events h
   WHERE h.kind IN (${WARNING_KINDS.map((kind) => `'${kind}'`).join(", ")})
     AND h.id > COALESCE((SELECT MAX(c.id) FROM task_events c
                           WHERE c.task_id = h.task_id AND c.kind IN ('completed', 'edited')), 0)
     %TASK%
   GROUP BY h.task_id, h.kind`;

interface Row {
  task_id: string;
  kind: string;
  n: number;
  latest: number;
}

function fold(rows: Row[]): Map<string, Warnings> {
  const out = new Map<string, Warnings>();
  for (const r of rows) {
    const w = out.get(r.task_id) ?? { count: 0, kinds: {}, latest_at: 0 };
    w.count += Number(r.n);
    w.kinds[r.kind] = (w.kinds[r.kind] ?? 0) + Number(r.n);
    w.latest_at = Math.max(w.latest_at, Number(r.latest));
    out.set(r.task_id, w);
  }
  return out;
}

/** Active warnings of every task on the board (archived included), keyed by task id. */
export async function boardWarnings(k: Kernel): Promise<Map<string, Warnings>> {
  return fold(await k.db.all<Row>(ACTIVE.replace("%TASK%", "")));
}

/** Active warnings of one task, or undefined when it has none. */
export async function taskWarnings(k: Kernel, taskId: string): Promise<Warnings | undefined> {
  return fold(await k.db.all<Row>(ACTIVE.replace("%TASK%", "AND h.task_id = ?"), [taskId])).get(taskId);
}
