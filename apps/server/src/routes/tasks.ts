import { BoardQuery, BulkBody, CreateTaskBody, PatchTaskBody, type TaskDict, TaskParam } from "@switchyard/contract";
import { bulkUpdate, createTask, type Kernel, notFound, patchTask, taskDetail, taskDict } from "@switchyard/core";
import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { valid } from "../validate.ts";

async function dictOf(k: Kernel, id: string): Promise<TaskDict> {
  const dict = await taskDict(k, id);
  if (!dict) throw notFound(id);
  return dict;
}

const NO_DISPATCHER =
  "no dispatcher is running, so this task will not start by itself: run `switchyard serve` without --no-dispatch, or `switchyard dispatch`";

/** Tasks (reference §11): detail, create, patch, bulk. */
export function taskRoutes(deps: AppDeps) {
  return new Hono()
    .get("/tasks/:id", valid("param", TaskParam), valid("query", BoardQuery), async (c) => {
      const { k } = await deps.boards.open(c.req.valid("query").board);
      return c.json(await taskDetail(k, c.req.valid("param").id), 200);
    })
    .post("/tasks", valid("query", BoardQuery), valid("json", CreateTaskBody), async (c) => {
      const { k } = await deps.boards.open(c.req.valid("query").board);
      const { task } = await createTask(k, { ...c.req.valid("json"), created_by: "dashboard" });
      const warn = !deps.dispatcherEnabled && task.status === "ready" && task.assignee !== null;
      return c.json({ task: await dictOf(k, task.id), ...(warn ? { warning: NO_DISPATCHER } : {}) }, 200);
    })
    .patch(
      "/tasks/:id",
      valid("param", TaskParam),
      valid("query", BoardQuery),
      valid("json", PatchTaskBody),
      async (c) => {
        const { id } = c.req.valid("param");
        const { k } = await deps.boards.open(c.req.valid("query").board);
        const { superseded } = await patchTask(k, id, c.req.valid("json"), { author: "dashboard" });
        // A move that took a running task off its run leaves its worker without one: stopped at once (SPEC §3.3).
        if (superseded) deps.stopWorker?.(superseded, k);
        return c.json({ task: await dictOf(k, id) }, 200);
      },
    )
    .post("/tasks/bulk", valid("query", BoardQuery), valid("json", BulkBody), async (c) => {
      const { k } = await deps.boards.open(c.req.valid("query").board);
      const { results, superseded } = await bulkUpdate(k, c.req.valid("json"), { author: "dashboard" });
      for (const worker of superseded) deps.stopWorker?.(worker, k);
      return c.json({ results }, 200);
    });
}
