import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freshBoard, refusal, tempHome } from "../test/fixtures.ts";
import { reportOf, runTogether } from "../test/processes.ts";
import { claimTask } from "./claims.ts";
import { createManualClock, type IdSource, randomIds } from "./clock.ts";
import { completeTask } from "./completion.ts";
import { listEvents } from "./events.ts";
import { type Kernel, openKernel } from "./kernel.ts";
import { parentIds, recomputeReady } from "./links.ts";
import { archiveTask } from "./moves.ts";
import { patchTask } from "./patch.ts";
import { boardPaths, DEFAULT_BOARD } from "./paths.ts";
import {
  assignTask,
  createTask,
  editTask,
  getTask,
  listTasks,
  normalizeAssignee,
  normalizeSkills,
  requireTask,
  setModelOverride,
  setPriority,
} from "./tasks.ts";

async function kernelWithIds(ids: IdSource): Promise<Kernel> {
  return openKernel(boardPaths(tempHome(), DEFAULT_BOARD), { clock: createManualClock(), ids, host: "testhost" });
}

async function taskCount(k: Kernel): Promise<number> {
  return (await k.db.get<{ n: number }>("SELECT count(*) AS n FROM tasks"))?.n ?? 0;
}

async function eventCount(k: Kernel): Promise<number> {
  return (await k.db.get<{ n: number }>("SELECT count(*) AS n FROM task_events"))?.n ?? 0;
}

describe("creating a task", () => {
  it("makes a parentless task ready, in a scratch workspace, created by user", async () => {
    const { k, clock } = await freshBoard();
    const { task, created } = await createTask(k, { title: "  Write the docs  ", body: "**markdown** body" });
    expect(created).toBe(true);
    expect(task).toMatchObject({
      title: "Write the docs",
      body: "**markdown** body",
      status: "ready",
      workspace_kind: "scratch",
      workspace_path: null,
      created_by: "user",
      created_at: clock.now(),
      priority: 0,
      assignee: null,
      spawn_failures: 0,
      current_run_id: null,
      claim_lock: null,
    });
  });

  it("refuses a blank title and writes nothing", async () => {
    const { k } = await freshBoard();
    expect((await refusal(() => createTask(k, { title: "   " }))).code).toBe("invalid_input");
    expect(await taskCount(k)).toBe(0);
    expect(await eventCount(k)).toBe(0);
  });

  it("makes a task with an unfinished parent todo, and ready once the parent completes", async () => {
    const { k } = await freshBoard();
    const parent = (await createTask(k, { title: "parent" })).task;
    const child = (await createTask(k, { title: "child", parents: [parent.id] })).task;
    expect(child.status).toBe("todo");
    expect(await parentIds(k, child.id)).toEqual([parent.id]);
    await completeTask(k, parent.id, { result: "done" });
    expect((await requireTask(k, child.id)).status).toBe("ready");
  });

  it("makes a task whose parents are all done ready at once", async () => {
    const { k } = await freshBoard();
    const parent = (await createTask(k, { title: "parent" })).task;
    await completeTask(k, parent.id);
    expect((await createTask(k, { title: "child", parents: [parent.id] })).task.status).toBe("ready");
  });

  it("refuses an unknown parent, naming it, and writes nothing", async () => {
    const { k } = await freshBoard();
    const real = (await createTask(k, { title: "real" })).task;
    const err = await refusal(() => createTask(k, { title: "orphan", parents: [real.id, "t_deadbeef"] }));
    expect(err.code).toBe("invalid_input");
    expect(err.message).toContain("unknown parent");
    expect(err.message).toContain("t_deadbeef");
    expect(err.message).not.toContain(real.id);
    expect(await taskCount(k)).toBe(1);
  });

  it("refuses an unknown parent in triage mode too", async () => {
    const { k } = await freshBoard();
    const err = await refusal(() => createTask(k, { title: "idea", triage: true, parents: ["t_deadbeef"] }));
    expect(err.message).toContain("unknown parent");
    expect(await taskCount(k)).toBe(0);
  });

  it("puts a triage task in triage whatever its parents, and never promotes it", async () => {
    const { k } = await freshBoard();
    const parent = (await createTask(k, { title: "parent" })).task;
    const idea = (await createTask(k, { title: "idea", triage: true })).task;
    const waiting = (await createTask(k, { title: "waiting idea", triage: true, parents: [parent.id] })).task;
    expect([idea.status, waiting.status]).toEqual(["triage", "triage"]);
    await completeTask(k, parent.id);
    await recomputeReady(k);
    expect((await requireTask(k, idea.id)).status).toBe("triage");
    expect((await requireTask(k, waiting.id)).status).toBe("triage");
  });

  it("de-duplicates parents and records them in the created event with status, tenant and skills", async () => {
    const { k } = await freshBoard();
    const parent = (await createTask(k, { title: "parent" })).task;
    const child = (
      await createTask(k, {
        title: "child",
        assignee: "Bob",
        parents: [parent.id, ` ${parent.id} `, ""],
        tenant: " acme ",
        skills: ["review"],
      })
    ).task;
    expect(await parentIds(k, child.id)).toEqual([parent.id]);
    expect(child.tenant).toBe("acme");
    const created = (await listEvents(k, child.id))[0];
    expect(created?.kind).toBe("created");
    expect(created?.payload).toEqual({
      assignee: "bob",
      status: "todo",
      parents: [parent.id],
      tenant: "acme",
      skills: ["review"],
    });
    expect(created?.run_id).toBeNull();
  });

  it("stores an explicit priority and created_by, and refuses a fractional priority", async () => {
    const { k } = await freshBoard();
    expect((await createTask(k, { title: "urgent", priority: 7, created_by: "orchestrator" })).task).toMatchObject({
      priority: 7,
      created_by: "orchestrator",
    });
    expect((await refusal(() => createTask(k, { title: "odd", priority: 1.5 }))).code).toBe("invalid_input");
    expect(await taskCount(k)).toBe(1);
  });
});

describe("workspaces on create", () => {
  it("refuses an unknown workspace kind", async () => {
    const { k } = await freshBoard();
    const err = await refusal(() => createTask(k, { title: "t", workspace_kind: "cloud" as "dir" }));
    expect(err.code).toBe("invalid_input");
    expect(err.message).toContain("unknown workspace kind 'cloud'");
    expect(await taskCount(k)).toBe(0);
  });

  it.each(["dir", "worktree", "scratch"] as const)("refuses a relative %s path", async (kind) => {
    const { k } = await freshBoard();
    const err = await refusal(() => createTask(k, { title: "t", workspace_kind: kind, workspace_path: "work/here" }));
    expect(err.code).toBe("invalid_input");
    expect(err.message).toContain("must be an absolute path");
    expect(await taskCount(k)).toBe(0);
  });

  it.each(["dir", "worktree", "scratch"] as const)("accepts an absolute %s path", async (kind) => {
    const { k } = await freshBoard();
    const task = (await createTask(k, { title: "t", workspace_kind: kind, workspace_path: "/srv/work" })).task;
    expect([task.workspace_kind, task.workspace_path]).toEqual([kind, "/srv/work"]);
  });

  it("expands ~ in a workspace path", async () => {
    const { k } = await freshBoard();
    const task = (await createTask(k, { title: "t", workspace_kind: "dir", workspace_path: "~/proj" })).task;
    expect(task.workspace_path).toBe(join(homedir(), "proj"));
  });

  it("refuses dir without a path", async () => {
    const { k } = await freshBoard();
    for (const workspace_path of [undefined, null, "  "]) {
      const err = await refusal(() => createTask(k, { title: "t", workspace_kind: "dir", workspace_path }));
      expect(err.message).toContain("needs an absolute workspace_path");
    }
    expect(await taskCount(k)).toBe(0);
  });

  it("leaves worktree without a path for the dispatcher to resolve", async () => {
    const { k } = await freshBoard();
    expect((await createTask(k, { title: "t", workspace_kind: "worktree" })).task.workspace_path).toBeNull();
  });
});

describe("task ids", () => {
  it("are t_ and 8 lowercase hex digits, and 500 random creates give 500 different ids", async () => {
    const k = await kernelWithIds(randomIds);
    const ids = new Set<string>();
    await k.write(async (k) => {
      for (let i = 0; i < 500; i++) ids.add((await createTask(k, { title: `task ${i}` })).task.id);
    });
    expect(ids.size).toBe(500);
    for (const id of ids) expect(id).toMatch(/^t_[0-9a-f]{8}$/);
    await k.close();
  });

  it("retry with a new id when the first one is taken", async () => {
    const script = ["t_00000001", "t_00000001", "t_00000002"];
    const k = await kernelWithIds({ taskId: () => script.shift() ?? "t_ffffffff" });
    expect((await createTask(k, { title: "first" })).task.id).toBe("t_00000001");
    expect((await createTask(k, { title: "second" })).task.id).toBe("t_00000002");
    expect((await requireTask(k, "t_00000001")).title).toBe("first");
    await k.close();
  });

  it("refuses, writing nothing, when no free id can be found", async () => {
    const k = await kernelWithIds({ taskId: () => "t_00000001" });
    await createTask(k, { title: "first" });
    const err = await refusal(() => createTask(k, { title: "second" }));
    expect(err.code).toBe("internal");
    expect(await taskCount(k)).toBe(1);
    expect(await eventCount(k)).toBe(1);
    await k.close();
  });
});

describe("idempotency keys", () => {
  it("return the same task for the same key, and the first title wins", async () => {
    const { k } = await freshBoard();
    const first = await createTask(k, { title: "first title", idempotency_key: "nightly-42" });
    const second = await createTask(k, { title: "second title", idempotency_key: " nightly-42 " });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.task.id).toBe(first.task.id);
    expect(second.task.title).toBe("first title");
    expect(await taskCount(k)).toBe(1);
    expect((await listEvents(k, first.task.id)).map((e) => e.kind)).toEqual(["created"]);
  });

  it("do not collide across different keys or without a key", async () => {
    const { k } = await freshBoard();
    const a = (await createTask(k, { title: "a", idempotency_key: "k1" })).task;
    const b = (await createTask(k, { title: "b", idempotency_key: "k2" })).task;
    const c = (await createTask(k, { title: "c" })).task;
    const d = (await createTask(k, { title: "c" })).task;
    expect(new Set([a.id, b.id, c.id, d.id]).size).toBe(4);
  });

  it("do not let an archived task block a new create with the same key", async () => {
    const { k } = await freshBoard();
    const old = (await createTask(k, { title: "old", idempotency_key: "weekly" })).task;
    await archiveTask(k, old.id);
    const fresh = await createTask(k, { title: "new", idempotency_key: "weekly" });
    expect(fresh.created).toBe(true);
    expect(fresh.task.id).not.toBe(old.id);
    expect((await createTask(k, { title: "again", idempotency_key: "weekly" })).task.id).toBe(fresh.task.id);
  });

  it("give one task to several processes creating with the same key at the same moment", async () => {
    const home = tempHome();
    await (await openKernel(boardPaths(home, DEFAULT_BOARD))).close();
    const results = await runTogether(
      Array.from({ length: 4 }, () => ({ script: "create-task.ts", args: [home.root, "deploy-2026-05-21"] })),
    );
    const reports = results.map((r) => reportOf<{ id: string; title: string; created: boolean }>(r));
    expect(new Set(reports.map((r) => r.id)).size).toBe(1);
    expect(new Set(reports.map((r) => r.title)).size).toBe(1);
    expect(reports.filter((r) => r.created)).toHaveLength(1);
    const k = await openKernel(boardPaths(home, DEFAULT_BOARD));
    expect(await taskCount(k)).toBe(1);
    expect(await eventCount(k)).toBe(1);
    await k.close();
  });

  it("still return the existing task when the repeated create would have been refused", async () => {
    const { k } = await freshBoard();
    const first = (await createTask(k, { title: "first", idempotency_key: "k" })).task;
    expect((await createTask(k, { title: "second", idempotency_key: "k", parents: ["t_deadbeef"] })).task.id).toBe(
      first.id,
    );
  });
});

describe("skills", () => {
  it("are trimmed, emptied of blanks and de-duplicated in order", async () => {
    const { k } = await freshBoard();
    const task = (await createTask(k, { title: "t", skills: [" review ", "", "tests", "review", "  "] })).task;
    expect(task.skills).toEqual(["review", "tests"]);
    const stored = await k.db.get("SELECT skills FROM tasks WHERE id = ?", [task.id]);
    expect(stored).toEqual({ skills: '["review","tests"]' });
  });

  it("are null by default and an empty list stays an empty list", async () => {
    const { k } = await freshBoard();
    expect((await createTask(k, { title: "none" })).task.skills).toBeNull();
    expect((await createTask(k, { title: "empty", skills: [] })).task.skills).toEqual([]);
    expect(normalizeSkills(undefined)).toBeNull();
  });

  it("refuse a name with a comma, asking for a list", async () => {
    const { k } = await freshBoard();
    const err = await refusal(() => createTask(k, { title: "t", skills: ["review,tests"] }));
    expect(err.code).toBe("invalid_input");
    expect(err.message).toContain("pass a list");
    expect(await taskCount(k)).toBe(0);
  });
});

describe("max runtime", () => {
  it("stores 0 as NULL (no cap) and keeps a positive cap", async () => {
    const { k } = await freshBoard();
    expect((await createTask(k, { title: "zero", max_runtime_seconds: 0 })).task.max_runtime_seconds).toBeNull();
    expect((await createTask(k, { title: "hour", max_runtime_seconds: 3600 })).task.max_runtime_seconds).toBe(3600);
    const stored = await k.db.get("SELECT max_runtime_seconds FROM tasks WHERE title = 'zero'");
    expect(stored).toEqual({ max_runtime_seconds: null });
  });

  it("refuses a negative or fractional cap", async () => {
    const { k } = await freshBoard();
    expect((await refusal(() => createTask(k, { title: "t", max_runtime_seconds: -1 }))).code).toBe("invalid_input");
    expect((await refusal(() => createTask(k, { title: "t", max_runtime_seconds: 1.5 }))).code).toBe("invalid_input");
    expect(await taskCount(k)).toBe(0);
  });
});

describe("assignees", () => {
  it("are lowercased and trimmed; blank means unassigned", async () => {
    const { k } = await freshBoard();
    expect((await createTask(k, { title: "t", assignee: "Jules" })).task.assignee).toBe("jules");
    expect((await createTask(k, { title: "t", assignee: "  DEFAULT " })).task.assignee).toBe("default");
    expect((await createTask(k, { title: "t", assignee: "  " })).task.assignee).toBeNull();
    expect(normalizeAssignee(null)).toBeNull();
  });

  it("filter the list case-insensitively", async () => {
    const { k } = await freshBoard();
    await createTask(k, { title: "for jules", assignee: "Jules" });
    await createTask(k, { title: "for bob", assignee: "bob" });
    expect((await listTasks(k, { assignee: "JULES" })).map((t) => t.title)).toEqual(["for jules"]);
    expect((await listTasks(k, { assignee: " jules " })).map((t) => t.title)).toEqual(["for jules"]);
  });

  it("can be changed on a task that is not running, with an assigned event", async () => {
    const { k } = await freshBoard();
    const task = (await createTask(k, { title: "t", assignee: "alice" })).task;
    expect((await assignTask(k, task.id, "Bob")).assignee).toBe("bob");
    expect((await assignTask(k, task.id, null)).assignee).toBeNull();
    const assigned = (await listEvents(k, task.id)).filter((e) => e.kind === "assigned");
    expect(assigned.map((e) => e.payload)).toEqual([{ assignee: "bob" }, { assignee: null }]);
  });

  it("cannot be changed while the task runs under a claim: task_running, nothing written", async () => {
    const { k } = await freshBoard();
    const task = (await createTask(k, { title: "t", assignee: "alice" })).task;
    await claimTask(k, task.id);
    const events = await eventCount(k);
    const err = await refusal(() => assignTask(k, task.id, "bob"));
    expect(err.code).toBe("task_running");
    expect(err.message).toContain("currently running");
    expect((await requireTask(k, task.id)).assignee).toBe("alice");
    expect(await eventCount(k)).toBe(events);
  });

  it("refuse an unknown task with not_found", async () => {
    const { k } = await freshBoard();
    expect((await refusal(() => assignTask(k, "t_deadbeef", "bob"))).code).toBe("not_found");
  });
});

describe("listing tasks", () => {
  it("hides archived tasks by default and shows them on request", async () => {
    const { k } = await freshBoard();
    const keep = (await createTask(k, { title: "keep" })).task;
    const gone = (await createTask(k, { title: "gone" })).task;
    await archiveTask(k, gone.id);
    expect((await listTasks(k)).map((t) => t.id)).toEqual([keep.id]);
    expect((await listTasks(k, { includeArchived: true })).map((t) => t.id)).toEqual([keep.id, gone.id]);
    expect((await listTasks(k, { status: "archived" })).map((t) => t.id)).toEqual([gone.id]);
    expect((await getTask(k, gone.id))?.status).toBe("archived");
  });

  it("orders by priority, then age", async () => {
    const { k, clock } = await freshBoard();
    const old = (await createTask(k, { title: "old" })).task;
    clock.advance(10);
    const urgent = (await createTask(k, { title: "urgent", priority: 5 })).task;
    const young = (await createTask(k, { title: "young" })).task;
    expect((await listTasks(k)).map((t) => t.id)).toEqual([urgent.id, old.id, young.id]);
    expect((await listTasks(k, { limit: 2 })).map((t) => t.id)).toEqual([urgent.id, old.id]);
  });

  it("lists tasks created in the same second in insertion order, not id order", async () => {
    // Random ids fall in any order; these fall in descending order, so id order would reverse them.
    let n = 0xffff;
    const { k } = await freshBoard({ ids: { taskId: () => `t_0000${(n--).toString(16)}` } });
    const titles = ["first", "second", "third", "fourth"];
    const made: string[] = [];
    for (const title of titles) made.push((await createTask(k, { title })).task.id);
    expect([...made].sort()).toEqual([...made].reverse());
    expect((await listTasks(k)).map((t) => t.title)).toEqual(titles);
    expect((await listTasks(k, { status: "ready", limit: 2 })).map((t) => t.title)).toEqual(["first", "second"]);
    const urgent = (await createTask(k, { title: "urgent", priority: 1 })).task;
    expect((await listTasks(k)).map((t) => t.id)).toEqual([urgent.id, ...made]);
  });

  it("filters by tenant", async () => {
    const { k } = await freshBoard();
    await createTask(k, { title: "acme work", tenant: "acme" });
    await createTask(k, { title: "globex work", tenant: "globex" });
    await createTask(k, { title: "no tenant" });
    expect((await listTasks(k, { tenant: "acme" })).map((t) => t.title)).toEqual(["acme work"]);
    expect((await listTasks(k)).length).toBe(3);
  });

  it("gives null for an unknown id, and requireTask refuses it with not_found", async () => {
    const { k } = await freshBoard();
    expect(await getTask(k, "t_deadbeef")).toBeNull();
    expect((await refusal(() => requireTask(k, "t_deadbeef"))).code).toBe("not_found");
  });
});

describe("editing a task", () => {
  it("records a priority change as reprioritized", async () => {
    const { k } = await freshBoard();
    const task = (await createTask(k, { title: "t" })).task;
    expect((await setPriority(k, task.id, -3)).priority).toBe(-3);
    const last = (await listEvents(k, task.id)).at(-1);
    expect([last?.kind, last?.payload]).toEqual(["reprioritized", { priority: -3 }]);
  });

  it("refuses a fractional priority or an unknown task without an event", async () => {
    const { k } = await freshBoard();
    const task = (await createTask(k, { title: "t" })).task;
    expect((await refusal(() => setPriority(k, task.id, 0.5))).code).toBe("invalid_input");
    expect((await refusal(() => setPriority(k, "t_deadbeef", 1))).code).toBe("not_found");
    expect(await eventCount(k)).toBe(1);
  });

  it("records a title or body edit as edited with no payload", async () => {
    const { k } = await freshBoard();
    const task = (await createTask(k, { title: "old", body: "old body" })).task;
    const edited = await editTask(k, task.id, { title: "  new  ", body: null });
    expect([edited.title, edited.body]).toEqual(["new", null]);
    expect(await editTask(k, task.id, { body: "fresh" })).toMatchObject({ title: "new", body: "fresh" });
    const edits = (await listEvents(k, task.id)).filter((e) => e.kind === "edited");
    expect(edits.map((e) => [e.payload, e.run_id])).toEqual([
      [null, null],
      [null, null],
    ]);
  });

  it("refuses an empty title, keeping the old one", async () => {
    const { k } = await freshBoard();
    const task = (await createTask(k, { title: "keep" })).task;
    expect((await refusal(() => editTask(k, task.id, { title: "  " }))).code).toBe("invalid_input");
    expect((await refusal(() => editTask(k, "t_deadbeef", { title: "x" }))).code).toBe("not_found");
    expect((await requireTask(k, task.id)).title).toBe("keep");
  });
});

describe("a task's own model (model_override, SPEC §14)", () => {
  it("is set at creation, changed and cleared, each change an edited event naming the field", async () => {
    const { k } = await freshBoard();
    const { task } = await createTask(k, { title: "t", assignee: "coder", model_override: "  opus " });
    expect(task.model_override).toBe("opus");
    expect((await setModelOverride(k, task.id, "openai/gpt-5")).model_override).toBe("openai/gpt-5");
    expect((await setModelOverride(k, task.id, null)).model_override).toBeNull();
    expect((await requireTask(k, task.id)).model_override).toBeNull();
    const edits = (await listEvents(k, task.id)).filter((e) => e.kind === "edited");
    expect(edits.map((e) => e.payload)).toEqual([{ fields: ["model_override"] }, { fields: ["model_override"] }]);
  });

  it("refuses a model name with a space, a blank one, or one for a task that does not exist", async () => {
    const { k } = await freshBoard();
    const { task } = await createTask(k, { title: "t" });
    expect((await refusal(() => setModelOverride(k, task.id, "two words"))).message).toContain("one word");
    expect((await refusal(() => setModelOverride(k, task.id, "  "))).code).toBe("invalid_input");
    expect((await refusal(() => createTask(k, { title: "u", model_override: "a\tb" }))).code).toBe("invalid_input");
    expect((await refusal(() => setModelOverride(k, "t_deadbeef", "opus"))).code).toBe("not_found");
  });

  it("is changed by a PATCH with the other fields, and null goes back to the profile's", async () => {
    const { k } = await freshBoard();
    const { task } = await createTask(k, { title: "t", model_override: "opus" });
    const { task: patched } = await patchTask(k, task.id, { priority: 2, model_override: "sonnet" });
    expect(patched).toMatchObject({ priority: 2, model_override: "sonnet" });
    expect((await patchTask(k, task.id, { model_override: null })).task.model_override).toBeNull();
  });
});
