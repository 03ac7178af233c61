import { describe, expect, it } from "vitest";
import { freshBoard, refusal } from "../test/fixtures.ts";
import { blockTask } from "./blocking.ts";
import { claimTask, releaseStaleClaims } from "./claims.ts";
import { addComment } from "./comments.ts";
import { completeTask } from "./completion.ts";
import { buildWorkerContext, truncateText } from "./context.ts";
import type { Kernel } from "./kernel.ts";
import { createTask, type NewTask, requireTask } from "./tasks.ts";

function task(k: Kernel, title: string, extra: Partial<NewTask> = {}) {
  return createTask(k, { title, assignee: "alice", ...extra }).task;
}

/** One attempt that ends as `reclaimed` (a stale claim). */
function failedAttempt(k: Kernel, clock: { advance(s: number): void }, id: string): void {
  claimTask(k, id, { ttl: 60 });
  clock.advance(61);
  releaseStaleClaims(k);
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
  it("starts with the title line and the assignee, status, tenant and workspace lines", () => {
    const { k } = freshBoard();
    const t = task(k, "write the parser", {
      tenant: "acme",
      body: "Parse **everything**.",
      workspace_kind: "dir",
      workspace_path: "/srv/parser",
    });
    const lines = buildWorkerContext(k, t.id).split("\n");
    expect(lines.slice(0, 6)).toEqual([
      `# Kanban task ${t.id}: write the parser`,
      "",
      "Assignee: alice",
      "Status: ready",
      "Tenant: acme",
      "Workspace: dir @ /srv/parser",
    ]);
    expect(section(buildWorkerContext(k, t.id), "Body")).toContain("Parse **everything**.");
  });

  it("says (unassigned) and (unresolved), and leaves out the tenant and an empty body", () => {
    const { k } = freshBoard();
    const t = createTask(k, { title: "loose end" }).task;
    const ctx = buildWorkerContext(k, t.id);
    expect(ctx).toContain("Assignee: (unassigned)");
    expect(ctx).toContain("Workspace: scratch @ (unresolved)");
    expect(ctx).not.toContain("Tenant:");
    expect(section(ctx, "Body")).toBeNull();
  });

  it("caps the body at 8 KB with a truncation note", () => {
    const { k } = freshBoard();
    const t = task(k, "big", { body: "b".repeat(20_000) });
    const body = section(buildWorkerContext(k, t.id), "Body") ?? "";
    expect(body).toContain(`${"b".repeat(8192)}… [truncated, ${20_000 - 8192} chars omitted]`);
    expect(body).not.toContain("b".repeat(8193));
  });

  it("refuses an unknown task", () => {
    const { k } = freshBoard();
    expect(refusal(() => buildWorkerContext(k, "t_ffffffff")).code).toBe("not_found");
  });
});

describe("buildWorkerContext: prior attempts", () => {
  it("lists only closed runs, with outcome, profile, time, summary, error and sorted metadata", () => {
    const { k, clock } = freshBoard();
    const t = task(k, "retry me");
    failedAttempt(k, clock, t.id);
    claimTask(k, t.id);
    blockTask(k, t.id, { reason: "need creds" });
    k.db.prepare("UPDATE task_runs SET metadata = ? WHERE outcome = 'blocked'").run('{"z":1,"a":{"y":2,"b":3}}');
    k.db.prepare("UPDATE tasks SET status = 'ready' WHERE id = ?").run(t.id);
    claimTask(k, t.id); // open: not a prior attempt
    const attempts = section(buildWorkerContext(k, t.id), "Prior attempts on this task") ?? "";
    expect(attempts).toContain("### Attempt 1 — reclaimed (alice, 2023-11-14 22:13)");
    expect(attempts).toContain("_error_: stale_lock=testhost:4242");
    expect(attempts).toMatch(
      /### Attempt 2 — blocked \(alice, [\d-]+ [\d:]+\)\nneed creds\n_metadata_: \{"a":\{"b":3,"y":2\},"z":1\}/,
    );
    expect(attempts).not.toContain("Attempt 3");
  });

  it("has no prior-attempts section before the first run closes", () => {
    const { k } = freshBoard();
    const t = task(k, "fresh");
    claimTask(k, t.id);
    expect(section(buildWorkerContext(k, t.id), "Prior attempts on this task")).toBeNull();
  });

  it("shows the newest 10 attempts and says how many older ones were left out", () => {
    const { k, clock } = freshBoard();
    const t = task(k, "flaky");
    for (let i = 0; i < 13; i++) failedAttempt(k, clock, t.id);
    const attempts = section(buildWorkerContext(k, t.id), "Prior attempts on this task") ?? "";
    expect(attempts).toContain("(3 older attempt(s) omitted)");
    expect(attempts.match(/### Attempt \d+/g)).toEqual(Array.from({ length: 10 }, (_, i) => `### Attempt ${i + 4}`));
  });

  it("caps each attempt field at 4 KB", () => {
    const { k } = freshBoard();
    const t = task(k, "verbose");
    claimTask(k, t.id);
    blockTask(k, t.id, { reason: "r".repeat(10_000) });
    const attempts = section(buildWorkerContext(k, t.id), "Prior attempts on this task") ?? "";
    expect(attempts).toContain(`${"r".repeat(4096)}… [truncated, ${10_000 - 4096} chars omitted]`);
  });
});

describe("buildWorkerContext: parent results", () => {
  it("shows each done parent's newest completed run summary with its metadata, in id order", () => {
    const { k } = freshBoard();
    const p1 = task(k, "p1");
    const p2 = task(k, "p2");
    const child = task(k, "child", { parents: [p2.id, p1.id] });
    completeTask(k, p1.id, { result: "r1", summary: "old summary" });
    k.db.prepare("UPDATE tasks SET status = 'ready' WHERE id = ?").run(p1.id);
    claimTask(k, p1.id);
    completeTask(k, p1.id, { result: "r1 again", summary: "new summary", metadata: { pr: 7, branch: "x" } });
    completeTask(k, p2.id, { result: "only a result" });
    const parents = section(buildWorkerContext(k, child.id), "Parent task results") ?? "";
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

  it("falls back to the parent's result, then to (no result recorded)", () => {
    const { k } = freshBoard();
    const withResult = task(k, "with result");
    const bare = task(k, "bare");
    const child = task(k, "child", { parents: [withResult.id, bare.id] });
    completeTask(k, bare.id);
    completeTask(k, withResult.id);
    k.db.prepare("UPDATE tasks SET result = 'set by hand' WHERE id = ?").run(withResult.id);
    const parents = section(buildWorkerContext(k, child.id), "Parent task results") ?? "";
    expect(parents).toContain(`### ${withResult.id}\nset by hand`);
    expect(parents).toContain(`### ${bare.id}\n(no result recorded)`);
  });

  it("leaves out parents that are not done", () => {
    const { k } = freshBoard();
    const open = task(k, "open parent");
    const child = task(k, "child", { parents: [open.id] });
    expect(section(buildWorkerContext(k, child.id), "Parent task results")).toBeNull();
  });
});

describe("buildWorkerContext: role history", () => {
  it("lists the assignee's completed work on other tasks, newest first, with the summary's first line", () => {
    const { k, clock } = freshBoard();
    const older = task(k, "older job");
    completeTask(k, older.id, { summary: "did the older one\nwith details" });
    clock.advance(60);
    const newer = task(k, "newer job");
    completeTask(k, newer.id, { summary: "did the newer one" });
    const bobs = task(k, "bob's job", { assignee: "bob" });
    completeTask(k, bobs.id, { summary: "bob did it" });
    const t = task(k, "current");
    const history = section(buildWorkerContext(k, t.id), "Recent work by @alice") ?? "";
    const items = history.split("\n").filter((l) => l.startsWith("- "));
    expect(items).toHaveLength(2);
    expect(items[0]).toMatch(new RegExp(`^- ${newer.id} — newer job \\([\\d-]+ [\\d:]+\\): did the newer one$`));
    expect(items[1]).toMatch(new RegExp(`^- ${older.id} — older job \\(.*\\): did the older one$`));
    expect(history).not.toContain("bob");
  });

  it("is bounded to 5 entries and never lists the task itself", () => {
    const { k } = freshBoard();
    const t = task(k, "current");
    completeTask(k, t.id, { summary: "my own earlier go" });
    k.db.prepare("UPDATE tasks SET status = 'ready' WHERE id = ?").run(t.id);
    for (let i = 0; i < 8; i++) completeTask(k, task(k, `job ${i}`).id, { summary: `done ${i}` });
    const history = section(buildWorkerContext(k, t.id), "Recent work by @alice") ?? "";
    expect(history.split("\n").filter((l) => l.startsWith("- "))).toHaveLength(5);
    expect(history).not.toContain(t.id);
  });

  it("caps each summary line at 200 characters", () => {
    const { k } = freshBoard();
    completeTask(k, task(k, "long").id, { summary: "s".repeat(500) });
    const history = section(buildWorkerContext(k, task(k, "current").id), "Recent work by @alice") ?? "";
    expect(history).toContain(`: ${"s".repeat(200)}\n`);
    expect(history).not.toContain("s".repeat(201));
  });

  it("is skipped when the task has no assignee", () => {
    const { k } = freshBoard();
    completeTask(k, task(k, "done").id, { summary: "ok" });
    const t = createTask(k, { title: "nobody's" }).task;
    expect(buildWorkerContext(k, t.id)).not.toContain("## Recent work");
  });
});

describe("buildWorkerContext: comments", () => {
  it("shows the thread oldest first with author and time", () => {
    const { k, clock } = freshBoard();
    const t = task(k, "discussed");
    addComment(k, t.id, "bob", "first thought");
    clock.advance(60);
    addComment(k, t.id, "carol", "second thought");
    const thread = section(buildWorkerContext(k, t.id), "Comment thread") ?? "";
    expect(thread).toMatch(/\*\*bob\*\* \([\d-]+ [\d:]+\):\nfirst thought[\s\S]*\*\*carol\*\* \(.*\):\nsecond thought/);
    expect(thread).not.toContain("omitted");
  });

  it("keeps the newest 30 comments and says how many were left out", () => {
    const { k, clock } = freshBoard();
    const t = task(k, "chatty");
    for (let i = 1; i <= 35; i++) {
      addComment(k, t.id, "bob", `comment number ${i}.`);
      clock.advance(1);
    }
    const thread = section(buildWorkerContext(k, t.id), "Comment thread") ?? "";
    expect(thread).toContain("(5 older comment(s) omitted)");
    expect(thread.match(/comment number \d+\./g)).toEqual(
      Array.from({ length: 30 }, (_, i) => `comment number ${i + 6}.`),
    );
  });

  it("caps each comment at 2 KB", () => {
    const { k } = freshBoard();
    const t = task(k, "long comment");
    addComment(k, t.id, "bob", "c".repeat(5000));
    expect(buildWorkerContext(k, t.id)).toContain(`${"c".repeat(2048)}… [truncated, ${5000 - 2048} chars omitted]`);
  });
});

describe("buildWorkerContext: size", () => {
  it("stays under 10,000 characters with a 1 MB summary, saying it truncated", () => {
    const { k } = freshBoard();
    const huge = "x".repeat(1024 * 1024);
    const parent = task(k, "parent");
    completeTask(k, parent.id, { summary: huge, result: huge });
    const t = task(k, "child", { parents: [parent.id] });
    claimTask(k, t.id);
    blockTask(k, t.id, { reason: huge });
    const ctx = buildWorkerContext(k, t.id);
    expect(ctx.length).toBeLessThan(10_000);
    expect(ctx).toContain("truncated");
    expect(requireTask(k, t.id).status).toBe("blocked");
  });
});

describe("truncateText", () => {
  it("leaves short text alone and marks what it cut", () => {
    expect(truncateText("short", 10)).toBe("short");
    expect(truncateText("abcdefghij", 4)).toBe("abcd… [truncated, 6 chars omitted]");
  });
});
