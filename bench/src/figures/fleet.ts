import type { FleetFigures } from "@switchyard/contract";
import { FLEET_RUNS_MAX } from "@switchyard/core";
import type { Database } from "better-sqlite3";
import { benchApp } from "../app.ts";
import { type Figure, figure, median, p95, progress, round, sample } from "../report.ts";
import { dbPathOf, freshHome, rawOpen, seedFleetBoard } from "../seed.ts";

/**
 * Issue 19 item 4: `GET /fleet` on a board with 100,000 worker runs over 14 days (seed.ts's
 * `seedFleetBoard`: mixed outcomes, hosts and profiles, with the events the kernel writes), through
 * the real Hono app in process (`app.request`, body read to the end, as figure 2 calls GET /board),
 * for a 24-hour and a 7-day window. Baseline: bare better-sqlite3 computing the same figures with
 * plain SQL: running now per profile and host, the window's ended runs per profile and host with
 * their failures by kind and their durations (sorted for the percentiles) in one pass, refused
 * completions, the timeline's newest runs with their titles, completions per hour and their cycle
 * times (one pass), the ready queue per assignee, pauses and hosts. Target: ratio <= 1.5.
 */

const URL_FLEET = "http://127.0.0.1/api/plugins/kanban/fleet";
const HOUR = 3600;

const WINDOWS = [
  { name: "24h", seconds: 86_400, reps: 15 },
  { name: "7d", seconds: 7 * 86_400, reps: 9 },
] as const;

/** Linear interpolation between ranks, as core's `quantile` (numpy's default). */
function quantile(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const a = sorted[lo] as number;
  const b = sorted[Math.ceil(pos)] as number;
  return Math.round((a + (b - a) * (pos - lo)) * 100) / 100;
}

interface BareGroup {
  running: number;
  runs: number;
  done: number;
  failures: number[];
  durations: number[];
  median: number | null;
  p90: number | null;
}

/** The failure kind of an ended run, in SQL: the same rule as core's `failureOf`. */
const FAILURE_SQL = `
  CASE COALESCE(CASE WHEN r.outcome = 'gave_up' THEN
         json_extract((SELECT e.payload FROM task_events e WHERE e.run_id = r.id AND e.kind = 'gave_up'
                        ORDER BY e.id DESC LIMIT 1), '$.cause') END, r.outcome)
    WHEN 'spawn_failed' THEN 0
    WHEN 'timed_out' THEN 2
    WHEN 'crashed' THEN CASE WHEN json_extract(r.metadata, '$.agent_connected') = 0 THEN 3 ELSE 1 END
    WHEN 'protocol_violation' THEN CASE WHEN json_extract(r.metadata, '$.agent_connected') = 0 THEN 3 ELSE 4 END
  END`;

/** Bare better-sqlite3 statements computing the fleet figures of a window, plainly. */
function bareFleet(db: Database) {
  const host = "substr(claim_lock, 1, instr(claim_lock, ':') - 1)";
  const running = db
    .prepare(`SELECT assignee, ${host}, COUNT(*) FROM tasks WHERE status = 'running' GROUP BY 1, 2`)
    .raw();
  // One pass over the window's ended runs: group, duration, completed or not, failure kind.
  const ended = db
    .prepare(
      `SELECT r.profile, substr(r.claim_lock, 1, instr(r.claim_lock, ':') - 1), r.ended_at - r.started_at,
              r.outcome = 'completed', ${FAILURE_SQL}
         FROM task_runs r WHERE r.ended_at BETWEEN ? AND ? AND r.claim_lock IS NOT NULL`,
    )
    .raw();
  const refused = db
    .prepare(
      `SELECT r.profile, substr(r.claim_lock, 1, instr(r.claim_lock, ':') - 1), COUNT(*)
         FROM task_events e
         JOIN task_runs r ON r.id = COALESCE(e.run_id,
              (SELECT r2.id FROM task_runs r2 WHERE r2.task_id = e.task_id AND r2.started_at <= e.created_at
                ORDER BY r2.started_at DESC, r2.id DESC LIMIT 1))
        WHERE e.kind IN ('completion_blocked_hallucination', 'completion_blocked_unverified')
          AND e.created_at BETWEEN ? AND ? AND r.claim_lock IS NOT NULL
        GROUP BY 1, 2`,
    )
    .raw();
  const timeline = db
    .prepare(
      `SELECT r.id, r.task_id, t.title, r.profile, r.claim_lock, r.started_at, r.ended_at, r.outcome
         FROM (SELECT id, task_id, profile, claim_lock, started_at, ended_at, outcome FROM task_runs
                WHERE claim_lock IS NOT NULL AND started_at <= ? AND (ended_at IS NULL OR ended_at >= ?)
                ORDER BY started_at DESC, id DESC LIMIT ?) r
         LEFT JOIN tasks t ON t.id = r.task_id
        ORDER BY r.started_at DESC, r.id DESC`,
    )
    .raw();
  const completions = db
    .prepare(
      `SELECT e.created_at, e.created_at - t.created_at FROM task_events e JOIN tasks t ON t.id = e.task_id
        WHERE e.kind = 'completed' AND e.created_at BETWEEN ? AND ?`,
    )
    .raw();
  const queue = db
    .prepare(
      `SELECT assignee, COUNT(*), MIN(created_at), SUM(retry_after > ?), MIN(CASE WHEN retry_after > ? THEN retry_after END)
         FROM tasks WHERE status = 'ready' AND claim_lock IS NULL GROUP BY assignee`,
    )
    .raw();
  const pauses = db.prepare("SELECT * FROM profile_pauses WHERE resumed_at IS NULL").raw();
  const hosts = db.prepare("SELECT * FROM hosts ORDER BY id").raw();

  return (since: number, now: number) => {
    const profiles = new Map<string, BareGroup>();
    const byHost = new Map<string, BareGroup>();
    const group = (map: Map<string, BareGroup>, key: unknown): BareGroup | null => {
      if (typeof key !== "string" || key === "") return null;
      let g = map.get(key);
      if (!g) {
        g = { running: 0, runs: 0, done: 0, failures: [0, 0, 0, 0, 0, 0], durations: [], median: null, p90: null };
        map.set(key, g);
      }
      return g;
    };
    const both = (profile: unknown, h: unknown, fn: (g: BareGroup) => void) => {
      const a = group(profiles, profile);
      if (a) fn(a);
      const b = group(byHost, h);
      if (b) fn(b);
    };
    for (const [p, h, n] of running.all() as [string, string, number][]) both(p, h, (g) => (g.running += n));
    for (const [p, h, d, done, f] of ended.all(since, now) as [string, string, number, number, number | null][]) {
      both(p, h, (g) => {
        g.runs++;
        g.done += done;
        if (f !== null) g.failures[f] = (g.failures[f] as number) + 1;
        g.durations.push(d);
      });
    }
    for (const [p, h, n] of refused.all(since, now) as [string, string, number][]) {
      both(p, h, (g) => (g.failures[5] = (g.failures[5] as number) + n));
    }
    for (const g of [...profiles.values(), ...byHost.values()]) {
      const sorted = Float64Array.from(g.durations).sort();
      g.median = quantile(sorted, 0.5);
      g.p90 = quantile(sorted, 0.9);
    }
    const runs = timeline.all(now, since, FLEET_RUNS_MAX + 1);
    const hours = Math.floor(now / HOUR) - Math.floor(since / HOUR) + 1;
    const size = HOUR * Math.max(1, Math.ceil(hours / (24 * 31)));
    const first = Math.floor(since / size) * size;
    const buckets = new Array<number>(Math.floor(now / size) - first / size + 1).fill(0);
    const cycles: number[] = [];
    for (const [at, c] of completions.all(since, now) as [number, number][]) {
      const b = Math.floor((at - first) / size);
      buckets[b] = (buckets[b] ?? 0) + 1;
      cycles.push(c);
    }
    const sortedCycles = Float64Array.from(cycles).sort();
    return {
      profiles,
      hosts: byHost,
      runs: Math.min(runs.length, FLEET_RUNS_MAX),
      buckets: buckets.length,
      done: cycles.length,
      cycle: { median: quantile(sortedCycles, 0.5), p90: quantile(sortedCycles, 0.9) },
      queue: queue.all(now, now).length,
      pauses: pauses.all().length,
      hostRows: hosts.all().length,
    };
  };
}

/** Where the endpoint's figures and the baseline's differ (the baseline must do the same work). */
function differences(api: FleetFigures, bare: ReturnType<ReturnType<typeof bareFleet>>): string[] {
  const out: string[] = [];
  const kinds = ["spawn_failed", "crashed", "timed_out", "never_connected", "protocol_violation", "completion_refused"];
  const check = (what: string, a: unknown, b: unknown) => {
    if (a !== b) out.push(`${what}: api ${String(a)}, bare ${String(b)}`);
  };
  for (const p of api.profiles) {
    const g = bare.profiles.get(p.profile);
    if (!g) {
      if (p.runs > 0 || p.running > 0) out.push(`profile ${p.profile} missing in bare`);
      continue;
    }
    check(`${p.profile} running`, p.running, g.running);
    check(`${p.profile} runs`, p.runs, g.runs);
    check(`${p.profile} done`, p.done, g.done);
    check(`${p.profile} median`, p.duration_seconds.median, g.median);
    check(`${p.profile} p90`, p.duration_seconds.p90, g.p90);
    kinds.forEach((kind, f) => {
      check(`${p.profile} ${kind}`, p.failures[kind as keyof typeof p.failures].count, g.failures[f]);
    });
  }
  for (const h of api.hosts) {
    const g = bare.hosts.get(h.host);
    if (g) check(`${h.host} runs`, h.runs, g.runs);
  }
  check("timeline runs", api.runs.length, bare.runs);
  check("done", api.throughput.done, bare.done);
  check("cycle median", api.throughput.cycle_time_seconds.median, bare.cycle.median);
  check("queue rows", api.queue.length, bare.queue);
  return out;
}

export async function fleetFigures(quick: boolean): Promise<Figure[]> {
  const runs = quick ? 10_000 : 100_000;
  const home = await freshHome();
  const seededAt = Math.floor(Date.now() / 1000);
  progress(`fleet: seeding ${runs} runs over 14 days`);
  const t0 = performance.now();
  const seed = seedFleetBoard(dbPathOf(home), runs, seededAt);
  progress(`fleet: seeded ${seed.tasks + seed.ready} tasks in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const { app, close } = benchApp(home);
  const db = rawOpen(dbPathOf(home));
  const bare = bareFleet(db);
  const out: Figure[] = [];
  try {
    for (const w of WINDOWS) {
      const since = seededAt - w.seconds;
      let bytes = 0;
      let last: FleetFigures | null = null;
      const get = async () => {
        const res = await app.request(`${URL_FLEET}?since=${since}`, { headers: { host: "127.0.0.1" } });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`GET /fleet answered ${res.status}: ${text.slice(0, 200)}`);
        bytes = text.length;
        last = JSON.parse(text) as FleetFigures;
      };
      let bareResult: ReturnType<typeof bare> | null = null;
      const bareOnce = () => {
        bareResult = bare(since, Math.floor(Date.now() / 1000));
      };
      progress(`fleet: GET /fleet since ${w.name}, ${w.reps} times, and the bare aggregates`);
      // Interleaved rounds, so that the machine's drifting load hits both alike.
      const api: number[] = [];
      const base: number[] = [];
      await get();
      bareOnce();
      for (let i = 0; i < w.reps; i++) {
        api.push(...(await sample(1, get, 0)));
        base.push(...(await sample(1, bareOnce, 0)));
      }
      const f = last as FleetFigures | null;
      const b = bareResult as ReturnType<typeof bare> | null;
      const diff = f && b ? differences(f, b) : ["no result"];
      if (diff.length > 0) progress(`fleet: the endpoint and the baseline disagree: ${diff.slice(0, 5).join("; ")}`);
      const ended = f ? f.profiles.reduce((n, p) => n + p.runs, 0) : 0;
      out.push(
        figure(`fleet_100k_runs_${w.name}`, median(api), "ms", median(base), {
          board_runs: seed.runs,
          board_tasks: seed.tasks + seed.ready,
          window_seconds: w.seconds,
          window_runs_ended: ended,
          timeline_runs: f?.runs.length ?? 0,
          timeline_truncated: f?.runs_truncated ?? null,
          p95: round(p95(api)),
          baseline_p95: round(p95(base)),
          response_bytes: bytes,
          samples: w.reps,
          target_ratio: 1.5,
          same_figures: diff.length === 0 ? true : diff.slice(0, 10),
          via: "createApp + app.request (in process), interleaved with the bare aggregates",
        }),
      );
    }
  } finally {
    db.close();
    await close();
  }
  out.push(
    figure("fleet_seed_100k_runs", seed.runs, "runs", null, {
      tasks: seed.tasks,
      ready: seed.ready,
      running: seed.running,
      outcomes: seed.outcomes,
    }),
  );
  return out;
}
