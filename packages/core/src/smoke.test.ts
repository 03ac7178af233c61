import { describe, expect, it } from "vitest";
import { freshBoard } from "../test/fixtures.ts";
import { claimTask } from "./claims.ts";
import { completeTask } from "./completion.ts";
import { listEvents } from "./events.ts";
import { createTask } from "./tasks.ts";

describe("a task's life", () => {
  it("goes from ready through running to done with its events", async () => {
    const { k } = await freshBoard();
    const { task } = await createTask(k, { title: "write schema", assignee: "Alice" });
    expect(task.status).toBe("ready");
    expect(task.assignee).toBe("alice");
    const claimed = await claimTask(k, task.id);
    expect(claimed?.status).toBe("running");
    const done = await completeTask(k, task.id, { summary: "schema written", result: "ok" });
    expect(done.task.status).toBe("done");
    expect((await listEvents(k, task.id)).map((e) => e.kind)).toEqual(["created", "claimed", "completed"]);
  });
});
