import { TaskDetail } from "@switchyard/contract";
import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { taskDict } from "./board-view.ts";
import { claimTask } from "./claims.ts";
import { addComment, listComments } from "./comments.ts";
import { completeTask } from "./completion.ts";
import { taskDetail } from "./detail.ts";
import { listEvents } from "./events.ts";
import { listRuns } from "./runs.ts";
import { createTask } from "./tasks.ts";

describe("taskDetail", () => {
  it("gives the task dict, its comments, events, links and runs in the contract's shape", async () => {
    const { k, clock } = await freshBoard();
    const parent = (await createTask(k, { title: "parent", assignee: "alice" })).task;
    const t = (await createTask(k, { title: "middle", assignee: "alice", parents: [parent.id] })).task;
    const child = (await createTask(k, { title: "child", parents: [t.id] })).task;
    await completeTask(k, parent.id, { result: "ok" });
    clock.advance(10);
    await claimTask(k, t.id);
    await addComment(k, t.id, "bob", "how is it going?");
    clock.advance(5);

    const detail = await taskDetail(k, t.id);
    expect(TaskDetail.parse(detail)).toEqual(detail);
    expect(detail).toEqual({
      task: await taskDict(k, t.id),
      comments: await listComments(k, t.id),
      events: await listEvents(k, t.id),
      links: { parents: [parent.id], children: [child.id] },
      runs: await listRuns(k, t.id),
      // No workspace probe on this kernel, so no branch diff.
      diff: null,
    });
    expect(detail.task).toMatchObject({ id: t.id, status: "running", age: { started_age_seconds: 5 } });
    expect(detail.comments.map((c) => [c.author, c.body])).toEqual([["bob", "how is it going?"]]);
    expect(detail.events.map((e) => e.kind)).toEqual(["created", "promoted", "claimed", "commented"]);
    expect(detail.runs).toHaveLength(1);
  });

  it("gives only the newest events when asked for a number of them, oldest of those first", async () => {
    const { k } = await freshBoard();
    const t = (await createTask(k, { title: "chatty" })).task;
    for (let i = 0; i < 5; i++) await addComment(k, t.id, "bob", `comment ${i}`);
    const all = await listEvents(k, t.id);
    expect(all).toHaveLength(6);
    const detail = await taskDetail(k, t.id, { events: 2 });
    expect(detail.events).toEqual(all.slice(-2));
    expect(detail.comments).toHaveLength(5);
    expect((await taskDetail(k, t.id, { events: 100 })).events).toEqual(all);
  });

  it("gives empty lists for a task with no comments, links or runs", async () => {
    const { k } = await freshBoard();
    const t = (await createTask(k, { title: "alone" })).task;
    expect(await taskDetail(k, t.id)).toMatchObject({
      comments: [],
      links: { parents: [], children: [] },
      runs: [],
    });
  });

  it("refuses an unknown task with not_found", async () => {
    const { k } = await freshBoard();
    const err = await refusal(() => taskDetail(k, "t_deadbeef"));
    expect(err.code).toBe("not_found");
    expect(err.facts.task_id).toBe("t_deadbeef");
  });
});
