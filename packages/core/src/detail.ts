import type { TaskDetail } from "@switchyard/contract";
import { taskDict } from "./board-view.ts";
import { listComments } from "./comments.ts";
import { notFound } from "./errors.ts";
import { listEvents } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { childIds, parentIds } from "./links.ts";
import { listRuns } from "./runs.ts";

/**
 * Everything known about one task (`GET /tasks/:id`, the drawer, `show`, `kanban_show`): the
 * task dict, its comments, events (all, or the newest `events`), links and runs. Each surface
 * formats this one answer its own way.
 */
export async function taskDetail(k: Kernel, id: string, options: { events?: number } = {}): Promise<TaskDetail> {
  const task = await taskDict(k, id);
  if (!task) throw notFound(id);
  return {
    task,
    comments: await listComments(k, id),
    events: await listEvents(k, id, options.events),
    links: { parents: await parentIds(k, id), children: await childIds(k, id) },
    runs: await listRuns(k, id),
  };
}
