import { existsSync } from "node:fs";
import { BoardResponse, TaskDetail } from "@switchyard/contract";
import {
  blockTask,
  boardPaths,
  claimTask,
  completeTask,
  createBoard,
  createTask,
  isCoreError,
  openKernel,
  recordFailure,
  unblockTask,
} from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { harness, ok, refused } from "./helpers.ts";

const PROFILES = `
profiles:
  alice:
    command: ["true"]
    max_in_progress: 2
  bob:
    command: ["true"]
dispatch:
  max_in_progress: 3
`;

async function phantomCompletion(h: ReturnType<typeof harness>, id: string) {
  try {
    await completeTask(await h.k, id, { summary: "made cards", created_cards: ["t_deadbeefcafe"] });
  } catch (err) {
    if (isCoreError(err, "hallucinated_cards")) return;
    throw err;
  }
  throw new Error("the gate should have refused the phantom card");
}

describe("GET /board", () => {
  it("shows an empty board with its six columns and no events", async () => {
    const h = harness();
    const board = BoardResponse.parse(await ok(h.api.board.$get({ query: {} })));
    expect(board.columns.map((c) => c.name)).toEqual(["triage", "todo", "ready", "running", "blocked", "done"]);
    expect(board.columns.every((c) => c.tasks.length === 0)).toBe(true);
    expect(board.latest_event_id).toBe(0);
    expect(board.now).toBe(1_700_000_000);
  });

  it("serves an unchanged board again with ages at the time of the request, and shows any write at once", async () => {
    const h = harness();
    const k = await h.k;
    const first = (await createTask(k, { title: "first" })).task;
    const cards = async () => (await ok(h.api.board.$get({ query: {} }))).columns.flatMap((c) => c.tasks);
    expect((await cards()).map((t) => [t.id, t.age.created_age_seconds])).toEqual([[first.id, 0]]);
    h.clock.advance(42);
    const later = await ok(h.api.board.$get({ query: {} }));
    expect(later.now).toBe(1_700_000_042);
    expect(later.columns.flatMap((c) => c.tasks).map((t) => [t.id, t.age.created_age_seconds])).toEqual([
      [first.id, 42],
    ]);
    // A write through the app's own connection, then one through another connection to the same file.
    const second = (await createTask(k, { title: "second" })).task;
    expect((await cards()).map((t) => t.id)).toEqual([first.id, second.id]);
    const other = await openKernel(boardPaths(h.home, "default"), { clock: h.clock });
    try {
      await completeTask(other, first.id, { result: "done elsewhere" });
    } finally {
      await other.close();
    }
    const board = await ok(h.api.board.$get({ query: {} }));
    expect(board.columns.find((c) => c.name === "done")?.tasks.map((t) => t.id)).toEqual([first.id]);
    expect(board.latest_event_id).toBeGreaterThan(later.latest_event_id);
  });

  it("creates the board's database on first use of a fresh home", async () => {
    const h = harness();
    const db = boardPaths(h.home, "default").dbPath;
    expect(existsSync(db)).toBe(false);
    await ok(h.api.board.$get({ query: {} }));
    expect(existsSync(db)).toBe(true);
  });

  it("puts a created task in its column with age, counts and progress", async () => {
    const h = harness();
    const k = await h.k;
    const parent = (await createTask(k, { title: "parent" })).task;
    const child = (await createTask(k, { title: "child", parents: [parent.id] })).task;
    await createTask(k, { title: "second child", parents: [parent.id] });
    h.clock.advance(30);
    const board = await ok(h.api.board.$get({ query: {} }));
    const ready = board.columns.find((c) => c.name === "ready")?.tasks ?? [];
    const todo = board.columns.find((c) => c.name === "todo")?.tasks ?? [];
    expect(ready.map((t) => t.id)).toEqual([parent.id]);
    expect(ready[0]?.age.created_age_seconds).toBe(30);
    expect(ready[0]?.link_counts).toEqual({ parents: 0, children: 2 });
    expect(ready[0]?.progress).toEqual({ done: 0, total: 2 });
    expect(todo.find((t) => t.id === child.id)?.waiting_on).toEqual([parent.id]);
    expect(board.latest_event_id).toBeGreaterThan(0);
  });

  it("rolls the children's progress up from 0/2 to 1/2", async () => {
    const h = harness();
    const k = await h.k;
    const parent = (await createTask(k, { title: "parent" })).task;
    const a = (await createTask(k, { title: "a", parents: [parent.id] })).task;
    await createTask(k, { title: "b", parents: [parent.id] });
    await completeTask(k, parent.id, { result: "ok" });
    await completeTask(k, a.id, { result: "ok" });
    const board = await ok(h.api.board.$get({ query: {} }));
    const done = board.columns.find((c) => c.name === "done")?.tasks ?? [];
    expect(done.find((t) => t.id === parent.id)?.progress).toEqual({ done: 1, total: 2 });
  });

  it("filters by tenant and shows archived tasks only when asked", async () => {
    const h = harness();
    const k = await h.k;
    await createTask(k, { title: "acme work", tenant: "acme" });
    await createTask(k, { title: "other work", tenant: "other" });
    const archived = (await createTask(k, { title: "old", tenant: "acme" })).task;
    await ok(h.api.tasks[":id"].$patch({ param: { id: archived.id }, query: {}, json: { status: "archived" } }));

    const acme = await ok(h.api.board.$get({ query: { tenant: "acme" } }));
    expect(acme.columns.flatMap((c) => c.tasks.map((t) => t.title))).toEqual(["acme work"]);
    expect(acme.tenants).toEqual(["acme", "other"]);

    const all = await ok(h.api.board.$get({ query: { tenant: "acme", include_archived: "true" } }));
    expect(all.columns.map((c) => c.name)).toContain("archived");
    expect(all.columns.find((c) => c.name === "archived")?.tasks.map((t) => t.id)).toEqual([archived.id]);
  });

  it("surfaces a hallucination warning, and clears it after a clean completion (reference §14.2)", async () => {
    const h = harness();
    const k = await h.k;
    const task = (await createTask(k, { title: "fan out", assignee: "alice" })).task;
    await claimTask(k, task.id);
    await phantomCompletion(h, task.id);

    const before = await ok(h.api.board.$get({ query: {} }));
    const card = before.columns.flatMap((c) => c.tasks).find((t) => t.id === task.id);
    expect(card?.warnings?.count).toBeGreaterThanOrEqual(1);
    expect(Object.keys(card?.warnings?.kinds ?? {})).toContain("completion_blocked_hallucination");
    const detail = await ok(h.api.tasks[":id"].$get({ param: { id: task.id }, query: {} }));
    expect(detail.task.warnings?.kinds.completion_blocked_hallucination).toBe(1);

    await completeTask(k, task.id, { summary: "done without cards" });
    const after = await ok(h.api.board.$get({ query: {} }));
    const cleared = after.columns.flatMap((c) => c.tasks).find((t) => t.id === task.id);
    expect(cleared).toBeDefined();
    expect(cleared && "warnings" in cleared).toBe(false);
    const detailAfter = TaskDetail.parse(await ok(h.api.tasks[":id"].$get({ param: { id: task.id }, query: {} })));
    expect("warnings" in detailAfter.task).toBe(false);
  });

  it("reports the dispatcher, its global cap and each spawnable profile's cap and running count", async () => {
    const h = harness({ config: PROFILES, dispatcherEnabled: true });
    const k = await h.k;
    const a = (await createTask(k, { title: "a", assignee: "alice" })).task;
    await claimTask(k, a.id);
    await createBoard(h.home, "side", {}, { now: h.clock.now() });
    const side = await h.boards.kernel("side");
    const b = (await createTask(side, { title: "b", assignee: "alice" })).task;
    await claimTask(side, b.id);
    await createTask(side, { title: "c", assignee: "carol" });

    const board = BoardResponse.parse(await ok(h.api.board.$get({ query: {} })));
    expect(board.dispatcher).toEqual({ enabled: true, max_in_progress: 3, running: 2 });
    expect(board.profiles).toEqual([
      { name: "alice", max_in_progress: 2, running: 2 },
      { name: "bob", max_in_progress: null, running: 0 },
    ]);
  });

  it("names the board's pull lanes: assignees with no profile that took work with claim, not unknown ones", async () => {
    const h = harness({ config: PROFILES });
    const k = await h.k;
    const alice = (await createTask(k, { title: "spawned", assignee: "alice" })).task;
    await claimTask(k, alice.id);
    const pulled = (await createTask(k, { title: "pulled by hand", assignee: "pat" })).task;
    await claimTask(k, pulled.id);
    await createTask(k, { title: "for nobody known", assignee: "coder" });
    const board = BoardResponse.parse(await ok(h.api.board.$get({ query: {} })));
    expect(board.pull_lanes).toEqual(["pat"]);
    expect(board.profiles?.map((p) => p.name)).toEqual(["alice", "bob"]);
  });

  it("says why a blocked card is blocked: who blocked it and why, or the give-up with its last error", async () => {
    const h = harness();
    const k = await h.k;
    const asked = (await createTask(k, { title: "asked", assignee: "bot" })).task;
    await blockTask(k, asked.id, { reason: "needs the API key", author: "alice" });
    const broken = (await createTask(k, { title: "broken", assignee: "bot" })).task;
    for (let i = 0; i < 3; i++) {
      const run = (await claimTask(k, broken.id))?.current_run_id ?? null;
      await recordFailure(
        k,
        broken.id,
        { kind: "spawn_failed", error: `no such file: agent (${i + 1})`, runId: run },
        3,
      );
    }
    const board = BoardResponse.parse(await ok(h.api.board.$get({ query: {} })));
    const blocked = board.columns.find((c) => c.name === "blocked")?.tasks ?? [];
    expect(Object.fromEntries(blocked.map((t) => [t.title, t.blocked_reason]))).toEqual({
      asked: { kind: "blocked", reason: "needs the API key", by: "alice" },
      broken: { kind: "gave_up", failures: 3, error: "no such file: agent (3)" },
    });
    await unblockTask(k, asked.id);
    const after = BoardResponse.parse(await ok(h.api.board.$get({ query: {} })));
    const ready = after.columns.find((c) => c.name === "ready")?.tasks ?? [];
    expect(ready.find((t) => t.id === asked.id)?.blocked_reason).toBeUndefined();
  });

  it("says the dispatcher is off when the server runs without it", async () => {
    const h = harness({ dispatcherEnabled: false });
    const board = await ok(h.api.board.$get({ query: {} }));
    expect(board.dispatcher?.enabled).toBe(false);
  });

  it("reads another board with ?board=, and refuses a malformed or unknown one", async () => {
    const h = harness();
    await createBoard(h.home, "side", {}, { now: h.clock.now() });
    await createTask(await h.boards.kernel("side"), { title: "on the side" });
    const side = await ok(h.api.board.$get({ query: { board: "side" } }));
    expect(side.columns.flatMap((c) => c.tasks.map((t) => t.title))).toEqual(["on the side"]);

    await refused(h.request("GET", "/board?board=Bad%20Slug!"), 400, "invalid_input");
    const missing = await refused(h.request("GET", "/board?board=nowhere"), 404, "board_not_found");
    expect(missing.detail).toContain("nowhere");
  });

  it("refuses a bad include_archived value with the issue named", async () => {
    const h = harness();
    const body = await refused(h.request("GET", "/board?include_archived=maybe"), 400, "invalid_input");
    expect(body.issues?.[0]?.path).toBe("include_archived");
  });
});

describe("GET /stats and /assignees", () => {
  it("counts tasks by status and assignee", async () => {
    const h = harness();
    const k = await h.k;
    await createTask(k, { title: "a", assignee: "alice" });
    await createTask(k, { title: "b", assignee: "alice", triage: true });
    h.clock.advance(100);
    const stats = await ok(h.api.stats.$get({ query: {} }));
    expect(stats.by_status).toEqual({ ready: 1, triage: 1 });
    expect(stats.by_assignee).toEqual({ alice: { ready: 1, triage: 1 } });
    expect(stats.oldest_ready_age_seconds).toBe(100);
  });

  it("refuse an unknown board with 404 and a malformed one with 400", async () => {
    const h = harness();
    await refused(h.request("GET", "/stats?board=nowhere"), 404, "board_not_found");
    await refused(h.request("GET", "/assignees?board=nowhere"), 404, "board_not_found");
    await refused(h.request("GET", "/stats?board=NOT%20OK"), 400, "invalid_input");
    await refused(h.request("GET", "/assignees?board=NOT%20OK"), 400, "invalid_input");
  });

  it("lists configured profiles and the assignees of tasks", async () => {
    const h = harness({ config: PROFILES });
    const k = await h.k;
    await createTask(k, { title: "a", assignee: "zed" });
    const { assignees } = await ok(h.api.assignees.$get({ query: {} }));
    expect(assignees).toEqual([
      { name: "alice", on_disk: true, counts: {} },
      { name: "bob", on_disk: true, counts: {} },
      { name: "zed", on_disk: false, counts: { ready: 1 } },
    ]);
  });
});

describe("GET /config", () => {
  it("gives the reference's defaults with no config file", async () => {
    const h = harness();
    const config = await ok(h.api.config.$get({ query: {} }));
    expect(config).toMatchObject({
      default_tenant: "",
      lane_by_profile: true,
      include_archived_by_default: false,
      render_markdown: true,
      profiles: [],
    });
    expect(config.config_path).toMatch(/config\.yaml$/);
  });

  it("reads the dashboard section and the profiles' model hints from config.yaml", async () => {
    const h = harness({
      config: `
dashboard:
  lane_by_profile: false
  default_tenant: acme
profiles:
  alice:
    command: ["true"]
    model_hint: "alice-cli model"
`,
    });
    const config = await ok(h.api.config.$get({ query: {} }));
    expect(config).toMatchObject({ lane_by_profile: false, default_tenant: "acme" });
    expect(config.profiles).toEqual([{ name: "alice", model_hint: "alice-cli model" }]);
  });

  it("offers Hermes's model picker as the hint of a hermes-preset profile without its own", async () => {
    const h = harness({ config: 'profiles:\n  scout:\n    preset: hermes\n  coder:\n    command: ["true"]\n' });
    const config = await ok(h.api.config.$get({ query: {} }));
    expect(config.profiles).toEqual([
      { name: "coder", model_hint: null },
      { name: "scout", model_hint: "hermes -p scout model" },
    ]);
  });

  it("honours a Hermes home's dashboard.kanban settings", async () => {
    const h = harness({ config: "dashboard:\n  kanban:\n    render_markdown: false\n" });
    const config = await ok(h.api.config.$get({ query: {} }));
    expect(config.render_markdown).toBe(false);
    expect(config.lane_by_profile).toBe(true);
  });

  it("answers 503 with the key named when config.yaml is invalid", async () => {
    const h = harness({ config: "dispatch:\n  max_in_progress: lots\n" });
    const body = await refused(h.request("GET", "/config"), 503, "config_invalid");
    expect(body.detail).toContain("dispatch.max_in_progress");
  });
});

describe("POST /dispatch", () => {
  it("runs one tick of the board with the dry-run flag and the spawn budget", async () => {
    const h = harness();
    const result = await ok(h.api.dispatch.$post({ query: { dry_run: "true", max: "8" } }));
    expect(result.spawned).toEqual([]);
    expect(h.dispatches).toEqual([{ board: "default", dryRun: true, max: 8 }]);
  });

  it("refuses a budget that is not a whole number, without dispatching", async () => {
    const h = harness();
    await refused(h.request("POST", "/dispatch?max=lots"), 400, "invalid_input");
    await refused(h.request("POST", "/dispatch?max=-1"), 400, "invalid_input");
    expect(h.dispatches).toEqual([]);
  });
});

describe("unknown routes", () => {
  it("answers 404 in the {detail, code} shape under the API", async () => {
    const h = harness();
    await refused(h.request("GET", "/nothing/here"), 404, "not_found");
    await refused(h.request("DELETE", "/board"), 404, "not_found");
  });
});
