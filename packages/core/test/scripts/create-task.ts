import { openKernel } from "../../src/kernel.ts";
import { boardPaths, resolveHome } from "../../src/paths.ts";
import { createTask } from "../../src/tasks.ts";
import { waitForGo } from "./barrier.ts";

/** Creates a task with the idempotency key argv[3] on the board of the home in argv[2], racing its siblings. */
const home = resolveHome({ SWITCHYARD_HOME: process.argv[2] ?? "" });
const k = await openKernel(boardPaths(home, "default"), { host: "racehost" });
await waitForGo();
const { task, created } = await createTask(k, {
  title: `made by ${process.pid}`,
  idempotency_key: process.argv[3] ?? "",
});
await k.close();
process.stdout.write(`${JSON.stringify({ id: task.id, title: task.title, created })}\n`);
