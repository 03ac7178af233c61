import { boardPaths, createTask, openKernel, resolveHome } from "@switchyard/core";
import { report, waitForGo, wallMs } from "./barrier.ts";

/**
 * The other process of the live-update benchmark: creates `count` tasks on the board of the home
 * in argv, one at a time with irregular pauses (so commits land at every phase of the server's
 * poll), and prints each task's id with the wall-clock time its transaction had committed.
 *
 * With a base priority, the i-th task gets `base + i`, so each new card sorts first in its column.
 *
 * argv: <home> <count> [base priority]
 */
const [homeRoot, countArg, baseArg] = process.argv.slice(2);
const count = Number(countArg);
const base = baseArg === undefined ? null : Number(baseArg);
const k = await openKernel(boardPaths(resolveHome({ SWITCHYARD_HOME: homeRoot ?? "" }), "default"));
await waitForGo();
let seed = 7;
for (let i = 0; i < count; i++) {
  const { task } = await createTask(k, {
    title: `live ${i}`,
    assignee: "watcher",
    priority: base === null ? 0 : base + i,
  });
  report({ task_id: task.id, committed_at: wallMs() });
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  await new Promise((resolve) => setTimeout(resolve, 20 + (seed % 100)));
}
await k.close();
report({ done: count });
