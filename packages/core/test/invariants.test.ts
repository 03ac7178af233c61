import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blockTask, unblockTask } from "../src/blocking.ts";
import { claimTask, heartbeatWorker, releaseStaleClaims, setWorkerPid } from "../src/claims.ts";
import { createManualClock, createSequentialIds, type ManualClock } from "../src/clock.ts";
import { completeTask } from "../src/completion.ts";
import { CoreError } from "../src/errors.ts";
import { type FailureKind, recordFailure } from "../src/failures.ts";
import { createKernel, type Kernel, openKernel } from "../src/kernel.ts";
import { linkTasks, recomputeReady, unlinkTasks, waitingOn } from "../src/links.ts";
import { archiveTask, moveTask, setStatusDirect } from "../src/moves.ts";
import { patchTask } from "../src/patch.ts";
import { boardPaths, DEFAULT_BOARD, resolveHome } from "../src/paths.ts";
import { reassignTask, reclaimTask } from "../src/recovery.ts";
import { createSqliteDriver } from "../src/storage/sqlite.ts";
import { openDatabase } from "../src/storage/sqlite-file.ts";
import { assignTask, createTask, getTask, setPriority } from "../src/tasks.ts";
import { testDatabaseUrl } from "./fixtures.ts";
import { invariantViolations } from "./invariants.ts";

/**
 * Random sequences of kernel operations, each on a fresh board, with the invariants I1–I9
 * (reference §14.8, I4 and I9 as Switchyard has them) and Switchyard's I10 and I11 checked after
 * every step, and a parked task never moved on but by a person. A refusal (CoreError)
 * is allowed but must leave the board exactly as it was; anything else thrown is a failure.
 * The seed is fixed, so a failure is reproducible, and fast-check shrinks it to a short
 * sequence before reporting it.
 */

const SEED = 20_260_521;
/**
 * Sequences per run: 300 on SQLite in memory; on PostgreSQL (core-postgres) every statement is
 * a round trip to the server and each sequence a new schema, so the same generator and seed run
 * its first 100 there, which keeps the suite's time on a 2-core machine.
 */
const RUNS = testDatabaseUrl() ? 100 : 300;
const NOW = 1_700_000_000;
const PROFILES = [null, "alice", "Bob", "carol"] as const;
const FAILURE_KINDS: FailureKind[] = ["spawn_failed", "crashed", "timed_out", "protocol_violation"];
const MOVE_STATUSES = ["triage", "todo", "ready", "running", "blocked", "done", "archived"] as const;

/** Which run a worker call claims to come from. */
type RunRef = "current" | "none" | "stale";

type Op =
  | { kind: "create"; parents: readonly number[]; triage: boolean; assignee: number }
  | { kind: "link"; parent: number; child: number }
  | { kind: "unlink"; edge: number }
  | { kind: "claim"; task: number; ttl: number }
  | { kind: "spawn"; task: number; pid: number }
  | { kind: "heartbeat"; task: number; run: RunRef }
  | { kind: "complete"; task: number; run: RunRef; handoff: boolean }
  | { kind: "block"; task: number; run: RunRef; reason: boolean }
  | { kind: "unblock"; task: number }
  | { kind: "archive"; task: number }
  | { kind: "reclaim"; task: number }
  | { kind: "reassign"; task: number; assignee: number; reclaimFirst: boolean }
  | { kind: "assign"; task: number; assignee: number }
  | { kind: "priority"; task: number; priority: number }
  | { kind: "direct"; task: number; status: "triage" | "todo" | "ready" }
  | { kind: "move"; task: number; status: (typeof MOVE_STATUSES)[number] }
  | {
      kind: "patch";
      task: number;
      assignee: number | null;
      status: (typeof MOVE_STATUSES)[number] | null;
      priority: number | null;
    }
  | { kind: "releaseStale"; advance: number }
  | { kind: "failure"; task: number; failure: number; run: RunRef; limit: number }
  | { kind: "recompute" }
  | { kind: "tick"; seconds: number };

const task = fc.nat(1_000);
const runRef = fc.constantFrom<RunRef>("current", "current", "none", "stale");
const profile = fc.nat(PROFILES.length - 1);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("create" as const),
      parents: fc.oneof(fc.constant<number[]>([]), fc.array(fc.nat(1_000), { maxLength: 3 })),
      triage: fc.nat(9).map((n) => n === 0),
      assignee: profile,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("link" as const), parent: task, child: task }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("unlink" as const), edge: fc.nat(1_000) }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("claim" as const), task, ttl: fc.constantFrom(60, 900) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("spawn" as const), task, pid: fc.integer({ min: 100, max: 9_999 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("heartbeat" as const), task, run: runRef }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("complete" as const), task, run: runRef, handoff: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("block" as const), task, run: runRef, reason: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("unblock" as const), task }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("archive" as const), task }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("reclaim" as const), task }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("reassign" as const),
      task,
      assignee: profile,
      reclaimFirst: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("assign" as const), task, assignee: profile }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("priority" as const), task, priority: fc.integer({ min: -5, max: 5 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("direct" as const),
      task,
      status: fc.constantFrom("triage" as const, "todo" as const, "ready" as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("move" as const), task, status: fc.constantFrom(...MOVE_STATUSES) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("patch" as const),
      task,
      assignee: fc.option(profile),
      status: fc.option(fc.constantFrom(...MOVE_STATUSES)),
      priority: fc.option(fc.integer({ min: -5, max: 5 })),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("releaseStale" as const),
      advance: fc.constantFrom(0, 30, 61, 899, 901, 2_000),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("failure" as const),
      task,
      failure: fc.nat(FAILURE_KINDS.length - 1),
      run: runRef,
      limit: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("recompute" as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("tick" as const), seconds: fc.integer({ min: 1, max: 120 }) }),
  },
);

const UNKNOWN = "t_deadbeef";
const READY = ["ready"];
const RUNNING = ["running"];
const BLOCKED = ["blocked"];

type Change = `${string}>${string}`;
const PROMOTED: Change = "todo>ready";
const DEMOTED: Change = "ready>todo";

/**
 * The status changes each operation may make (reference §2.3 with SPEC §3's fixes): to the task
 * it was aimed at, and to any other task (children promoted or demoted as a side effect).
 */
function allowedChanges(op: Op): { target: Change[]; others: Change[] } {
  const to = (froms: readonly string[], status: string) => froms.map((f): Change => `${f}>${status}`);
  const all = MOVE_STATUSES;
  switch (op.kind) {
    case "create":
    case "spawn":
    case "heartbeat":
    case "assign":
    case "priority":
    case "tick":
      return { target: [], others: [] };
    case "link":
      return { target: [DEMOTED], others: [] };
    case "unlink":
      return { target: [PROMOTED], others: [] };
    case "claim":
      return { target: ["ready>running"], others: [] };
    case "complete":
      return { target: to(["running", "ready", "blocked"], "done"), others: [PROMOTED] };
    case "block":
      return { target: to(["running", "ready"], "blocked"), others: [] };
    case "unblock":
      return { target: ["blocked>ready"], others: [] };
    case "archive":
      return { target: to(all, "archived"), others: [PROMOTED] };
    case "reclaim":
    case "reassign":
      return { target: [...to(["running", "blocked"], "ready"), "running>todo"], others: [] };
    case "direct":
      return { target: to(all, op.status), others: [DEMOTED] };
    case "move":
      return { target: to(all, op.status), others: [PROMOTED, DEMOTED] };
    case "patch":
      return { target: op.status === null ? [] : to(all, op.status), others: [PROMOTED, DEMOTED] };
    case "releaseStale":
      return { target: [], others: ["running>ready", "running>todo"] };
    case "failure":
      return { target: ["running>ready", "running>todo", "running>blocked"], others: [] };
    case "recompute":
      return { target: [], others: [PROMOTED] };
  }
}

class Board {
  readonly ids: string[] = [];

  constructor(
    readonly k: Kernel,
    readonly clock: ManualClock,
  ) {}

  /**
   * An existing task most of the time, now and then an id that does not exist. With `prefer`,
   * two picks in three come from the tasks in those statuses (when there are any), so that
   * worker calls mostly meet running tasks and unblocks blocked ones.
   */
  async pick(n: number, prefer?: readonly string[]): Promise<string> {
    if (this.ids.length === 0 || n % 17 === 16) return UNKNOWN;
    if (prefer && n % 3 !== 0) {
      const marks = prefer.map(() => "?").join(", ");
      const rows = await this.k.db.all<{ id: string }>(
        `SELECT id FROM tasks WHERE status IN (${marks}) ORDER BY id`,
        prefer,
      );
      if (rows.length > 0) return rows[Math.floor(n / 3) % rows.length]?.id ?? UNKNOWN;
    }
    return this.ids[n % this.ids.length] as string;
  }

  async runId(id: string, ref: RunRef): Promise<number | null> {
    if (ref === "none") return null;
    const current = (await getTask(this.k, id))?.current_run_id ?? null;
    if (ref === "current") return current;
    const stale = await this.k.db.get<{ id: number }>(
      "SELECT id FROM task_runs WHERE task_id = ? AND id IS DISTINCT FROM CAST(? AS BIGINT) ORDER BY id DESC LIMIT 1",
      [id, current],
    );
    return stale?.id ?? (current === null ? 999_999 : current + 1_000);
  }

  /** Applies one operation; returns the task it was aimed at, if any. */
  async apply(op: Op): Promise<string | null> {
    const k = this.k;
    switch (op.kind) {
      case "create": {
        const parents: string[] = [];
        for (const p of op.parents) parents.push(await this.pick(p));
        const id = (
          await createTask(k, {
            title: `task ${this.ids.length}`,
            parents,
            triage: op.triage,
            assignee: PROFILES[op.assignee],
          })
        ).task.id;
        this.ids.push(id);
        return id;
      }
      case "link": {
        const child = await this.pick(op.child);
        await linkTasks(k, await this.pick(op.parent), child);
        return child;
      }
      case "unlink": {
        const edges = await k.db.all<{ parent_id: string; child_id: string }>(
          "SELECT parent_id, child_id FROM task_links ORDER BY parent_id, child_id",
        );
        const edge = edges[op.edge % Math.max(edges.length, 1)];
        await unlinkTasks(k, edge?.parent_id ?? UNKNOWN, edge?.child_id ?? UNKNOWN);
        return edge?.child_id ?? null;
      }
      case "claim": {
        const id = await this.pick(op.task, READY);
        await claimTask(k, id, { ttl: op.ttl });
        return id;
      }
      case "spawn": {
        const id = await this.pick(op.task, RUNNING);
        const run = await this.runId(id, "current");
        if (run !== null) await setWorkerPid(k, id, run, op.pid);
        return id;
      }
      case "heartbeat": {
        const id = await this.pick(op.task, RUNNING);
        await heartbeatWorker(k, id, { runId: await this.runId(id, op.run), note: "still going" });
        return id;
      }
      case "complete": {
        const id = await this.pick(op.task, RUNNING);
        await completeTask(k, id, {
          runId: await this.runId(id, op.run),
          ...(op.handoff ? { summary: "did the thing", result: "ok", metadata: { files: 2 } } : {}),
        });
        return id;
      }
      case "block": {
        const id = await this.pick(op.task, RUNNING);
        await blockTask(k, id, { runId: await this.runId(id, op.run), reason: op.reason ? "needs a decision" : null });
        return id;
      }
      case "unblock": {
        const id = await this.pick(op.task, BLOCKED);
        await unblockTask(k, id);
        return id;
      }
      case "archive": {
        const id = await this.pick(op.task);
        await archiveTask(k, id);
        return id;
      }
      case "reclaim": {
        const id = await this.pick(op.task, RUNNING);
        await reclaimTask(k, id, { reason: "operator" });
        return id;
      }
      case "reassign": {
        const id = await this.pick(op.task, RUNNING);
        await reassignTask(k, id, PROFILES[op.assignee] ?? null, { reclaimFirst: op.reclaimFirst });
        return id;
      }
      case "assign": {
        const id = await this.pick(op.task);
        await assignTask(k, id, PROFILES[op.assignee] ?? null);
        return id;
      }
      case "priority": {
        const id = await this.pick(op.task);
        await setPriority(k, id, op.priority);
        return id;
      }
      case "direct": {
        const id = await this.pick(op.task);
        await setStatusDirect(k, id, op.status);
        return id;
      }
      case "move": {
        const id = await this.pick(op.task);
        await moveTask(k, id, { status: op.status, result: "moved", block_reason: "moved to blocked" });
        return id;
      }
      case "patch": {
        const id = await this.pick(op.task);
        await patchTask(k, id, {
          ...(op.assignee === null ? {} : { assignee: PROFILES[op.assignee] ?? null }),
          ...(op.status === null ? {} : { status: op.status }),
          ...(op.priority === null ? {} : { priority: op.priority }),
          ...(op.status === "done" ? { result: "patched" } : {}),
          ...(op.status === "blocked" ? { block_reason: "patched to blocked" } : {}),
        });
        return id;
      }
      case "releaseStale":
        this.clock.advance(op.advance);
        await releaseStaleClaims(k);
        return null;
      case "failure": {
        const id = await this.pick(op.task, RUNNING);
        const kind = FAILURE_KINDS[op.failure] ?? "crashed";
        await recordFailure(
          k,
          id,
          { kind, error: `${kind} in the property test`, runId: await this.runId(id, op.run) },
          op.limit,
        );
        return id;
      }
      case "recompute":
        await recomputeReady(k);
        return null;
      case "tick":
        this.clock.advance(op.seconds);
        return null;
    }
  }

  async statuses(): Promise<Map<string, string>> {
    const rows = await this.k.db.all<{ id: string; status: string }>("SELECT id, status FROM tasks ORDER BY id");
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  /** Everything a refusal must leave alone. */
  async snapshot(): Promise<string> {
    const k = this.k;
    return JSON.stringify([
      await k.db.all("SELECT * FROM tasks ORDER BY id"),
      await k.db.all("SELECT * FROM task_links ORDER BY parent_id, child_id"),
      await k.db.all("SELECT * FROM task_runs ORDER BY id"),
      await k.db.all("SELECT * FROM task_comments ORDER BY id"),
      await k.db.get("SELECT count(*), max(id) FROM task_events"),
    ]);
  }

  /** Tasks a person parked in todo (SPEC §3.13), as the kernel records them. */
  async parked(): Promise<Set<string>> {
    const rows = await this.k.db.all<{ id: string }>("SELECT id FROM tasks WHERE parked != 0");
    return new Set(rows.map((r) => r.id));
  }

  /**
   * After a person's move to todo: the task is parked exactly when no parent is unfinished (a
   * task moved there while a parent is unfinished waits on its parents instead).
   */
  async parkingProblem(op: Op, target: string | null): Promise<string | null> {
    const toTodo = (op.kind === "direct" || op.kind === "move" || op.kind === "patch") && op.status === "todo";
    if (!toTodo || target === null) return null;
    const task = await getTask(this.k, target);
    if (task?.status !== "todo") return null;
    const waiting = (await waitingOn(this.k, target)).length > 0;
    return task.parked === !waiting
      ? null
      : `${target} moved to todo ${waiting ? "while waiting" : "with nothing to wait on"} has parked=${task.parked}`;
  }
}

/**
 * A fresh board per sequence: in memory (hundreds of sequences on files would spend their time
 * creating files), or in the core-postgres project a fresh schema of the test server.
 */
async function runSequence(ops: readonly Op[]): Promise<void> {
  const clock = createManualClock(NOW);
  const paths = boardPaths(resolveHome({ SWITCHYARD_HOME: "/nonexistent/property-test" }), DEFAULT_BOARD);
  const options = { clock, ids: createSequentialIds(), host: "prophost", pid: 777 };
  const url = testDatabaseUrl();
  const k = url
    ? await openKernel(paths, { ...options, databaseUrl: url, schema: `prop_${randomBytes(6).toString("hex")}` })
    : createKernel(createSqliteDriver(openDatabase(":memory:", { now: NOW }), ":memory:"), paths, options);
  const board = new Board(k, clock);
  try {
    for (const [step, op] of ops.entries()) {
      const what = `step ${step} ${JSON.stringify(op)}`;
      const before = await board.snapshot();
      const statusesBefore = await board.statuses();
      const parkedBefore = await board.parked();
      let target: string | null;
      try {
        target = await board.apply(op);
      } catch (err) {
        if (!(err instanceof CoreError))
          throw new Error(`${what} threw something other than a refusal: ${String(err)}`);
        if ((await board.snapshot()) !== before) {
          throw new Error(`${what} was refused (${err.code}) but changed the board`);
        }
        target = null;
      }
      const allowed = allowedChanges(op);
      for (const [id, status] of await board.statuses()) {
        const was = statusesBefore.get(id);
        if (was === undefined || was === status) continue;
        if (!(id === target ? allowed.target : allowed.others).includes(`${was}>${status}`)) {
          throw new Error(`${what} moved ${id} from ${was} to ${status}, which it may not`);
        }
        // SPEC §3.13: the kernel never moves a parked task on; only a person's move aimed at it does.
        if (parkedBefore.has(id) && id !== target) throw new Error(`${what} moved parked ${id} from todo to ${status}`);
      }
      const parking = await board.parkingProblem(op, target);
      if (parking) throw new Error(`${what}: ${parking}`);
      const broken = await invariantViolations(k.db);
      if (broken.length > 0) throw new Error(`after step ${step} ${JSON.stringify(op)}:\n${broken.join("\n")}`);
    }
  } finally {
    await k.close();
  }
}

describe("random sequences of kernel operations", () => {
  it("keep the board invariants I1-I11 after every step, move tasks only as the transition table allows, never move a parked task but by a person, and refusals change nothing", async () => {
    let runs = 0;
    let steps = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 20, maxLength: 60, size: "max" }), async (ops) => {
        runs++;
        steps += ops.length;
        await runSequence(ops);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(runs).toBe(RUNS);
    expect(steps).toBeGreaterThanOrEqual(RUNS * 20);
  });
});
