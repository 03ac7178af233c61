import { claimTask } from "../../src/claims.ts";
import { completeTask } from "../../src/completion.ts";
import { openKernel } from "../../src/kernel.ts";
import { boardPaths, resolveHome } from "../../src/paths.ts";
import { waitForGo } from "./barrier.ts";

/**
 * One racing worker: claims and completes ready tasks from the board of the home in argv[2]
 * until none is left. Every worker scans the same ready tasks in the same order, so most claim
 * attempts collide; only the compare-and-swap decides who wins. Prints what it won. With a
 * database URL and a schema after the home (argv[3], argv[4]) the board is in PostgreSQL.
 */
const home = resolveHome({ SWITCHYARD_HOME: process.argv[2] ?? "" });
const [databaseUrl, schema] = process.argv.slice(3);
const k = await openKernel(boardPaths(home, "default"), {
  host: "racehost",
  ...(databaseUrl ? { databaseUrl, schema } : {}),
});
const nextReady = () => k.db.all<{ id: string }>("SELECT id FROM tasks WHERE status = 'ready' ORDER BY id LIMIT 8");
const won: string[] = [];
let lost = 0;
await waitForGo();
for (;;) {
  const batch = (await nextReady()).map((r) => r.id);
  if (batch.length === 0) break;
  for (const id of batch) {
    const task = await claimTask(k, id, { ttl: 3600 });
    if (!task) {
      lost++;
      continue;
    }
    won.push(id);
    await completeTask(k, id, { runId: task.current_run_id, result: `done by ${process.pid}` });
  }
}
await k.close();
process.stdout.write(`${JSON.stringify({ pid: process.pid, won, lost })}\n`);
