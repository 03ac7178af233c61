import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BoardResponse, TaskDetail } from "@switchyard/contract";
import {
  boardPaths,
  childIds,
  createManualClock,
  createSequentialIds,
  DEFAULT_BOARD,
  type Kernel,
  listComments,
  listEvents,
  listRuns,
  openKernel,
  parentIds,
  resolveHome,
  taskDict,
} from "@switchyard/core";
import { onTestFinished } from "vitest";

/**
 * The default board of a fresh temporary home, opened with the kernel (fixed clock, sequential
 * ids, a fixed host): real kernel changes whose events the dashboard's pure functions are
 * checked against. Closed and deleted when the test ends.
 */
export async function freshKernel(): Promise<Kernel> {
  const root = mkdtempSync(join(tmpdir(), "switchyard-web-kernel-"));
  const k = await openKernel(boardPaths(resolveHome({ SWITCHYARD_HOME: root }), DEFAULT_BOARD), {
    clock: createManualClock(1_700_000_000),
    ids: createSequentialIds(),
    host: "testhost",
    pid: 4242,
  });
  onTestFinished(async () => {
    await k.close();
    rmSync(root, { recursive: true, force: true });
  });
  return k;
}

/** What `GET /tasks/:id` answers for a task, read with the kernel (the dashboard's task detail). */
export async function taskDetailOf(k: Kernel, id: string): Promise<TaskDetail> {
  const task = await taskDict(k, id);
  if (!task) throw new Error(`no task ${id}`);
  return {
    task,
    comments: await listComments(k, id),
    events: await listEvents(k, id),
    links: { parents: await parentIds(k, id), children: await childIds(k, id) },
    runs: await listRuns(k, id),
  };
}

/** What the dashboard compares of a board: everything but ages and the server's clock. */
export function shownBoard(board: BoardResponse) {
  const plain = JSON.parse(JSON.stringify(board)) as BoardResponse;
  return {
    ...plain,
    now: 0,
    columns: plain.columns.map((c) => ({ ...c, tasks: c.tasks.map(({ age: _age, ...card }) => card) })),
  };
}
