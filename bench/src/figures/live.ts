import type { Home } from "@switchyard/core";
import { startServer } from "@switchyard/server";
import WebSocket from "ws";
import { reportOf, startWorker } from "../processes.ts";
import { type Figure, figure, median, p95, progress, round, wallMs } from "../report.ts";
import { dbPathOf, freshHome, rawOpen, seedMixedBoard } from "../seed.ts";

/**
 * Figure 4: commit-to-WebSocket latency. A real server (`startServer`, dispatcher off) on a
 * 1k-task board, a `ws` client on `/events`, and a separate writer process that creates tasks
 * with irregular pauses and reports when each commit finished; latency is the client's receipt
 * minus the commit time (both wall clock, same machine). Baseline: the same writer watched by a
 * bare better-sqlite3 connection polling `PRAGMA data_version` every millisecond (the SQLite
 * floor of noticing another process's commit).
 */

const WRITES = 80;

interface Commit {
  task_id?: string;
  committed_at?: number;
}

async function runWriter(home: Home, seen: Map<string, number>): Promise<number[]> {
  const writer = startWorker("writer.ts", [home.root, String(WRITES)]);
  const commits = new Map<string, number>();
  writer.onLine((line) => {
    const c = JSON.parse(line) as Commit;
    if (c.task_id && c.committed_at) commits.set(c.task_id, c.committed_at);
  });
  await writer.ready;
  writer.child.stdin?.end("go\n");
  reportOf(await writer.done);
  // The last messages may still be in flight when the writer exits: wait for them (generously).
  const deadline = Date.now() + 10_000;
  while (seen.size < commits.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const missing = [...commits.keys()].filter((id) => !seen.has(id));
  if (missing.length > 0) throw new Error(`${missing.length} write(s) never arrived, e.g. ${missing[0]}`);
  return [...commits].map(([id, at]) => (seen.get(id) as number) - at);
}

async function throughServer(home: Home): Promise<number[]> {
  const server = await startServer({ home, port: 0, dispatch: false, webRoot: null, log: () => {} });
  const seen = new Map<string, number>();
  const db = rawOpen(dbPathOf(home));
  const since = (db.prepare("SELECT COALESCE(MAX(id), 0) AS n FROM task_events").get() as { n: number }).n;
  db.close();
  const ws = new WebSocket(
    `${server.url.replace("http", "ws")}/api/plugins/kanban/events?board=default&since=${since}`,
  );
  ws.on("message", (data) => {
    const at = wallMs();
    const message = JSON.parse(String(data)) as { events: Array<{ task_id: string; kind: string }> };
    for (const e of message.events) if (e.kind === "created" && !seen.has(e.task_id)) seen.set(e.task_id, at);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  try {
    return await runWriter(home, seen);
  } finally {
    ws.close();
    await server.close();
  }
}

async function throughBarePolling(home: Home): Promise<number[]> {
  const db = rawOpen(dbPathOf(home));
  const version = db.prepare("PRAGMA data_version").pluck();
  const created = db.prepare("SELECT id, task_id FROM task_events WHERE id > ? AND kind = 'created' ORDER BY id");
  let cursor = (db.prepare("SELECT COALESCE(MAX(id), 0) AS n FROM task_events").get() as { n: number }).n;
  let last = version.get();
  const seen = new Map<string, number>();
  const timer = setInterval(() => {
    const v = version.get();
    if (v === last) return;
    last = v;
    const at = wallMs();
    for (const r of created.all(cursor) as Array<{ id: number; task_id: string }>) {
      cursor = r.id;
      seen.set(r.task_id, at);
    }
  }, 1);
  try {
    return await runWriter(home, seen);
  } finally {
    clearInterval(timer);
    db.close();
  }
}

export async function liveFigures(quick: boolean): Promise<Figure[]> {
  const home = await freshHome();
  seedMixedBoard(dbPathOf(home), quick ? 100 : 1_000);
  progress(`live: ${WRITES} writes from another process, watched through the server`);
  const ws = await throughServer(home);
  progress(`live: the same writes, watched by a bare connection polling every millisecond`);
  const bare = await throughBarePolling(home);
  return [
    figure("commit_to_websocket", median(ws), "ms", median(bare), {
      p95: round(p95(ws)),
      baseline_p95: round(p95(bare)),
      writes: WRITES,
      via: "startServer + ws client; writer is a separate process",
    }),
  ];
}
