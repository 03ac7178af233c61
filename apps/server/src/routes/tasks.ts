import {
  BoardQuery,
  BulkBody,
  type BulkResult,
  CreateTaskBody,
  PatchTaskBody,
  type Task,
  type TaskDict,
  TaskParam,
} from "@switchyard/contract";
import {
  archiveTask,
  assignTask,
  CoreError,
  childIds,
  createTask,
  editTask,
  getTask,
  isCoreError,
  type Kernel,
  listComments,
  listEvents,
  listRuns,
  moveTask,
  notFound,
  parentIds,
  requireTask,
  setPriority,
  taskDict,
} from "@switchyard/core";
import { Hono } from "hono";
import { type AppDeps, type AppEnv, openBoardFor } from "../deps.ts";
import { valid } from "../validate.ts";

function dictOf(k: Kernel, id: string): TaskDict {
  const dict = taskDict(k, id);
  if (!dict) throw notFound(id);
  return dict;
}

const NO_DISPATCHER =
  "no dispatcher is running, so this task will not start by itself: run `switchyard serve` without --no-dispatch, or `switchyard dispatch`";

/** `running` is only reached by a claim (SPEC §3.6); PATCH and bulk refuse it before changing anything. */
function refuseRunning(status: string | undefined): void {
  if (status === "running") {
    throw new CoreError(
      "invalid_input",
      "Cannot set status to 'running' directly; the dispatcher claims ready tasks (move it to ready).",
    );
  }
}

/**
 * A move that took a running task off its run (done, blocked, archived, or a direct write)
 * leaves its worker without a run: it is stopped at once, as after a reclaim (SPEC §3.3).
 */
function stopSuperseded(deps: AppDeps, k: Kernel, before: Task): void {
  if (before.status !== "running" || before.current_run_id === null) return;
  if (getTask(k, before.id)?.current_run_id === before.current_run_id) return;
  deps.stopWorker?.(
    { task_id: before.id, run_id: before.current_run_id, pid: before.worker_pid, lock: before.claim_lock },
    k,
  );
}

/** A handoff (result, summary, metadata) belongs to a completion, a reason to a block. */
function refuseStrayFields(patch: PatchTaskBody): void {
  const handoff = [patch.result, patch.summary, patch.metadata].some((v) => v !== undefined && v !== null);
  if (handoff && patch.status !== "done") {
    throw new CoreError("invalid_input", "result, summary and metadata go with status 'done'");
  }
  if (patch.block_reason && patch.status !== "blocked") {
    throw new CoreError("invalid_input", "block_reason goes with status 'blocked'");
  }
}

/** Tasks (reference §11): detail, create, patch, bulk. */
export function taskRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get("/tasks/:id", valid("param", TaskParam), valid("query", BoardQuery), (c) => {
      const { id } = c.req.valid("param");
      const { k } = openBoardFor(deps, c, c.req.valid("query").board);
      const task = dictOf(k, id);
      return c.json(
        {
          task,
          comments: listComments(k, id),
          events: listEvents(k, id),
          links: { parents: parentIds(k, id), children: childIds(k, id) },
          runs: listRuns(k, id),
        },
        200,
      );
    })
    .post("/tasks", valid("query", BoardQuery), valid("json", CreateTaskBody), (c) => {
      const { k } = openBoardFor(deps, c, c.req.valid("query").board);
      const { task } = createTask(k, { ...c.req.valid("json"), created_by: "dashboard" });
      const warn = !deps.dispatcherEnabled && task.status === "ready" && task.assignee !== null;
      return c.json({ task: dictOf(k, task.id), ...(warn ? { warning: NO_DISPATCHER } : {}) }, 200);
    })
    .patch("/tasks/:id", valid("param", TaskParam), valid("query", BoardQuery), valid("json", PatchTaskBody), (c) => {
      const { id } = c.req.valid("param");
      const patch = c.req.valid("json");
      refuseRunning(patch.status);
      refuseStrayFields(patch);
      const { k } = openBoardFor(deps, c, c.req.valid("query").board);
      // In the reference's order (assignee, status, priority, title/body), as one transaction:
      // a refused step leaves the task exactly as it was.
      const before = requireTask(k, id);
      k.write(() => {
        requireTask(k, id);
        if (patch.assignee !== undefined) assignTask(k, id, patch.assignee);
        if (patch.status !== undefined) {
          moveTask(k, id, {
            status: patch.status,
            result: patch.result,
            summary: patch.summary,
            metadata: patch.metadata,
            block_reason: patch.block_reason,
          });
        }
        if (patch.priority !== undefined) setPriority(k, id, patch.priority);
        if (patch.title !== undefined || patch.body !== undefined)
          editTask(k, id, { title: patch.title, body: patch.body });
      });
      stopSuperseded(deps, k, before);
      return c.json({ task: dictOf(k, id) }, 200);
    })
    .post("/tasks/bulk", valid("query", BoardQuery), valid("json", BulkBody), (c) => {
      const body = c.req.valid("json");
      if (!body.archive) refuseRunning(body.status);
      const { k } = openBoardFor(deps, c, c.req.valid("query").board);
      const results: BulkResult["results"] = body.ids.map((raw) => {
        const id = raw.trim();
        try {
          // Each id on its own: one failure does not stop, or half-apply to, the others.
          const before = requireTask(k, id);
          k.write(() => {
            requireTask(k, id);
            if (body.assignee !== undefined) assignTask(k, id, body.assignee);
            if (body.archive) archiveTask(k, id);
            else if (body.status !== undefined) {
              moveTask(k, id, {
                status: body.status,
                result: body.result,
                summary: body.summary,
                metadata: body.metadata,
              });
            }
            if (body.priority !== undefined) setPriority(k, id, body.priority);
          });
          stopSuperseded(deps, k, before);
          return { id, ok: true };
        } catch (err) {
          if (!isCoreError(err)) throw err;
          return { id, ok: false, error: err.message };
        }
      });
      return c.json({ results }, 200);
    });
}
