import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  boardPaths,
  DEFAULT_BOARD,
  type Home,
  openKernel,
  resolveHome,
  WAL_AUTOCHECKPOINT_PAGES,
} from "@switchyard/core";
import BetterSqlite3, { type Database } from "better-sqlite3";

/**
 * Boards for the benchmarks, seeded with bulk SQL in one transaction (fast) after the kernel
 * itself has created the schema, so the rows sit in exactly the tables and indexes the real
 * code reads. Ids are `t_` + 8 hex like the kernel's; times are Unix seconds.
 */

export const SEED_NOW = 1_700_000_000;
export const PROFILES = ["alice", "bob", "coder", "reviewer", "writer", "tester", "ops", "research"] as const;
const TENANTS = ["acme", "globex", null] as const;

/** The kernel's `wal_autocheckpoint`, so the bare connections write like the kernel's (also in workers/bare-cli.mjs). */
export { WAL_AUTOCHECKPOINT_PAGES };

const homes: string[] = [];

/** A fresh home in a temp dir with an initialised (empty) default board; removed by `removeHomes`. */
export async function freshHome(): Promise<Home> {
  const root = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
  homes.push(root);
  const home = resolveHome({ SWITCHYARD_HOME: root });
  await (await openKernel(boardPaths(home, DEFAULT_BOARD))).close();
  return home;
}

export function removeHomes(): void {
  for (const root of homes.splice(0)) rmSync(root, { recursive: true, force: true });
}

export function dbPathOf(home: Home): string {
  return boardPaths(home, DEFAULT_BOARD).dbPath;
}

export function taskId(i: number): string {
  return `t_${i.toString(16).padStart(8, "0")}`;
}

/** Opens a board file as a bare better-sqlite3 connection with the kernel's pragmas. */
export function rawOpen(path: string): Database {
  const db = new BetterSqlite3(path, { timeout: 30_000 });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  db.pragma("foreign_keys = ON");
  return db;
}

/** Writes the WAL back into the main file, so the board is one self-contained file. */
function checkpoint(db: Database): void {
  db.pragma("wal_checkpoint(TRUNCATE)");
}

/** Copies a seeded board file into a fresh home (cheaper than seeding the same board twice). */
export async function cloneBoard(template: string): Promise<Home> {
  const home = await freshHome();
  const target = dbPathOf(home);
  mkdirSync(dirname(target), { recursive: true });
  for (const suffix of ["-wal", "-shm"]) rmSync(`${target}${suffix}`, { force: true });
  copyFileSync(template, target);
  return home;
}

interface Statements {
  task: BetterSqlite3.Statement;
  event: BetterSqlite3.Statement;
  run: BetterSqlite3.Statement;
  link: BetterSqlite3.Statement;
  comment: BetterSqlite3.Statement;
}

function statements(db: Database): Statements {
  return {
    task: db.prepare(
      `INSERT INTO tasks (id, title, body, assignee, status, priority, created_by, created_at, started_at,
                          completed_at, claim_lock, claim_expires, tenant, result, worker_pid, last_heartbeat_at,
                          current_run_id)
       VALUES (@id, @title, @body, @assignee, @status, @priority, 'bench', @created_at, @started_at,
               @completed_at, @claim_lock, @claim_expires, @tenant, @result, @worker_pid, @last_heartbeat_at,
               @current_run_id)`,
    ),
    event: db.prepare("INSERT INTO task_events (task_id, run_id, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)"),
    run: db.prepare(
      `INSERT INTO task_runs (task_id, profile, status, claim_lock, claim_expires, worker_pid, last_heartbeat_at,
                              started_at, ended_at, outcome, summary)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    link: db.prepare("INSERT OR IGNORE INTO task_links (parent_id, child_id) VALUES (?, ?)"),
    comment: db.prepare("INSERT INTO task_comments (task_id, author, body, created_at) VALUES (?, ?, ?, ?)"),
  };
}

interface TaskSeed {
  i: number;
  status: string;
  assignee: string | null;
  tenant: string | null;
  priority: number;
}

const BODY =
  "## Goal\nMake the thing work for **every** board.\n\n- read the spec\n- write the code\n- add tests\n\nSee the linked tasks for context.";

/** Inserts one task with its events (about five), its run when it has one, as the kernel would record them. */
function insertTask(s: Statements, t: TaskSeed): void {
  const id = taskId(t.i);
  const created = SEED_NOW - 86_400 + (t.i % 80_000);
  const claimed = t.status === "running" || t.status === "done";
  const lock = claimed ? `benchhost:${1000 + (t.i % 50)}` : null;
  let runId: number | null = null;
  if (claimed) {
    runId = Number(
      s.run.run(
        id,
        t.assignee,
        t.status === "done" ? "done" : "running",
        lock,
        t.status === "running" ? SEED_NOW + 900 : null,
        t.status === "running" ? 90_000 + t.i : null,
        created + 120,
        created + 60,
        t.status === "done" ? created + 600 : null,
        t.status === "done" ? "completed" : null,
        t.status === "done" ? `finished task ${t.i}` : null,
      ).lastInsertRowid,
    );
  }
  s.task.run({
    id,
    title: `Task ${t.i}: ${t.status} work for ${t.assignee ?? "nobody"}`,
    body: BODY,
    assignee: t.assignee,
    status: t.status,
    priority: t.priority,
    created_at: created,
    started_at: claimed ? created + 60 : null,
    completed_at: t.status === "done" ? created + 600 : null,
    claim_lock: t.status === "running" ? lock : null,
    claim_expires: t.status === "running" ? SEED_NOW + 900 : null,
    tenant: t.tenant,
    result: t.status === "done" ? `finished task ${t.i}` : null,
    worker_pid: t.status === "running" ? 90_000 + t.i : null,
    last_heartbeat_at: claimed ? created + 120 : null,
    current_run_id: t.status === "running" ? runId : null,
  });
  const event = (kind: string, payload: unknown, at: number, run: number | null = null) =>
    s.event.run(id, run, kind, payload === null ? null : JSON.stringify(payload), at);
  event(
    "created",
    {
      assignee: t.assignee,
      status: t.status === "todo" ? "todo" : "ready",
      parents: [],
      tenant: t.tenant,
      skills: null,
    },
    created,
  );
  if (claimed) {
    event("claimed", { lock, expires: created + 960, run_id: runId }, created + 60, runId);
    event("spawned", { pid: 90_000 + t.i }, created + 61, runId);
    event("heartbeat", null, created + 120, runId);
    if (t.status === "done") {
      event("completed", { result_len: 20, summary: `finished task ${t.i}` }, created + 600, runId);
    } else {
      event("heartbeat", { note: "halfway" }, created + 180, runId);
    }
  } else {
    event("assigned", { assignee: t.assignee }, created + 10);
    event("reprioritized", { priority: t.priority }, created + 20);
    event("edited", null, created + 30);
    event("status", { status: t.status }, created + 40);
  }
}

/** The status mix of a living board: mostly done, a fair amount waiting, a few running or stuck. */
function mixedStatus(i: number): string {
  const m = i % 20;
  if (m < 8) return "done";
  if (m < 11) return "ready";
  if (m < 14) return "todo";
  if (m < 16) return "running";
  if (m < 17) return "blocked";
  if (m < 18) return "triage";
  if (m < 19) return "archived";
  return "done";
}

/**
 * A board of `count` tasks like a busy one: the status mix above, about five events per task,
 * a parent link on half the tasks, a comment on a third, and an active hallucination warning on
 * one task in a hundred. `archived: false` makes the archived share done instead (every card shows).
 */
export function seedMixedBoard(path: string, count: number, options: { archived?: boolean } = {}): void {
  const db = rawOpen(path);
  const s = statements(db);
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const mixed = mixedStatus(i);
      const status = mixed === "archived" && options.archived === false ? "done" : mixed;
      insertTask(s, {
        i,
        status,
        assignee: PROFILES[i % PROFILES.length] ?? null,
        tenant: TENANTS[i % TENANTS.length] ?? null,
        priority: i % 7 === 0 ? 2 : i % 3 === 0 ? 1 : 0,
      });
      if (i > 0 && i % 2 === 1) s.link.run(taskId(i - 1), taskId(i));
      if (i > 2 && i % 6 === 3) s.link.run(taskId(i - 3), taskId(i));
      if (i % 3 === 0) {
        s.comment.run(taskId(i), "reviewer", `Looked at task ${i}; see ${taskId(Math.max(0, i - 1))}.`, SEED_NOW - 500);
        s.event.run(taskId(i), null, "commented", JSON.stringify({ author: "reviewer", len: 40 }), SEED_NOW - 500);
      }
      if (i % 100 === 50) {
        s.event.run(
          taskId(i),
          null,
          "suspected_hallucinated_references",
          JSON.stringify({ phantom_refs: ["t_deadbeef"], source: "completion_summary" }),
          SEED_NOW - 400,
        );
      }
    }
  })();
  checkpoint(db);
  db.close();
}

/** `count` ready tasks, each assigned to `assignee` with its `created` event (the claim benchmark). */
export function seedReadyTasks(path: string, count: number, assignee: string): void {
  const db = rawOpen(path);
  const s = statements(db);
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      insertTask(s, { i, status: "ready", assignee, tenant: null, priority: 0 });
    }
  })();
  // The created/assigned/… events of insertTask are fine here; only the status matters to a claim.
  checkpoint(db);
  db.close();
}

/** A deterministic scramble of i (Knuth's multiplicative hash), so statuses do not follow the link offsets. */
function scatter(i: number): number {
  return Math.imul(i + 1, 2654435761) >>> 0;
}

/** Parent offsets: task i depends on i-1, i-3, i-7, i-13 and i-29 (fewer near the start). */
export const PARENT_OFFSETS = [1, 3, 7, 13, 29] as const;

/**
 * A dependency graph of `count` tasks where every task from the 29th on has five parents.
 * Seven in ten tasks are done; the rest wait in todo, so about a sixth of those have every
 * parent done and a ready recomputation promotes them. Every task is assigned to `assignee`.
 */
export function seedDag(path: string, count: number, assignee: string): void {
  const db = rawOpen(path);
  const s = statements(db);
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const status = scatter(i) % 10 < 7 ? "done" : "todo";
      insertTask(s, { i, status, assignee, tenant: null, priority: i % 5 === 0 ? 1 : 0 });
      for (const d of PARENT_OFFSETS) if (i - d >= 0) s.link.run(taskId(i - d), taskId(i));
    }
  })();
  checkpoint(db);
  db.close();
}

/** The dispatcher hosts of the fleet board (claim locks are `host:pid`, as the kernel writes them). */
export const FLEET_HOSTS = ["runner-a", "runner-b", "runner-c", "runner-d"] as const;

/** Failure kinds of a fleet board's runs that are retried, in the proportions a living fleet has them. */
const RETRIED_FAILURES = [
  "crashed",
  "crashed",
  "timed_out",
  "spawn_failed",
  "protocol_violation",
  "rate_limited",
  "reclaimed",
  "unverified",
] as const;

export interface FleetSeed {
  /** Worker runs written (claimed runs, with their events). */
  runs: number;
  tasks: number;
  ready: number;
  running: number;
  outcomes: Record<string, number>;
}

/**
 * A board of `runs` worker runs over the `days` before `now`, as the kernel records them
 * (claims.ts, failures.ts, rate-limits.ts, completion.ts): each task is claimed one to three
 * times; earlier runs fail (crashed, some without their agent ever connecting, timed out, failed
 * to spawn, protocol violations, rate limits, reclaims, unverified completions) and the last
 * completes, gives up at the failure limit, or is still running at `now`. Every run has its
 * `claimed` event, `spawned` (unless the spawn failed), a heartbeat, and its ending's event; the
 * run row carries the failure payload as metadata. Profiles' run lengths differ, `research`
 * crashes often, 1 task in 200 has a completion refused by the card gate. Then `ready` ready
 * tasks without runs (a tenth waiting out a rate-limit backoff) form the queue, and the hosts
 * have their lease rows.
 */
export function seedFleetBoard(
  path: string,
  runs: number,
  now: number,
  options: { days?: number; ready?: number } = {},
): FleetSeed {
  const days = options.days ?? 14;
  const readyCount = options.ready ?? Math.max(10, Math.round(runs / 50));
  const span = days * 86_400;
  const db = rawOpen(path);
  const s = statements(db);
  const failedRun = db.prepare(
    `INSERT INTO task_runs (task_id, profile, status, claim_lock, claim_expires, worker_pid, last_heartbeat_at,
                            started_at, ended_at, outcome, summary, metadata, error)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const retryAfter = db.prepare("UPDATE tasks SET retry_after = ?, spawn_failures = ? WHERE id = ?");
  const host = db.prepare(
    `INSERT INTO hosts (id, role, pid, profiles, max_in_progress, started_at, seen_at, expires_at)
     VALUES (?, 'runner', ?, ?, ?, ?, ?, ?)`,
  );
  const out: FleetSeed = { runs: 0, tasks: 0, ready: 0, running: 0, outcomes: {} };
  const count = (outcome: string) => {
    out.outcomes[outcome] = (out.outcomes[outcome] ?? 0) + 1;
  };
  db.transaction(() => {
    let i = 0;
    while (out.runs < runs) {
      const h = scatter(i);
      const id = taskId(i);
      const p = i % PROFILES.length;
      const assignee = PROFILES[p] as string;
      const created = now - span + Math.floor((out.runs * span) / runs);
      const planned = Math.min(runs - out.runs, h % 10 < 7 ? 1 : h % 10 < 9 ? 2 : 3);
      const crashy = assignee === "research";
      const event = (kind: string, payload: unknown, at: number, run: number | null = null) =>
        s.event.run(id, run, kind, payload === null ? null : JSON.stringify(payload), at);
      event("created", { assignee, status: "ready", parents: [], tenant: null, skills: null }, created);

      let at = created + 30 + (h % 90);
      let status = "done";
      let failures = 0;
      let currentRun: number | null = null;
      let lock: string | null = null;
      let pid: number | null = null;
      let completedAt: number | null = null;
      let result: string | null = null;
      let startedAt: number | null = null;
      for (let r = 0; r < planned; r++) {
        const hr = scatter(i * 7 + r);
        const last = r === planned - 1;
        const hostName = FLEET_HOSTS[hr % FLEET_HOSTS.length] as string;
        pid = 10_000 + ((i * 3 + r) % 50_000);
        lock = `${hostName}:${pid}`;
        const start = at;
        startedAt ??= start;
        // Run lengths by profile: from ~2 minutes (alice) to ~30 (research), ±50 %.
        const base = 120 + p * 240;
        let outcome: string = last
          ? hr % 100 < (crashy ? 80 : 94)
            ? "completed"
            : hr % 100 < 97
              ? "gave_up"
              : "blocked"
          : crashy && hr % 3 !== 0
            ? "crashed"
            : (RETRIED_FAILURES[hr % RETRIED_FAILURES.length] as string);
        if (crashy && !last) outcome = hr % 5 === 0 ? "timed_out" : outcome;
        const length =
          outcome === "spawn_failed"
            ? 1
            : outcome === "timed_out"
              ? base * 2
              : Math.floor(base * (0.5 + (hr % 1000) / 1000));
        const end = start + length;
        const expires = start + 900;
        const cause =
          outcome === "gave_up"
            ? crashy
              ? "crashed"
              : (["crashed", "timed_out", "spawn_failed"][hr % 3] as string)
            : outcome;
        const agentConnected = hr % 4 !== 0;
        if (end > now) {
          // Still running at `now`: an open run, the task running on it.
          const run = Number(
            s.run.run(id, assignee, "running", lock, now + 900, pid, now - (hr % 60), start, null, null, null)
              .lastInsertRowid,
          );
          event("claimed", { lock, expires, run_id: run }, start, run);
          event("spawned", { pid }, start + 1, run);
          if (now - start > 60) event("heartbeat", null, start + Math.floor((now - start) / 2), run);
          status = "running";
          currentRun = run;
          out.runs++;
          out.running++;
          count("running");
          break;
        }
        const failure = (): Record<string, unknown> | null => {
          switch (cause) {
            case "spawn_failed":
              return { error: `spawn ${assignee}: ENOENT`, failures: failures + 1 };
            case "crashed":
              return {
                pid,
                claimer: lock,
                failures: failures + 1,
                exit_code: 1,
                signal: null,
                ...(hr % 2 === 0
                  ? { error: "worker exited 1", agent_connected: agentConnected, agent_tools: agentConnected ? 4 : 0 }
                  : {}),
              };
            case "timed_out":
              return { pid, elapsed_seconds: length, limit_seconds: base * 2, sigkill: false, failures: failures + 1 };
            case "protocol_violation":
              return {
                pid,
                exit_code: 0,
                signal: null,
                failures: failures + 1,
                error: "exited without completing",
                agent_connected: agentConnected,
                agent_tools: agentConnected ? 2 : 0,
              };
            case "unverified":
              return {
                phase: "verify",
                refused: [],
                verified: [],
                checks: [],
                summary_preview: "done",
                failures: failures + 1,
              };
            default:
              return null;
          }
        };
        let metadata: Record<string, unknown> | null = null;
        let error: string | null = null;
        const runStatus = outcome === "completed" ? "done" : outcome;
        if (outcome === "completed" || outcome === "blocked") {
          error = null;
        } else if (outcome === "rate_limited") {
          metadata = {
            pid,
            exit_code: 75,
            status: "ready",
            retry_after: end + 60,
            delay_seconds: 60,
            rate_limits: 1,
          };
          error = `worker pid ${pid} exited 75 (rate-limited); retrying after 60s`;
        } else if (outcome === "reclaimed") {
          error = `manual_reclaim lock=${lock}`;
        } else {
          metadata = failure();
          error = `${cause}: run ${r + 1} of ${id}`;
        }
        const summary = outcome === "completed" ? `finished ${id}` : outcome === "blocked" ? "needs a person" : null;
        const run = Number(
          failedRun.run(
            id,
            assignee,
            runStatus,
            lock,
            null,
            pid,
            end - 1,
            start,
            end,
            outcome,
            summary,
            metadata === null ? null : JSON.stringify(metadata),
            error,
          ).lastInsertRowid,
        );
        out.runs++;
        count(outcome);
        event("claimed", { lock, expires, run_id: run }, start, run);
        if (outcome !== "spawn_failed" && !(outcome === "gave_up" && cause === "spawn_failed")) {
          event("spawned", { pid }, start + 1, run);
          if (length > 60) event("heartbeat", null, start + Math.floor(length / 2), run);
        }
        if (i % 200 === 17 && outcome === "completed") {
          // The card gate refused a first completion (the event names no run).
          event(
            "completion_blocked_hallucination",
            { phantom_cards: ["t_deadbeef"], verified_cards: [], summary_preview: "done" },
            end - 5,
          );
        }
        switch (outcome) {
          case "completed":
            completedAt = end;
            result = `finished ${id}`;
            event("completed", { result_len: result.length, summary: result }, end, run);
            break;
          case "blocked":
            event("blocked", { reason: "needs a person" }, end, run);
            break;
          case "gave_up":
            failures++;
            event("gave_up", { failures, error, cause }, end, run);
            break;
          case "rate_limited":
            event("rate_limited", metadata, end, run);
            break;
          case "reclaimed":
            event(
              "reclaimed",
              { manual: true, reason: null, prev_lock: lock, prev_pid: pid, status: "ready" },
              end,
              run,
            );
            break;
          case "unverified":
            failures++;
            event("completion_blocked_unverified", { ...metadata, status: "ready" }, end, run);
            break;
          default:
            failures++;
            event(outcome, { ...metadata, status: "ready" }, end, run);
        }
        if (outcome === "completed") status = "done";
        else if (outcome === "gave_up" || outcome === "blocked") status = "blocked";
        at = end + 20 + (hr % 40);
      }
      s.task.run({
        id,
        title: `Fleet task ${i} for ${assignee}`,
        body: BODY,
        assignee,
        status,
        priority: i % 7 === 0 ? 1 : 0,
        created_at: created,
        started_at: startedAt,
        completed_at: completedAt,
        claim_lock: status === "running" ? lock : null,
        claim_expires: status === "running" ? now + 900 : null,
        tenant: null,
        result,
        worker_pid: status === "running" ? pid : null,
        last_heartbeat_at: status === "running" ? now - 30 : null,
        current_run_id: currentRun,
      });
      if (failures > 0) retryAfter.run(null, failures, id);
      out.tasks++;
      i++;
    }
    // The queue: ready tasks without runs, from the last two days; a tenth wait out a rate limit.
    for (let j = 0; j < readyCount; j++, i++) {
      const id = taskId(i);
      const assignee = j % 11 === 10 ? null : (PROFILES[j % PROFILES.length] as string);
      const created = now - 2 * 86_400 + Math.floor((j * 2 * 86_400) / readyCount);
      s.task.run({
        id,
        title: `Queued task ${j} for ${assignee ?? "nobody"}`,
        body: BODY,
        assignee,
        status: "ready",
        priority: j % 5 === 0 ? 1 : 0,
        created_at: created,
        started_at: null,
        completed_at: null,
        claim_lock: null,
        claim_expires: null,
        tenant: null,
        result: null,
        worker_pid: null,
        last_heartbeat_at: null,
        current_run_id: null,
      });
      s.event.run(
        id,
        null,
        "created",
        JSON.stringify({ assignee, status: "ready", parents: [], tenant: null, skills: null }),
        created,
      );
      if (j % 10 === 3) retryAfter.run(now + 300, 0, id);
      out.ready++;
    }
    for (const [n, name] of FLEET_HOSTS.entries()) {
      host.run(name, 4000 + n, JSON.stringify(PROFILES), 8, now - span, now - 5, now + 55);
    }
  })();
  checkpoint(db);
  db.close();
  return out;
}
