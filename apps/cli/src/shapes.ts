import {
  type CliRun,
  CliRun as CliRunSchema,
  type CliTask,
  CliTask as CliTaskSchema,
  type Comment,
  type ListedTask,
  ListedTask as ListedTaskSchema,
  type Run,
  type ShortComment,
  type ShortEvent,
  type Task,
  type TaskEvent,
  type TaskResponse,
  type ToolRun,
  ToolRun as ToolRunSchema,
  type ToolTask,
  ToolTask as ToolTaskSchema,
} from "@switchyard/contract";
import { type Kernel, notFound, taskDict } from "@switchyard/core";
import type { z } from "zod";

/**
 * The kernel's objects in the shapes the CLI's `--json` and the tools print. Each picks the keys
 * of its contract schema, so the key lists live in the contract only.
 */

function picker<S extends z.ZodObject>(schema: S) {
  const keys = Object.keys(schema.shape);
  return (source: object): z.infer<S> => {
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = (source as Record<string, unknown>)[key];
    return out as z.infer<S>;
  };
}

const pickCliTask = picker(CliTaskSchema);
const pickCliRun = picker(CliRunSchema);
const pickToolRun = picker(ToolRunSchema);
const pickToolTask = picker(ToolTaskSchema);
const pickListedTask = picker(ListedTaskSchema);

/** The task as create, list and show print it (reference §10.1 `_task_to_dict`): `skills` is `[]` when none. */
export function cliTask(task: Task): CliTask {
  return pickCliTask({ ...task, skills: task.skills ?? [] });
}

export function cliRun(run: Run): CliRun {
  return pickCliRun(run);
}

export function toolRun(run: Run): ToolRun {
  return pickToolRun(run);
}

export function toolTask(task: Task): ToolTask {
  return pickToolTask(task);
}

export function listedTask(task: Task): ListedTask {
  return pickListedTask(task);
}

export function shortEvent(e: TaskEvent): ShortEvent {
  return { kind: e.kind, payload: e.payload, created_at: e.created_at, run_id: e.run_id };
}

export function shortComment(c: Comment): ShortComment {
  return { author: c.author, body: c.body, created_at: c.created_at };
}

/** A task as `PATCH /tasks/:id` answers (`{task}`, the board's task dict): the `--json` of a verb that changes one task. */
export async function taskResponse(k: Kernel, id: string): Promise<TaskResponse> {
  const task = await taskDict(k, id);
  if (!task) throw notFound(id);
  return { task };
}
