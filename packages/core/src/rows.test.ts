import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { boardView } from "./board-view.ts";
import { claimTask } from "./claims.ts";
import { completeTask, editCompletedResult } from "./completion.ts";
import { buildWorkerContext } from "./context.ts";
import { taskDetail } from "./detail.ts";
import { listEvents } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { bulkUpdate, patchTask } from "./patch.ts";
import { UNREADABLE_METADATA_KEY } from "./rows.ts";
import { listRuns } from "./runs.ts";
import { createTask, listTasks } from "./tasks.ts";

/** `{"a":{"a":…1…}}` nested `depth` deep, as text: JSON.stringify itself overflows the stack past ~4,000. */
function deepText(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

const deep = () => JSON.parse(deepText(5_000)) as Record<string, unknown>;

/** Every row of every table, to show that a refusal stored nothing. */
async function snapshot(k: Kernel): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of ["tasks", "task_links", "task_comments", "task_events", "task_runs", "kanban_notify_subs"]) {
    // In a fixed order that does not depend on the storage (PostgreSQL has no rowid on every table).
    out[t] = (await k.db.all(`SELECT * FROM ${t}`, [])).sort((a, b) =>
      JSON.stringify(a) < JSON.stringify(b) ? -1 : 1,
    );
  }
  return out;
}

describe("free-form JSON going in is bounded by the kernel too", () => {
  it("refuses metadata nested 5,000 deep on every kernel path that takes it, and stores nothing", async () => {
    const { k } = await freshBoard();
    const open = (await createTask(k, { title: "open", assignee: "alice" })).task;
    const claimed = (await createTask(k, { title: "claimed", assignee: "alice" })).task;
    const run = (await claimTask(k, claimed.id))?.current_run_id as number;
    const done = (await createTask(k, { title: "done" })).task;
    await completeTask(k, done.id, { summary: "first" });
    const before = await snapshot(k);

    const attempts: Array<[string, () => Promise<unknown>]> = [
      ["completeTask", () => completeTask(k, open.id, { summary: "s", metadata: deep() })],
      ["completeTask of a run", () => completeTask(k, claimed.id, { summary: "s", metadata: deep(), runId: run })],
      // The card gate would record an event before the completion: the bound comes first.
      [
        "completeTask with cards",
        () => completeTask(k, open.id, { summary: "s", metadata: deep(), created_cards: ["t_nope"] }),
      ],
      ["editCompletedResult", () => editCompletedResult(k, done.id, { result: "r", metadata: deep() })],
      ["patchTask", () => patchTask(k, open.id, { status: "done", metadata: deep() })],
      ["bulkUpdate", () => bulkUpdate(k, { ids: [open.id, claimed.id], archive: false, metadata: deep() })],
      ["too long", () => completeTask(k, open.id, { metadata: { blob: "x".repeat(70_000) } })],
    ];
    for (const [what, attempt] of attempts) {
      const err = await refusal(attempt);
      expect(err.code, what).toBe("invalid_input");
      expect(err.message, what).toMatch(/^metadata: JSON (nested more than 32 levels deep|longer than 65,536)/);
    }
    expect(await snapshot(k)).toEqual(before);
  });

  it("keeps metadata within the limits as it was given", async () => {
    const { k } = await freshBoard();
    const { task } = await createTask(k, { title: "x" });
    const metadata = { depth: JSON.parse(deepText(31)), files: ["a.ts"] };
    await completeTask(k, task.id, { summary: "s", metadata });
    expect((await listRuns(k, task.id))[0]?.metadata).toEqual(metadata);
  });
});

describe("stored JSON that cannot be shown does not break a reader", () => {
  /** A done parent whose handoff run holds `metadata` as stored text, and a child waiting on it. */
  async function storedHandoff(metadata: string) {
    const board = await freshBoard();
    const { k } = board;
    const parent = (await createTask(k, { title: "parent", assignee: "alice" })).task;
    const child = (await createTask(k, { title: "child", assignee: "bob", parents: [parent.id] })).task;
    await completeTask(k, parent.id, { summary: "done it", metadata: { ok: true } });
    await k.write((k) => k.db.run("UPDATE task_runs SET metadata = ? WHERE task_id = ?", [metadata, parent.id]));
    return { ...board, parent, child };
  }

  it.each([
    ["nested 5,000 deep", deepText(5_000), /not shown: it is JSON nested more than 32 levels deep/],
    ["nested 3,500 deep", deepText(3_500), /not shown: it is JSON nested more than 32 levels deep/],
    ["not JSON", '{"a": [1, 2', /not shown: it is not valid JSON/],
  ])(
    "shows run metadata %s as a note in detail, runs and the worker context of the task and its child",
    async (_, stored, note) => {
      const { k, parent, child } = await storedHandoff(stored);
      const detail = await taskDetail(k, parent.id);
      const metadata = detail.runs[0]?.metadata;
      expect(Object.keys(metadata ?? {})).toEqual([UNREADABLE_METADATA_KEY]);
      expect(metadata?.[UNREADABLE_METADATA_KEY]).toMatch(note);
      expect(() => JSON.stringify(detail)).not.toThrow();
      expect((await listRuns(k, parent.id))[0]?.summary).toBe("done it");
      expect(await buildWorkerContext(k, parent.id)).toMatch(note);
      const childContext = await buildWorkerContext(k, child.id);
      expect(childContext).toContain("done it");
      expect(childContext).toMatch(note);
    },
  );

  it("reads over-deep skills and event payloads as null, and lists and views the board", async () => {
    const { k } = await freshBoard();
    const { task } = await createTask(k, { title: "x", skills: ["review"] });
    await k.write(async (k) => {
      await k.db.run("UPDATE tasks SET skills = ? WHERE id = ?", [`${"[".repeat(5_000)}${"]".repeat(5_000)}`, task.id]);
      await k.db.run("UPDATE task_events SET payload = ? WHERE task_id = ?", [deepText(5_000), task.id]);
    });
    const listed = await listTasks(k);
    expect(listed.map((t) => [t.id, t.skills])).toEqual([[task.id, null]]);
    expect((await listEvents(k, task.id)).map((e) => [e.kind, e.payload])).toEqual([["created", null]]);
    expect(() => JSON.stringify(listed)).not.toThrow();
    const view = await boardView(k);
    expect(() => JSON.stringify(view)).not.toThrow();
    const detail = await taskDetail(k, task.id);
    expect(detail.task.skills).toBeNull();
    expect(() => JSON.stringify(detail)).not.toThrow();
  });
});
