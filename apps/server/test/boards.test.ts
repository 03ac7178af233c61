import { existsSync } from "node:fs";
import { BoardsResponse } from "@switchyard/contract";
import { boardDir, createBoard, createTask, currentBoard, removeBoard, writeBoardMeta } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { harness, ok, refused } from "./helpers.ts";

describe("GET /boards", () => {
  it("lists default first with its counts and marks the current board", async () => {
    const h = harness();
    const k = await h.k;
    await createTask(k, { title: "a" });
    await createTask(k, { title: "b", triage: true });
    await ok(h.api.boards.$post({ json: { slug: "zeta" } }));
    await ok(h.api.boards.$post({ json: { slug: "alpha", name: "Alpha Team" } }));
    const listed = BoardsResponse.parse(await ok(h.api.boards.$get({ query: {} })));
    expect(listed.boards.map((b) => [b.slug, b.name, b.is_current, b.total])).toEqual([
      ["default", "Default", true, 2],
      ["alpha", "Alpha Team", false, 0],
      ["zeta", "Zeta", false, 0],
    ]);
    expect(listed.boards[0]?.counts).toEqual({ ready: 1, triage: 1 });
    expect(listed.current).toBe("default");
  });

  it("refuses a bad include_archived value, and lists archived boards only when asked", async () => {
    const h = harness();
    await refused(h.request("GET", "/boards?include_archived=perhaps"), 400, "invalid_input");
    await ok(h.api.boards.$post({ json: { slug: "old" } }));
    await writeBoardMeta(h.home, "old", { archived: true }, h.clock.now());
    expect((await ok(h.api.boards.$get({ query: {} }))).boards.map((b) => b.slug)).toEqual(["default"]);
    const all = await ok(h.api.boards.$get({ query: { include_archived: "true" } }));
    expect(all.boards.map((b) => [b.slug, b.archived])).toEqual([
      ["default", false],
      ["old", true],
    ]);
  });
});

describe("POST /boards", () => {
  it("creates a board, and switches to it when asked", async () => {
    const h = harness();
    const created = await ok(h.api.boards.$post({ json: { slug: "Atm10-Server", icon: "⛏", switch: true } }));
    expect(created.board).toMatchObject({ slug: "atm10-server", name: "Atm10 Server", icon: "⛏" });
    expect(created.current).toBe("atm10-server");
    expect(await currentBoard(h.home)).toBe("atm10-server");
    expect(existsSync(created.board.db_path)).toBe(true);
  });

  it("is idempotent", async () => {
    const h = harness();
    await ok(h.api.boards.$post({ json: { slug: "ops" } }));
    const again = await ok(h.api.boards.$post({ json: { slug: "ops" } }));
    expect(again.board.slug).toBe("ops");
    expect(again.current).toBe("default");
  });

  it("refuses a bad slug with 400 and creates nothing", async () => {
    const h = harness();
    for (const slug of ["", "-leading", "has space", "x".repeat(65), "../escape"]) {
      await refused(h.request("POST", "/boards", { json: { slug } }), 400, "invalid_input");
    }
    const listed = await ok(h.api.boards.$get({ query: {} }));
    expect(listed.boards.map((b) => b.slug)).toEqual(["default"]);
  });
});

describe("board bodies are strict", () => {
  it("refuses an unknown key in POST /boards with 400 and creates nothing", async () => {
    const h = harness();
    for (const json of [
      { slug: "ops", colour: "red" },
      { slug: "ops", Name: "Ops" },
      { slug: "ops", archived: true },
    ]) {
      const body = await refused(h.request("POST", "/boards", { json }), 400, "invalid_input");
      expect(body.detail).toMatch(/Unrecognized key/);
    }
    const listed = await ok(h.api.boards.$get({ query: {} }));
    expect(listed.boards.map((b) => b.slug)).toEqual(["default"]);
  });

  it("refuses an unknown key in PATCH /boards/:slug with 400 and leaves the board as it was", async () => {
    const h = harness();
    await ok(h.api.boards.$post({ json: { slug: "ops", name: "Ops" } }));
    for (const json of [{ nme: "Operations" }, { name: "Operations", archived: true }, { slug: "other" }]) {
      await refused(h.request("PATCH", "/boards/ops", { json }), 400, "invalid_input");
    }
    const listed = await ok(h.api.boards.$get({ query: {} }));
    expect(listed.boards.find((b) => b.slug === "ops")).toMatchObject({ name: "Ops", archived: false });
  });
});

describe("PATCH /boards/:slug", () => {
  it("edits a board's name and description", async () => {
    const h = harness();
    await ok(h.api.boards.$post({ json: { slug: "ops" } }));
    const { board } = await ok(
      h.api.boards[":slug"].$patch({ param: { slug: "ops" }, json: { name: "Operations", description: "pager" } }),
    );
    expect(board).toMatchObject({ slug: "ops", name: "Operations", description: "pager" });
  });

  it("answers 404 for a missing board and 400 for a bad slug", async () => {
    const h = harness();
    await refused(h.request("PATCH", "/boards/nowhere", { json: { name: "x" } }), 404, "board_not_found");
    await refused(h.request("PATCH", "/boards/Bad!", { json: { name: "x" } }), 400, "invalid_input");
  });
});

describe("DELETE /boards/:slug", () => {
  it("archives a board by default and clears current when it was current", async () => {
    const h = harness();
    await ok(h.api.boards.$post({ json: { slug: "ops", switch: true } }));
    await createTask(await h.boards.kernel("ops"), { title: "on ops" });
    const removed = await ok(h.api.boards[":slug"].$delete({ param: { slug: "ops" }, query: {} }));
    expect(removed.result.action).toBe("archived");
    expect(removed.result.new_path && existsSync(removed.result.new_path)).toBe(true);
    expect(removed.current).toBe("default");
    expect(existsSync(boardDir(h.home, "ops"))).toBe(false);
  });

  it("deletes a board outright with ?delete=true", async () => {
    const h = harness();
    await ok(h.api.boards.$post({ json: { slug: "tmp" } }));
    const removed = await ok(h.api.boards[":slug"].$delete({ param: { slug: "tmp" }, query: { delete: "true" } }));
    expect(removed.result).toEqual({ slug: "tmp", action: "deleted", new_path: null });
    await refused(h.request("GET", "/board?board=tmp"), 404, "board_not_found");
  });

  it("refuses the default board with 400 and a missing one with 404, leaving default usable", async () => {
    const h = harness();
    const k = await h.k;
    await createTask(k, { title: "keep me" });
    await refused(h.request("DELETE", "/boards/default"), 400, "board_protected");
    await refused(h.request("DELETE", "/boards/nowhere"), 404, "board_not_found");
    const board = await ok(h.api.board.$get({ query: {} }));
    expect(board.columns.flatMap((c) => c.tasks.map((t) => t.title))).toEqual(["keep me"]);
  });
});

describe("POST /boards/:slug/switch", () => {
  it("writes the current board, and the board route then defaults to it", async () => {
    const h = harness();
    await ok(h.api.boards.$post({ json: { slug: "ops" } }));
    await createTask(await h.boards.kernel("ops"), { title: "on ops" });
    expect(await ok(h.api.boards[":slug"].switch.$post({ param: { slug: "ops" } }))).toEqual({ current: "ops" });
    const board = await ok(h.api.board.$get({ query: {} }));
    expect(board.columns.flatMap((c) => c.tasks.map((t) => t.title))).toEqual(["on ops"]);
  });

  it("refuses a missing board with 404", async () => {
    const h = harness();
    await refused(h.request("POST", "/boards/nowhere/switch"), 404, "board_not_found");
    expect(await currentBoard(h.home)).toBe("default");
  });
});

describe("boards changed by another process", () => {
  it("are noticed: a removed board is refused, and one made again under its name is read afresh", async () => {
    const h = harness();
    await ok(h.api.boards.$post({ json: { slug: "ops" } }));
    await ok(h.api.tasks.$post({ query: { board: "ops" }, json: { title: "old" } }));
    await removeBoard(h.home, "ops", { archive: false, now: h.clock.now() });
    await refused(h.request("GET", "/board?board=ops"), 404, "board_not_found");
    await createBoard(h.home, "ops", {}, { now: h.clock.now() });
    const board = await ok(h.api.board.$get({ query: { board: "ops" } }));
    expect(board.columns.flatMap((c) => c.tasks)).toEqual([]);
  });
});
