import { BoardResponse, JSON_LIMITS, TaskDetail } from "@switchyard/contract";
import { claimTask, completeTask, createTask, type Kernel, listBoards } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { type Harness, harness, ok, refused } from "./helpers.ts";

/**
 * Free-form JSON is bounded (issue 13): a `metadata` nested 5,000 deep once gave a 500 (the
 * stack overflowed in JSON.stringify), and one 3,500 deep was stored and then broke every reader.
 */

/** `{"a":{"a":…1…}}` nested `depth` deep, as text: JSON.stringify itself overflows past ~4,000. */
function deepText(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

const DEEP = deepText(5_000);

/** Every row of every table and the boards with their metadata: what a refused request must leave as it was. */
async function boardState(h: Harness, k: Kernel) {
  const counts: Record<string, unknown> = {};
  for (const t of ["tasks", "task_links", "task_comments", "task_events", "task_runs", "kanban_notify_subs"]) {
    counts[t] = await k.db.all(`SELECT * FROM ${t} ORDER BY rowid`, []);
  }
  return { counts, boards: await listBoards(h.home, { includeArchived: true }) };
}

function post(h: Harness, method: string, path: string, body: string) {
  return h.request(method, path, { body, headers: { "content-type": "application/json" } });
}

describe("a metadata object nested 5,000 deep", () => {
  it("gets 400 on every route that takes a JSON body, naming the field and the limit, and the board is unchanged", async () => {
    const h = harness();
    const k = await h.k;
    const a = (await createTask(k, { title: "a", assignee: "alice" })).task;
    const b = (await createTask(k, { title: "b", assignee: "alice" })).task;
    await claimTask(k, b.id);
    const before = await boardState(h, k);

    const limit = /metadata: JSON nested more than 32 levels deep \(the limit is 32\)/;
    const unknownKey = /metadata/;
    const requests: Array<[string, string, string, RegExp]> = [
      ["PATCH", `/tasks/${a.id}`, `{"status":"done","summary":"s","metadata":${DEEP}}`, limit],
      ["PATCH", `/tasks/${b.id}`, `{"status":"done","metadata":${DEEP}}`, limit],
      ["POST", "/tasks/bulk", `{"ids":["${a.id}","${b.id}"],"status":"done","metadata":${DEEP}}`, limit],
      ["POST", "/tasks", `{"title":"x","metadata":${DEEP}}`, unknownKey],
      ["POST", `/tasks/${a.id}/comments`, `{"body":"hi","metadata":${DEEP}}`, unknownKey],
      ["POST", `/tasks/${b.id}/reclaim`, `{"reason":"r","metadata":${DEEP}}`, unknownKey],
      ["POST", `/tasks/${a.id}/reassign`, `{"profile":"bob","metadata":${DEEP}}`, unknownKey],
      ["POST", "/links", `{"parent_id":"${a.id}","child_id":"${b.id}","metadata":${DEEP}}`, unknownKey],
      ["POST", "/boards", `{"slug":"ops","metadata":${DEEP}}`, unknownKey],
      ["PATCH", "/boards/default", `{"name":"x","metadata":${DEEP}}`, unknownKey],
      // The same value where a string belongs.
      ["PATCH", `/tasks/${a.id}`, `{"title":${DEEP}}`, /title/],
      ["POST", "/tasks", `{"title":${DEEP}}`, /title/],
    ];
    for (const [method, path, body, detail] of requests) {
      const refusal = await refused(post(h, method, path, body), 400, "invalid_input");
      expect(refusal.detail, `${method} ${path}`).toMatch(detail);
    }
    expect(await boardState(h, k)).toEqual(before);
    expect(h.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });

  it("is refused when too long as JSON, and accepted within the limits", async () => {
    const h = harness();
    const k = await h.k;
    const a = (await createTask(k, { title: "a" })).task;
    const before = await boardState(h, k);
    const long = JSON.stringify({ status: "done", metadata: { blob: "x".repeat(JSON_LIMITS.chars) } });
    const refusal = await refused(post(h, "PATCH", `/tasks/${a.id}`, long), 400, "invalid_input");
    expect(refusal.detail).toMatch(/metadata: JSON longer than 65,536 characters \(the limit is 65,536\)/);
    expect(await boardState(h, k)).toEqual(before);

    const fine = { status: "done", summary: "s", metadata: { nested: JSON.parse(deepText(31)) } };
    await ok(post(h, "PATCH", `/tasks/${a.id}`, JSON.stringify(fine)));
    const detail = TaskDetail.parse(await ok(h.api.tasks[":id"].$get({ param: { id: a.id }, query: {} })));
    expect(detail.runs[0]?.metadata).toEqual(fine.metadata);
  });
});

describe("over-deep rows already on the board", () => {
  it("do not break GET /tasks/:id of the task or its child, nor GET /board", async () => {
    const h = harness();
    const k = await h.k;
    const parent = (await createTask(k, { title: "parent", assignee: "alice", skills: ["x"] })).task;
    const child = (await createTask(k, { title: "child", assignee: "bob", parents: [parent.id] })).task;
    await completeTask(k, parent.id, { summary: "handed off", metadata: { ok: true } });
    // As a board written before the limit (or by another tool) holds them.
    await k.write(async (k) => {
      await k.db.run("UPDATE task_runs SET metadata = ? WHERE task_id = ?", [deepText(3_500), parent.id]);
      await k.db.run("UPDATE tasks SET skills = ? WHERE id = ?", [
        `${"[".repeat(5_000)}${"]".repeat(5_000)}`,
        parent.id,
      ]);
      await k.db.run("UPDATE task_events SET payload = ? WHERE task_id = ? AND kind = 'created'", [
        deepText(5_000),
        child.id,
      ]);
    });

    const detail = TaskDetail.parse(await ok(h.api.tasks[":id"].$get({ param: { id: parent.id }, query: {} })));
    expect(detail.runs[0]?.summary).toBe("handed off");
    expect(JSON.stringify(detail.runs[0]?.metadata)).toMatch(/not shown: it is JSON nested more than 32 levels/);
    expect(detail.task.skills).toBeNull();
    const childDetail = await ok(h.api.tasks[":id"].$get({ param: { id: child.id }, query: {} }));
    expect(childDetail.events.find((e) => e.kind === "created")?.payload).toBeNull();
    const board = BoardResponse.parse(await ok(h.api.board.$get({ query: {} })));
    expect(board.columns.flatMap((c) => c.tasks.map((t) => t.id)).sort()).toEqual([child.id, parent.id].sort());
    expect(h.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });
});
