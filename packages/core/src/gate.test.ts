import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { claimTask } from "./claims.ts";
import { completeTask } from "./completion.ts";
import { listEvents } from "./events.ts";
import { findTaskRefs, normalizeCards, phantomRefs, verifyCreatedCards } from "./gate.ts";
import type { Kernel } from "./kernel.ts";
import { linkTasks } from "./links.ts";
import { getRun } from "./runs.ts";
import { createTask, requireTask } from "./tasks.ts";

/** Alice's running task, and a card she really created. */
async function aliceAtWork(k: Kernel) {
  const t = (await createTask(k, { title: "triage the crash reports", assignee: "alice" })).task;
  const runId = (await claimTask(k, t.id))?.current_run_id as number;
  const card = (await createTask(k, { title: "fix the null deref", created_by: "alice" })).task;
  return { id: t.id, runId, card: card.id };
}

describe("the created_cards gate", () => {
  it("records all-verified cards as verified_cards in the completed payload", async () => {
    const { k } = await freshBoard();
    const { id, card } = await aliceAtWork(k);
    const second = (await createTask(k, { title: "add a regression test", created_by: "alice" })).task;
    const done = await completeTask(k, id, {
      result: "filed two cards",
      created_cards: [card, ` ${second.id} `, card],
    });
    expect(done.verified_cards).toEqual([card, second.id]);
    expect((await listEvents(k, id)).find((e) => e.kind === "completed")?.payload).toMatchObject({
      verified_cards: [card, second.id],
    });
  });

  it("refuses a phantom id, naming exactly the phantom ids, and leaves the task as it was", async () => {
    const { k } = await freshBoard();
    const { id, runId, card } = await aliceAtWork(k);
    const before = await requireTask(k, id);
    const err = await refusal(() =>
      completeTask(k, id, {
        summary: "made the cards\nsee them",
        result: "ok",
        created_cards: [card, "t_deadbeefcafe"],
        runId,
      }),
    );
    expect(err.code).toBe("hallucinated_cards");
    expect(err.facts.phantom_cards).toEqual(["t_deadbeefcafe"]);
    expect(err.facts.verified_cards).toEqual([card]);
    expect(err.message).toContain("t_deadbeefcafe");
    expect(await requireTask(k, id)).toEqual(before);
    expect(await requireTask(k, id)).toMatchObject({
      status: "running",
      claim_lock: "testhost:4242",
      current_run_id: runId,
    });
    expect(await getRun(k, runId)).toMatchObject({ ended_at: null, status: "running" });
    const events = await listEvents(k, id);
    expect(events.some((e) => e.kind === "completed")).toBe(false);
    const audit = events.filter((e) => e.kind === "completion_blocked_hallucination");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      run_id: null,
      payload: { phantom_cards: ["t_deadbeefcafe"], verified_cards: [card], summary_preview: "made the cards" },
    });
  });

  it("tells the worker how to retry: correct created_cards or leave it out", async () => {
    const { k } = await freshBoard();
    const { id } = await aliceAtWork(k);
    const err = await refusal(() => completeTask(k, id, { created_cards: ["t_deadbeefcafe"] }));
    expect(err.message).toMatch(/retry/i);
    expect(err.message).toContain("created_cards");
    expect(err.message).toMatch(/leave created_cards out|omit/i);
  });

  it("lets the worker retry successfully once the phantom id is dropped", async () => {
    const { k } = await freshBoard();
    const { id, runId, card } = await aliceAtWork(k);
    await refusal(() => completeTask(k, id, { created_cards: [card, "t_deadbeefcafe"], runId }));
    const done = await completeTask(k, id, { created_cards: [card], runId });
    expect(done.task.status).toBe("done");
    expect((await getRun(k, runId))?.outcome).toBe("completed");
  });

  it("rejects a card created by another profile", async () => {
    const { k } = await freshBoard();
    const { id } = await aliceAtWork(k);
    const bobs = (await createTask(k, { title: "bob's card", created_by: "bob" })).task;
    const err = await refusal(() => completeTask(k, id, { created_cards: [bobs.id] }));
    expect(err.code).toBe("hallucinated_cards");
    expect(err.facts.phantom_cards).toEqual([bobs.id]);
    expect((await requireTask(k, id)).status).toBe("running");
  });

  it("accepts a card created by someone else when it is a linked child of the completing task", async () => {
    const { k } = await freshBoard();
    const { id } = await aliceAtWork(k);
    const child = (await createTask(k, { title: "follow-up by the orchestrator", created_by: "orchestrator" })).task;
    await linkTasks(k, id, child.id);
    const done = await completeTask(k, id, { created_cards: [child.id] });
    expect(done.verified_cards).toEqual([child.id]);
  });

  it("accepts a card whose created_by is the completing task's id", async () => {
    const { k } = await freshBoard();
    const { id } = await aliceAtWork(k);
    const card = (await createTask(k, { title: "made by the task", created_by: id })).task;
    expect((await completeTask(k, id, { created_cards: [card.id] })).verified_cards).toEqual([card.id]);
  });

  it("does not accept a card as the parent of the completing task", async () => {
    const { k } = await freshBoard();
    const parent = (await createTask(k, { title: "parent by someone", created_by: "carol" })).task;
    const t = (await createTask(k, { title: "child task", assignee: "alice", parents: [parent.id] })).task;
    await completeTask(k, parent.id);
    expect(await verifyCreatedCards(k, t.id, [parent.id])).toEqual({ verified: [], phantom: [parent.id] });
  });

  it("treats every card as phantom when the completing task does not exist", async () => {
    const { k } = await freshBoard();
    const card = (await createTask(k, { title: "c", created_by: "alice" })).task;
    expect(await verifyCreatedCards(k, "t_ffffffff", [card.id])).toEqual({ verified: [], phantom: [card.id] });
  });

  it("skips the gate when created_cards is empty, blank or missing", async () => {
    const { k } = await freshBoard();
    for (const cards of [[], ["  ", ""], null, undefined]) {
      const { id } = await aliceAtWork(k);
      const done = await completeTask(k, id, { result: "ok", created_cards: cards });
      expect(done.task.status).toBe("done");
      expect(done.verified_cards).toEqual([]);
      const events = await listEvents(k, id);
      expect(events.some((e) => e.kind === "completion_blocked_hallucination")).toBe(false);
      expect(events.find((e) => e.kind === "completed")?.payload).not.toHaveProperty("verified_cards");
    }
  });
});

describe("normalizeCards", () => {
  it("trims, drops blanks and de-duplicates in order", () => {
    expect(normalizeCards([" t_1 ", "", "t_2", "t_1", "   "])).toEqual(["t_1", "t_2"]);
    expect(normalizeCards(null)).toEqual([]);
  });
});

describe("the prose scan", () => {
  it("flags a task id in the summary that names no task, on the completed run", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await aliceAtWork(k);
    const done = await completeTask(k, id, { summary: "fixed it; also saw t_abcd1234ffff failing in CI" });
    expect(done.task.status).toBe("done");
    expect(done.phantom_refs).toEqual(["t_abcd1234ffff"]);
    const events = await listEvents(k, id);
    const kinds = events.map((e) => e.kind);
    expect(kinds.indexOf("suspected_hallucinated_references")).toBeGreaterThan(kinds.indexOf("completed"));
    expect(events.find((e) => e.kind === "suspected_hallucinated_references")).toMatchObject({
      run_id: runId,
      payload: { phantom_refs: ["t_abcd1234ffff"], source: "completion_summary" },
    });
  });

  it("scans the result as well as the summary", async () => {
    const { k } = await freshBoard();
    const { id } = await aliceAtWork(k);
    expect((await completeTask(k, id, { summary: "done", result: "see t_0123456789" })).phantom_refs).toEqual([
      "t_0123456789",
    ]);
  });

  it("ignores real ids, uppercase hex, short ids and ids running into a word character", async () => {
    const { k } = await freshBoard();
    const { id, card } = await aliceAtWork(k);
    const done = await completeTask(k, id, {
      summary: `see ${card} and ${id}; not t_ABCD1234FFFF, not t_abc123, not t_abcd1234_x`,
    });
    expect(done.phantom_refs).toEqual([]);
    expect((await listEvents(k, id)).some((e) => e.kind === "suspected_hallucinated_references")).toBe(false);
  });

  it("does not flag ids that were verified cards", async () => {
    const { k } = await freshBoard();
    expect(await phantomRefs(k, ["made t_aaaaaaaa1 and t_bbbbbbbb2"], ["t_aaaaaaaa1"])).toEqual(["t_bbbbbbbb2"]);
  });

  it("finds ids de-duplicated in order, and nothing in empty text", async () => {
    expect(findTaskRefs("t_22222222 then t_11111111 then t_22222222")).toEqual(["t_22222222", "t_11111111"]);
    const { k } = await freshBoard();
    expect(await phantomRefs(k, [null, undefined, "  "], [])).toEqual([]);
  });
});
