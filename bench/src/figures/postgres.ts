import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  boardPaths,
  closeCatalogs,
  type Home,
  type Kernel,
  openKernel,
  resolveHome,
  TASK_ORDER,
} from "@switchyard/core";
import { type RunningServer, startServer } from "@switchyard/server";
import pg from "pg";
import WebSocket from "ws";
import { TASK_COLUMNS } from "../../../packages/core/src/rows.ts";
import { createTestDatabase, startTestPostgres } from "../../../packages/core/test/postgres-server.ts";
import { runTogether } from "../processes.ts";
import { type Figure, figure, median, nowMs, p95, progress, round, sample, sampleTimed, wallMs } from "../report.ts";
import { SEED_NOW } from "../seed.ts";
import { type ClaimOutcome, claimFigure, claimRounds } from "./claims.ts";

/**
 * The PostgreSQL figures (issue 17, SPEC §13), on `SWITCHYARD_BENCH_DATABASE_URL` or else a
 * throwaway server started here (the tests' `startTestPostgres`) and stopped at the end; every
 * run gets a fresh database, dropped after it.
 *
 * - `claim_heartbeat_complete_pg_{1,4}p`: the claim figure of claims.ts on a board in
 *   PostgreSQL, 1 and 4 worker processes (runners) through the kernel; baseline: the same writes
 *   as bare SQL with `pg`, one transaction per step under the board's advisory lock.
 * - `live_commit_to_ws_two_servers_ms`: two servers on one database; a task created through A's
 *   REST API, timed from sending the request until B's WebSocket client has its event; baseline:
 *   the same write seen by a client of A.
 * - `get_board_10k_pg` (issue 18, item 7): `GET /board` of a board of 10k tasks (the claims'
 *   seeding: ready tasks with five events each) served by `startServer` on the database, over
 *   HTTP, body read to the end; median and p95 as figures/board.ts measures SQLite's: the board
 *   unchanged since the last GET (the kept view, decision 023), and `…_after_write` right after a
 *   task is created through the same server (the view built again). Baseline: the board view's
 *   reads with bare `pg` on one connection, rows as arrays: the tasks (its SELECT, in its order)
 *   and the link and comment counts, as figures/board.ts's bare SQLite baseline reads them.
 */

const WORKERS = [1, 4] as const;
const BOARD = "default";
/** The board's schema (core's `schemaOf`). */
const SCHEMA = "board_default";

interface Server {
  url: string;
  source: string;
  stop(): void;
}

async function pgServer(): Promise<Server> {
  const given = process.env.SWITCHYARD_BENCH_DATABASE_URL?.trim();
  if (given) return { url: given, source: "SWITCHYARD_BENCH_DATABASE_URL", stop: () => {} };
  progress("postgres: starting a throwaway PostgreSQL server");
  const server = await startTestPostgres();
  return { url: server.url, source: "throwaway (startTestPostgres: fsync off)", stop: () => server.stop() };
}

async function withClient<T>(url: string, fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

/** The server's version and the settings that decide what a commit costs. */
async function serverFacts(server: Server): Promise<Record<string, string>> {
  return withClient(server.url, async (db) => {
    const facts: Record<string, string> = { source: server.source };
    for (const name of ["server_version", "fsync", "synchronous_commit"]) {
      facts[name] = String((await db.query(`SHOW ${name}`)).rows[0]?.[name]);
    }
    return facts;
  });
}

/** A fresh database for one run; `drop` removes it (needed on a server the bench does not throw away). */
function freshDatabase(server: Server, prefix: string): { url: string; drop: () => Promise<void> } {
  const url = createTestDatabase(server.url, prefix);
  const name = new URL(url).pathname.slice(1);
  return {
    url,
    drop: () => withClient(server.url, (db) => db.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(),
  };
}

/** A home whose boards live in `databaseUrl`; its root is never written to by a PostgreSQL board. */
function pgHome(databaseUrl: string, root = join(tmpdir(), "switchyard-bench-pg-home"), host?: string): Home {
  return resolveHome({
    SWITCHYARD_HOME: root,
    SWITCHYARD_DATABASE_URL: databaseUrl,
    ...(host ? { SWITCHYARD_HOST_ID: host } : {}),
  });
}

interface BoardLock {
  space: number;
  key: number;
}

/**
 * The advisory lock the driver takes in every write to the board, read from `pg_locks` inside a
 * kernel write (so the baseline holds exactly the driver's lock, whatever its key is).
 */
async function boardLockOf(k: Kernel): Promise<BoardLock> {
  const rows = await k.write((k) =>
    k.db.all<{ space: number; key: number }>(
      `SELECT CAST(classid AS BIGINT) AS space, CAST(objid AS BIGINT) AS key FROM pg_locks
        WHERE locktype = 'advisory' AND objsubid = 2 AND pid = pg_backend_pid()`,
    ),
  );
  const [lock] = rows;
  if (!lock || rows.length !== 1) throw new Error(`expected the driver's one advisory lock, found ${rows.length}`);
  // pg_locks shows the two int4 keys as unsigned oids.
  return { space: Number(lock.space) | 0, key: Number(lock.key) | 0 };
}

/**
 * Creates the board (through the kernel, so its schema is the product's) and seeds `count` ready
 * tasks assigned to `assignee`, each with the five events seed.ts gives one; returns the board's
 * lock and its latest event id.
 */
async function seedBoard(
  databaseUrl: string,
  count: number,
  assignee: string,
): Promise<BoardLock & { cursor: number }> {
  const k = await openKernel(boardPaths(pgHome(databaseUrl), BOARD));
  let lock: BoardLock;
  try {
    lock = await boardLockOf(k);
  } finally {
    await k.close();
  }
  return withClient(databaseUrl, async (db) => {
    await db.query("BEGIN");
    await db.query(
      `INSERT INTO ${SCHEMA}.tasks (id, title, body, assignee, status, priority, created_by, created_at)
       SELECT 't_' || lpad(to_hex(i), 8, '0'), 'Task ' || i || ': ready work for ' || $2, $3, $2, 'ready', 0,
              'bench', $4 - 86400 + (i % 80000)
         FROM generate_series(0, $1 - 1) AS i ORDER BY i`,
      [count, assignee, "## Goal\nMake the thing work for **every** board.\n\n- read the spec\n- add tests", SEED_NOW],
    );
    await db.query(
      `INSERT INTO ${SCHEMA}.task_events (task_id, run_id, kind, payload, created_at)
       SELECT t.id, NULL, e.kind, replace(e.payload, '@', t.assignee), t.created_at + e.dt
         FROM ${SCHEMA}.tasks t
        CROSS JOIN (VALUES
          ('created', '{"assignee":"@","status":"ready","parents":[],"tenant":null,"skills":null}', 0),
          ('assigned', '{"assignee":"@"}', 10), ('reprioritized', '{"priority":0}', 20),
          ('edited', NULL, 30), ('status', '{"status":"ready"}', 40)) AS e(kind, payload, dt)
        ORDER BY t.rowid, e.dt`,
    );
    await db.query("COMMIT");
    await db.query(`ANALYZE ${SCHEMA}.tasks, ${SCHEMA}.task_events, ${SCHEMA}.task_runs`);
    const row = await db.query(`SELECT COALESCE(MAX(id), 0) AS n FROM ${SCHEMA}.task_events`);
    return { ...lock, cursor: Number(row.rows[0]?.n) };
  });
}

interface WorkerReport {
  pid: number;
  won: string[];
  lost: number;
  start: number;
  end: number;
  cpu_ms: number;
}

interface Outcome extends ClaimOutcome {
  /** CPU time of the worker processes per task done, in ms (the database server's is not counted). */
  cpuMsPerTask: number;
}

/** Tasks claimed more than once (two reports, two `claimed` events, or two runs) and tasks done. */
async function doubleClaims(
  databaseUrl: string,
  reports: WorkerReport[],
): Promise<{ double: number; completed: number }> {
  const won = reports.flatMap((r) => r.won);
  const reportDupes = won.length - new Set(won).size;
  return withClient(databaseUrl, async (db) => {
    const count = async (sql: string) => Number((await db.query(sql)).rows[0]?.n);
    const twiceClaimed = await count(
      `SELECT COUNT(*) AS n FROM (SELECT task_id FROM ${SCHEMA}.task_events WHERE kind = 'claimed'
        GROUP BY task_id HAVING COUNT(*) > 1) AS twice`,
    );
    const twiceRun = await count(
      `SELECT COUNT(*) AS n FROM (SELECT task_id FROM ${SCHEMA}.task_runs GROUP BY task_id HAVING COUNT(*) > 1) AS twice`,
    );
    const completed = await count(`SELECT COUNT(*) AS n FROM ${SCHEMA}.tasks WHERE status = 'done'`);
    return { double: reportDupes + twiceClaimed + twiceRun, completed };
  });
}

async function claimRun(server: Server, mode: "kernel" | "raw", workers: number, tasks: number): Promise<Outcome> {
  const database = freshDatabase(server, "bench_claims");
  try {
    const lock = await seedBoard(database.url, tasks, "bench");
    const reports = await runTogether<WorkerReport>(
      Array.from({ length: workers }, (_, i) => ({
        script: "pg-claim-worker.ts",
        args: [mode, database.url, String(lock.space), String(lock.key), String(i), String(workers)],
      })),
    );
    const seconds = (Math.max(...reports.map((r) => r.end)) - Math.min(...reports.map((r) => r.start))) / 1000;
    const { double, completed } = await doubleClaims(database.url, reports);
    return {
      tasksPerSecond: reports.reduce((n, r) => n + r.won.length, 0) / seconds,
      completed,
      doubleClaims: double,
      lostClaims: reports.reduce((n, r) => n + r.lost, 0),
      cpuMsPerTask: reports.reduce((n, r) => n + r.cpu_ms, 0) / Math.max(1, completed),
    };
  } finally {
    await database.drop();
  }
}

async function claimFigures(server: Server, tasks: number, facts: Record<string, string>): Promise<Figure[]> {
  const runs = await claimRounds("postgres: claims", WORKERS, (mode, workers) =>
    claimRun(server, mode, workers, tasks),
  );
  return WORKERS.map((workers) =>
    claimFigure(`claim_heartbeat_complete_pg_${workers}p`, runs, workers, tasks, (kernel, raw) => ({
      completed_each_round: kernel.map((o) => o.completed),
      worker_cpu_ms_per_task: round(median(kernel.map((o) => o.cpuMsPerTask))),
      baseline_worker_cpu_ms_per_task: round(median(raw.map((o) => o.cpuMsPerTask))),
      baseline_completed_every_round: raw.every((o) => o.completed === tasks),
      baseline_is: "bare SQL with pg, one transaction per step holding the board's advisory lock",
      postgres: facts,
    })),
  );
}

/** `created` events as a client of `server`'s live stream receives them, one at a time. */
interface Watcher {
  opened: Promise<void>;
  /** The next `created` event to arrive (or one that arrived already), with its receipt time. */
  next(): Promise<{ id: string; at: number }>;
  close(): void;
}

function watch(server: RunningServer, since: number): Watcher {
  const ws = new WebSocket(
    `${server.url.replace("http", "ws")}/api/plugins/kanban/events?board=${BOARD}&since=${since}`,
  );
  const arrived: Array<{ id: string; at: number }> = [];
  let waiting: ((c: { id: string; at: number }) => void) | null = null;
  ws.on("message", (data) => {
    const at = wallMs();
    const message = JSON.parse(String(data)) as { events: Array<{ task_id: string; kind: string }> };
    for (const e of message.events) if (e.kind === "created") arrived.push({ id: e.task_id, at });
    const first = arrived[0];
    if (waiting && first) {
      arrived.shift();
      waiting(first);
      waiting = null;
    }
  });
  return {
    opened: new Promise((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    }),
    next() {
      const first = arrived.shift();
      if (first) return Promise.resolve(first);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("a write's event never reached the client (10 s)")), 10_000);
        waiting = (c) => {
          clearTimeout(timer);
          resolve(c);
        };
      });
    },
    close: () => ws.terminate(),
  };
}

async function createTask(server: RunningServer, title: string): Promise<string> {
  const res = await fetch(`${server.url}/api/plugins/kanban/tasks?board=${BOARD}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title }),
  });
  if (res.status !== 200) throw new Error(`POST /tasks answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { task: { id: string } }).task.id;
}

async function liveFigure(server: Server, quick: boolean, facts: Record<string, string>): Promise<Figure> {
  const writes = quick ? 30 : 200;
  const warmup = 5;
  const boardTasks = quick ? 100 : 1_000;
  const database = freshDatabase(server, "bench_live");
  const roots: string[] = [];
  const servers: RunningServer[] = [];
  const watchers: Watcher[] = [];
  try {
    const { cursor } = await seedBoard(database.url, boardTasks, "bench");
    for (const name of ["a", "b"]) {
      const root = mkdtempSync(join(tmpdir(), `switchyard-bench-pg-${name}-`));
      roots.push(root);
      const home = pgHome(database.url, root, `bench-${name}`);
      servers.push(await startServer({ home, port: 0, dispatch: false, webRoot: null, log: () => {} }));
    }
    const [a, b] = servers as [RunningServer, RunningServer];
    const onA = watch(a, cursor);
    const onB = watch(b, cursor);
    watchers.push(onA, onB);
    await Promise.all([onA.opened, onB.opened]);
    progress(`postgres: ${writes} writes through server A, watched on A and on B`);
    const across: number[] = [];
    const same: number[] = [];
    const answered: number[] = [];
    for (let i = 0; i < warmup + writes; i++) {
      const sent = wallMs();
      const [[id, answeredAt], seenA, seenB] = await Promise.all([
        createTask(a, `live write ${i}`).then((id) => [id, wallMs()] as const),
        onA.next(),
        onB.next(),
      ]);
      if (seenA.id !== id || seenB.id !== id) {
        throw new Error(`write ${id} arrived as ${seenA.id} on A and ${seenB.id} on B: out of step`);
      }
      if (i < warmup) continue;
      across.push(seenB.at - sent);
      same.push(seenA.at - sent);
      answered.push(answeredAt - sent);
    }
    return figure("live_commit_to_ws_two_servers_ms", median(across), "ms", median(same), {
      p95: round(p95(across)),
      baseline_p95: round(p95(same)),
      write_answered_ms: round(median(answered)),
      writes,
      warmup_writes: warmup,
      board_tasks: boardTasks,
      via: "two startServer in this process, one home each on one database; POST /tasks to A one at a time, ws clients on B and (baseline) on A",
      postgres: facts,
    });
  } finally {
    for (const w of watchers) w.close();
    await Promise.all(servers.map((s) => s.close()));
    await closeCatalogs();
    for (const root of roots) rmSync(root, { recursive: true, force: true });
    await database.drop();
  }
}

/** The board view's reads as bare SQL (board-view.ts `eachTaskRow` and `countBy`), on the board's schema. */
const BARE_BOARD_READS = [
  `SELECT ${TASK_COLUMNS.join(", ")}, rowid FROM ${SCHEMA}.tasks WHERE status != 'archived' ORDER BY ${TASK_ORDER}`,
  `SELECT child_id AS id, COUNT(*) AS n FROM ${SCHEMA}.task_links GROUP BY child_id`,
  `SELECT parent_id AS id, COUNT(*) AS n FROM ${SCHEMA}.task_links GROUP BY parent_id`,
  `SELECT task_id AS id, COUNT(*) AS n FROM ${SCHEMA}.task_comments GROUP BY task_id`,
];

async function boardFigures(server: Server, facts: Record<string, string>): Promise<Figure[]> {
  // Seeding 10k tasks in SQL takes about a second: the size is the same in a quick run.
  const tasks = 10_000;
  const reps = 15;
  const database = freshDatabase(server, "bench_board");
  const root = mkdtempSync(join(tmpdir(), "switchyard-bench-pg-board-"));
  let running: RunningServer | null = null;
  try {
    progress(`postgres: seeding ${tasks} tasks for GET /board`);
    await seedBoard(database.url, tasks, "bench");
    const served = await startServer({
      home: pgHome(database.url, root, "bench-board"),
      port: 0,
      dispatch: false,
      webRoot: null,
      log: () => {},
    });
    running = served;
    let bytes = 0;
    const get = async () => {
      const res = await fetch(`${served.url}/api/plugins/kanban/board?board=${BOARD}`);
      const text = await res.text();
      if (res.status !== 200) throw new Error(`GET /board answered ${res.status}: ${text.slice(0, 200)}`);
      bytes = text.length;
    };
    progress(`postgres: GET /board at ${tasks} tasks, ${reps} times unchanged and ${reps} after a write`);
    const api = await sample(reps, get, 2);
    let writes = 0;
    const afterWrite = await sampleTimed(reps, async () => {
      await createTask(served, `board bench write ${writes++}`);
      const t = nowMs();
      await get();
      return nowMs() - t;
    });
    const bare = await withClient(database.url, (db) =>
      sample(
        reps,
        async () => {
          for (const text of BARE_BOARD_READS) await db.query({ text, rowMode: "array" });
        },
        2,
      ),
    );
    const details = {
      tasks,
      baseline_p95: round(p95(bare)),
      samples: reps,
      baseline_is: "the board view's reads (tasks in its order, link and comment counts) with bare pg, rows as arrays",
      postgres: facts,
    };
    return [
      figure("get_board_10k_pg", median(api), "ms", median(bare), {
        ...details,
        p95: round(p95(api)),
        response_bytes: bytes,
        via: "startServer on the database, fetch over HTTP; the board unchanged since the last GET (the kept view)",
      }),
      figure("get_board_10k_pg_after_write", median(afterWrite), "ms", median(bare), {
        ...details,
        p95: round(p95(afterWrite)),
        via: "startServer on the database, fetch over HTTP; each right after a task is created through it (the view built again)",
      }),
    ];
  } finally {
    await running?.close();
    await closeCatalogs();
    rmSync(root, { recursive: true, force: true });
    await database.drop();
  }
}

export async function postgresFigures(quick: boolean): Promise<Figure[]> {
  const server = await pgServer();
  try {
    const facts = await serverFacts(server);
    const claims = await claimFigures(server, quick ? 300 : 2_000, facts);
    const live = await liveFigure(server, quick, facts);
    const board = await boardFigures(server, facts);
    return [...claims, live, ...board];
  } finally {
    server.stop();
  }
}
