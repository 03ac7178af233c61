import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { blockTask } from "./blocking.ts";
import { claimTask, releaseStaleClaims } from "./claims.ts";
import { addComment } from "./comments.ts";
import { completeTask } from "./completion.ts";
import { buildWorkerContext, truncateText } from "./context.ts";
import type { Kernel } from "./kernel.ts";
import { createTask, type NewTask, requireTask } from "./tasks.ts";

async function task(k: Kernel, title: string, extra: Partial<NewTask> = {}) {
  return (await createTask(k, { title, assignee: "alice", ...extra })).task;
}

/** One attempt that ends as `reclaimed` (a stale claim). */
async function failedAttempt(k: Kernel, clock: { advance(s: number): void }, id: string): Promise<void> {
  await claimTask(k, id, { ttl: 60 });
  clock.advance(61);
  await releaseStaleClaims(k);
}

/** The lines of one `## ` section (without its heading), or null when absent. */
function section(ctx: string, heading: string): string | null {
  const start = ctx.indexOf(`\n## ${heading}\n`);
  if (start < 0) return null;
  const body = ctx.slice(start + heading.length + 5);
  const end = body.indexOf("\n## ");
  return end < 0 ? body : body.slice(0, end);
}

describe("buildWorkerContext: header and body", () => {
  it("starts with the title line and the assignee, status, tenant and workspace lines", async () => {
    const { k } = await freshBoard();
    const t = await task(k, "write the parser", {
      tenant: "acme",
      body: "Parse **everything**.",
      workspace_kind: "dir",
      workspace_path: "/srv/parser",
    });
    const lines = (await buildWorkerContext(k, t.id)).split("\n");
    expect(lines.slice(0, 6)).toEqual([
      `# Kanban task ${t.id}: write the parser`,
      "",
      "Assignee: alice",
      "Status: ready",
      "Tenant: acme",
      "Workspace: dir @ /srv/parser",
    ]);
    expect(section(await buildWorkerContext(k, t.id), "Body")).toContain("Parse **everything**.");
  });

  it("says (unassigned) and (unresolved), and leaves out the tenant and an empty body", async () => {
    const { k } = await freshBoard();
    const t = (await createTask(k, { title: "loose end" })).task;
    const ctx = await buildWorkerContext(k, t.id);
    expect(ctx).toContain("Assignee: (unassigned)");
    expect(ctx).toContain("Workspace: scratch @ (unresolved)");
    expect(ctx).not.toContain("Tenant:");
    expect(section(ctx, "Body")).toBeNull();
  });

  it("caps the body at 8 KB with a truncation note", async () => {
    const { k } = await freshBoard();
    const t = await task(k, "big", { body: "b".repeat(20_000) });
    const body = section(await buildWorkerContext(k, t.id), "Body") ?? "";
    expect(body).toContain(`${"b".repeat(8192)}… [truncated, ${20_000 - 8192} chars omitted]`);
    expect(body).not.toContain("b".repeat(8193));
  });

  it("refuses an unknown task", async () => {
    const { k } = await freshBoard();
    expect((await refusal(() => buildWorkerContext(k, "t_ffffffff"))).code).toBe("not_found");
  });
});

describe("buildWorkerContext: prior attempts", () => {
  it("lists only closed runs, with outcome, profile, time, summary, error and sorted metadata", async () => {
    const { k, clock } = await freshBoard();
    const t = await task(k, "retry me");
    await failedAttempt(k, clock, t.id);
    await claimTask(k, t.id);
    await blockTask(k, t.id, { reason: "need creds" });
    await k.write((k) =>
      k.db.run("UPDATE task_runs SET metadata = ? WHERE outcome = 'blocked'", ['{"z":1,"a":{"y":2,"b":3}}']),
    );
    await k.write((k) => k.db.run("UPDATE tasks SET status = 'ready' WHERE id = ?", [t.id]));
    await claimTask(k, t.id); // open: not a prior attempt
    const attempts = section(await buildWorkerContext(k, t.id), "Prior attempts on this task") ?? "";
    expect(attempts).toContain("### Attempt 1 — reclaimed (alice, 2023-11-14 22:13)");
    expect(attempts).toContain("_error_: stale_lock=testhost:4242");
    expect(attempts).toMatch(
      /### Attempt 2 — blocked \(alice, [\d-]+ [\d:]+\)\nneed creds\n_metadata_: \{"a":\{"b":3,"y":2\},"z":1\}/,
    );
    expect(attempts).not.toContain("Attempt 3");
  });

  it("has no prior-attempts section before the first run closes", async () => {
    const { k } = await freshBoard();
    const t = await task(k, "fresh");
    await claimTask(k, t.id);
    expect(section(await buildWorkerContext(k, t.id), "Prior attempts on this task")).toBeNull();
  });

  it("shows the newest 10 attempts and says how many older ones were left out", async () => {
    const { k, clock } = await freshBoard();
    const t = await task(k, "flaky");
    for (let i = 0; i < 13; i++) await failedAttempt(k, clock, t.id);
    const attempts = section(await buildWorkerContext(k, t.id), "Prior attempts on this task") ?? "";
    expect(attempts).toContain("(3 older attempt(s) omitted)");
    expect(attempts.match(/### Attempt \d+/g)).toEqual(Array.from({ length: 10 }, (_, i) => `### Attempt ${i + 4}`));
  });

  it("caps each attempt field at 4 KB", async () => {
    const { k } = await freshBoard();
    const t = await task(k, "verbose");
    await claimTask(k, t.id);
    await blockTask(k, t.id, { reason: "r".repeat(10_000) });
    const attempts = section(await buildWorkerContext(k, t.id), "Prior attempts on this task") ?? "";
    expect(attempts).toContain(`${"r".repeat(4096)}… [truncated, ${10_000 - 4096} chars omitted]`);
  });
});

describe("buildWorkerContext: parent results", () => {
  it("shows each done parent's newest completed run summary with its metadata, in id order", async () => {
    const { k } = await freshBoard();
    const p1 = await task(k, "p1");
    const p2 = await task(k, "p2");
    const child = await task(k, "child", { parents: [p2.id, p1.id] });
    await completeTask(k, p1.id, { result: "r1", summary: "old summary" });
    await k.write((k) => k.db.run("UPDATE tasks SET status = 'ready' WHERE id = ?", [p1.id]));
    await claimTask(k, p1.id);
    await completeTask(k, p1.id, { result: "r1 again", summary: "new summary", metadata: { pr: 7, branch: "x" } });
    await completeTask(k, p2.id, { result: "only a result" });
    const parents = section(await buildWorkerContext(k, child.id), "Parent task results") ?? "";
    expect(parents).toBe(
      [
        "",
        `### ${p1.id}`,
        "new summary",
        '_metadata_: {"branch":"x","pr":7}',
        "",
        `### ${p2.id}`,
        "only a result",
        "",
      ].join("\n"),
    );
  });

  it("falls back to the parent's result, then to (no result recorded)", async () => {
    const { k } = await freshBoard();
    const withResult = await task(k, "with result");
    const bare = await task(k, "bare");
    const child = await task(k, "child", { parents: [withResult.id, bare.id] });
    await completeTask(k, bare.id);
    await completeTask(k, withResult.id);
    await k.write((k) => k.db.run("UPDATE tasks SET result = 'set by hand' WHERE id = ?", [withResult.id]));
    const parents = section(await buildWorkerContext(k, child.id), "Parent task results") ?? "";
    expect(parents).toContain(`### ${withResult.id}\nset by hand`);
    expect(parents).toContain(`### ${bare.id}\n(no result recorded)`);
  });

  it("leaves out parents that are not done", async () => {
    const { k } = await freshBoard();
    const open = await task(k, "open parent");
    const child = await task(k, "child", { parents: [open.id] });
    expect(section(await buildWorkerContext(k, child.id), "Parent task results")).toBeNull();
  });
});

describe("buildWorkerContext: role history", () => {
  it("lists the assignee's completed work on other tasks, newest first, with the summary's first line", async () => {
    const { k, clock } = await freshBoard();
    const older = await task(k, "older job");
    await completeTask(k, older.id, { summary: "did the older one\nwith details" });
    clock.advance(60);
    const newer = await task(k, "newer job");
    await completeTask(k, newer.id, { summary: "did the newer one" });
    const bobs = await task(k, "bob's job", { assignee: "bob" });
    await completeTask(k, bobs.id, { summary: "bob did it" });
    const t = await task(k, "current");
    const history = section(await buildWorkerContext(k, t.id), "Recent work by @alice") ?? "";
    const items = history.split("\n").filter((l) => l.startsWith("- "));
    expect(items).toHaveLength(2);
    expect(items[0]).toMatch(new RegExp(`^- ${newer.id} — newer job \\([\\d-]+ [\\d:]+\\): did the newer one$`));
    expect(items[1]).toMatch(new RegExp(`^- ${older.id} — older job \\(.*\\): did the older one$`));
    expect(history).not.toContain("bob");
  });

  it("is bounded to 5 entries and never lists the task itself", async () => {
    const { k } = await freshBoard();
    const t = await task(k, "current");
    await completeTask(k, t.id, { summary: "my own earlier go" });
    await k.write((k) => k.db.run("UPDATE tasks SET status = 'ready' WHERE id = ?", [t.id]));
    for (let i = 0; i < 8; i++) await completeTask(k, (await task(k, `job ${i}`)).id, { summary: `done ${i}` });
    const history = section(await buildWorkerContext(k, t.id), "Recent work by @alice") ?? "";
    expect(history.split("\n").filter((l) => l.startsWith("- "))).toHaveLength(5);
    expect(history).not.toContain(t.id);
  });

  it("caps each summary line at 200 characters", async () => {
    const { k } = await freshBoard();
    await completeTask(k, (await task(k, "long")).id, { summary: "s".repeat(500) });
    const history = section(await buildWorkerContext(k, (await task(k, "current")).id), "Recent work by @alice") ?? "";
    expect(history).toContain(`: ${"s".repeat(200)}\n`);
    expect(history).not.toContain("s".repeat(201));
  });

  it("is skipped when the task has no assignee", async () => {
    const { k } = await freshBoard();
    await completeTask(k, (await task(k, "done")).id, { summary: "ok" });
    const t = (await createTask(k, { title: "nobody's" })).task;
    expect(await buildWorkerContext(k, t.id)).not.toContain("## Recent work");
  });
});

describe("buildWorkerContext: comments", () => {
  it("shows the thread oldest first with author and time", async () => {
    const { k, clock } = await freshBoard();
    const t = await task(k, "discussed");
    await addComment(k, t.id, "bob", "first thought");
    clock.advance(60);
    await addComment(k, t.id, "carol", "second thought");
    const thread = section(await buildWorkerContext(k, t.id), "Comment thread") ?? "";
    expect(thread).toMatch(/\*\*bob\*\* \([\d-]+ [\d:]+\):\nfirst thought[\s\S]*\*\*carol\*\* \(.*\):\nsecond thought/);
    expect(thread).not.toContain("omitted");
  });

  it("keeps the newest 30 comments and says how many were left out", async () => {
    const { k, clock } = await freshBoard();
    const t = await task(k, "chatty");
    for (let i = 1; i <= 35; i++) {
      await addComment(k, t.id, "bob", `comment number ${i}.`);
      clock.advance(1);
    }
    const thread = section(await buildWorkerContext(k, t.id), "Comment thread") ?? "";
    expect(thread).toContain("(5 older comment(s) omitted)");
    expect(thread.match(/comment number \d+\./g)).toEqual(
      Array.from({ length: 30 }, (_, i) => `comment number ${i + 6}.`),
    );
  });

  it("caps each comment at 2 KB", async () => {
    const { k } = await freshBoard();
    const t = await task(k, "long comment");
    await addComment(k, t.id, "bob", "c".repeat(5000));
    expect(await buildWorkerContext(k, t.id)).toContain(
      `${"c".repeat(2048)}… [truncated, ${5000 - 2048} chars omitted]`,
    );
  });

  it("points a block's comment at the attempt that already shows its reason, instead of repeating it", async () => {
    const { k } = await freshBoard();
    const t = await task(k, "asked");
    await blockTask(k, t.id, { reason: "Postgres or SQLite?", author: "coder" });
    await addComment(k, t.id, "alice", "BLOCKED: an unrelated quote stays as written");
    const context = await buildWorkerContext(k, t.id);
    expect(section(context, "Prior attempts on this task")).toContain("Postgres or SQLite?");
    const thread = section(context, "Comment thread") ?? "";
    expect(thread).toContain("**coder**");
    expect(thread).toContain("BLOCKED: (the reason given in attempt 1 above)");
    expect(thread).not.toContain("Postgres or SQLite?");
    expect(thread).toContain("BLOCKED: an unrelated quote stays as written");
  });
});

describe("buildWorkerContext: size", () => {
  it("stays under 10,000 characters with a 1 MB summary, saying it truncated", async () => {
    const { k } = await freshBoard();
    const huge = "x".repeat(1024 * 1024);
    const parent = await task(k, "parent");
    await completeTask(k, parent.id, { summary: huge, result: huge });
    const t = await task(k, "child", { parents: [parent.id] });
    await claimTask(k, t.id);
    await blockTask(k, t.id, { reason: huge });
    const ctx = await buildWorkerContext(k, t.id);
    expect(ctx.length).toBeLessThan(10_000);
    expect(ctx).toContain("truncated");
    expect((await requireTask(k, t.id)).status).toBe("blocked");
  });
});

describe("truncateText", () => {
  it("leaves short text alone and marks what it cut", () => {
    expect(truncateText("short", 10)).toBe("short");
    expect(truncateText("abcdefghij", 4)).toBe("abcd… [truncated, 6 chars omitted]");
  });
});
