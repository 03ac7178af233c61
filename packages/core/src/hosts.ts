import type { Host } from "@switchyard/contract";
import { appendEvent } from "./events.ts";
import type { Kernel } from "./kernel.ts";

/**
 * Dispatcher hosts and their leases (SPEC §13, decision 020). Every dispatcher working a board
 * (`serve` with its dispatcher, or `runner`) keeps a row in `hosts` under its host id, renewed
 * by its heartbeat. Liveness across machines comes from leases, never from pids: a host whose
 * lease has passed is gone, and `releaseStaleClaims` releases the claims it held, so another
 * host takes its tasks. A pid means something only on the host that started it.
 */

/** What a host says of itself with each heartbeat. */
export interface HostBeat {
  role: Host["role"];
  /** The profiles this host can start (capability routing). */
  profiles: readonly string[];
  /** This host's own cap on running workers (null: only the board's caps). */
  maxInProgress: number | null;
  /** How long the host counts as alive after this beat, in seconds. */
  leaseSeconds: number;
  /** When this process started working the board (Unix seconds). */
  startedAt: number;
}

/**
 * The claim lock `host:pid` belongs to the host `h` (SQL over `tasks` aliased `t` and `hosts`
 * aliased `h`): portable, and exact for any host id (no LIKE wildcards).
 */
export const LOCK_OF_HOST_SQL = "substr(t.claim_lock, 1, length(h.id) + 1) = h.id || ':'";

/** Renews this host's lease on the board (the kernel's `host` is the host id). */
export async function heartbeatHost(k: Kernel, beat: HostBeat): Promise<void> {
  const now = k.clock.now();
  await k.write((k) =>
    k.db.run(
      `INSERT INTO hosts (id, role, pid, profiles, max_in_progress, started_at, seen_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET role = excluded.role, pid = excluded.pid, profiles = excluded.profiles,
         max_in_progress = excluded.max_in_progress, started_at = excluded.started_at,
         seen_at = excluded.seen_at, expires_at = excluded.expires_at`,
      [
        k.host,
        beat.role,
        k.pid,
        JSON.stringify([...beat.profiles].sort()),
        beat.maxInProgress,
        beat.startedAt,
        now,
        now + beat.leaseSeconds,
      ],
    ),
  );
}

/**
 * A host that stops cleanly leaves: its row goes, and its claims keep their own expiry (its
 * workers may still be running and finishing; a host that comes back under the same id finds
 * them by pid). Only this process's row is removed, never a newer process's under the same id.
 */
export async function leaveHost(k: Kernel): Promise<void> {
  await k.write((k) => k.db.run("DELETE FROM hosts WHERE id = ? AND pid = ?", [k.host, k.pid]));
}

interface HostRow {
  id: string;
  role: string;
  pid: number;
  profiles: string;
  max_in_progress: number | null;
  started_at: number;
  seen_at: number;
  expires_at: number;
  running: number;
}

function parseProfiles(text: string): string[] {
  try {
    const list = JSON.parse(text) as unknown;
    return Array.isArray(list) ? list.filter((p): p is string => typeof p === "string") : [];
  } catch {
    return [];
  }
}

/** Every host that has worked the board and not left, alive or expired, with what it runs now. */
export async function listHosts(k: Kernel): Promise<Host[]> {
  const rows = await k.db.all<HostRow>(
    `SELECT h.id, h.role, h.pid, h.profiles, h.max_in_progress, h.started_at, h.seen_at, h.expires_at,
            (SELECT COUNT(*) FROM tasks t WHERE t.status = 'running' AND ${LOCK_OF_HOST_SQL}) AS running
       FROM hosts h ORDER BY h.id`,
  );
  const now = k.clock.now();
  return rows.map((r) => ({
    id: r.id,
    role: r.role === "runner" ? "runner" : "serve",
    pid: Number(r.pid),
    profiles: parseProfiles(r.profiles),
    max_in_progress: r.max_in_progress === null ? null : Number(r.max_in_progress),
    started_at: Number(r.started_at),
    seen_at: Number(r.seen_at),
    expires_at: Number(r.expires_at),
    running: Number(r.running),
    expired: Number(r.expires_at) < now,
  }));
}

/**
 * Runs whose end already tells what became of the worker's processes: its own exit was recorded
 * (a crash, a protocol violation, a rate limit, a failure that gave up), or the stop was this
 * host's own enforcement and `timed_out` carries it. What such a worker leaves in its group is
 * cleaned up as part of that end (issue 13), with no acknowledgement of its own.
 */
const END_RECORDS_THE_WORKER: ReadonlySet<string> = new Set([
  "crashed",
  "protocol_violation",
  "rate_limited",
  "timed_out",
  "spawn_failed",
  "gave_up",
]);

/**
 * The acknowledgement of a stop (SPEC §13): the host the worker of an ended run ran on stopped
 * its process tree. Appended on the task, under the run that ended, when the run was ended by
 * someone other than the worker's exit (a reclaim or reassign from any host, a lost host, or a
 * worker that lingered after completing or blocking). Returns whether it was appended.
 */
export async function recordWorkerStopped(
  k: Kernel,
  worker: { task_id: string; run_id: number | null; pid: number },
  result: { stopped: boolean; sigkill: boolean },
): Promise<boolean> {
  return k.write(async (k) => {
    if (worker.run_id !== null) {
      const run = await k.db.get<{ outcome: string | null }>("SELECT outcome FROM task_runs WHERE id = ?", [
        worker.run_id,
      ]);
      if (run?.outcome != null && END_RECORDS_THE_WORKER.has(run.outcome)) return false;
    }
    await appendEvent(
      k,
      worker.task_id,
      "worker_stopped",
      { host: k.host, pid: worker.pid, run_id: worker.run_id, sigkill: result.sigkill, stopped: result.stopped },
      worker.run_id,
    );
    return true;
  });
}
