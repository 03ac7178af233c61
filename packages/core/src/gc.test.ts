import { existsSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freshBoard, tempDir } from "../test/fixtures.ts";
import { blockTask } from "./blocking.ts";
import { claimTask } from "./claims.ts";
import { completeTask } from "./completion.ts";
import { listEvents } from "./events.ts";
import { gcEvents, gcWorkerLogs, gcWorkspaces } from "./gc.ts";
import type { Kernel } from "./kernel.ts";
import { archiveTask } from "./moves.ts";
import { createTask, type NewTask } from "./tasks.ts";

const DAY = 86400;

describe("gcEvents", () => {
  it("deletes old events of done and archived tasks, keeping the history of active ones", async () => {
    const { k, clock } = await freshBoard();
    const done = (await createTask(k, { title: "done" })).task;
    await completeTask(k, done.id, { result: "ok" });
    const archived = (await createTask(k, { title: "archived" })).task;
    await archiveTask(k, archived.id);
    const ready = (await createTask(k, { title: "ready" })).task;
    const running = (await createTask(k, { title: "running" })).task;
    await claimTask(k, running.id);
    const blocked = (await createTask(k, { title: "blocked" })).task;
    await blockTask(k, blocked.id);
    clock.advance(31 * DAY);
    const recent = (await createTask(k, { title: "recently done" })).task;
    await completeTask(k, recent.id);

    expect(await gcEvents(k)).toBe(4); // done: created + completed; archived: created + archived
    expect(await listEvents(k, done.id)).toEqual([]);
    expect(await listEvents(k, archived.id)).toEqual([]);
    expect((await listEvents(k, ready.id)).map((e) => e.kind)).toEqual(["created"]);
    expect((await listEvents(k, running.id)).map((e) => e.kind)).toEqual(["created", "claimed"]);
    expect((await listEvents(k, blocked.id)).map((e) => e.kind)).toEqual(["created", "blocked"]);
    expect((await listEvents(k, recent.id)).map((e) => e.kind)).toEqual(["created", "completed"]);
  });

  it("keeps events younger than the cutoff", async () => {
    const { k, clock } = await freshBoard();
    const done = (await createTask(k, { title: "done" })).task;
    await completeTask(k, done.id);
    clock.advance(10 * DAY);
    expect(await gcEvents(k)).toBe(0);
    expect(await gcEvents(k, 5 * DAY)).toBe(2);
  });
});

describe("gcWorkspaces", () => {
  async function archived(k: Kernel, extra: Partial<NewTask> = {}) {
    const t = (await createTask(k, { title: "old", ...extra })).task;
    await archiveTask(k, t.id);
    return t;
  }

  function dirWithFile(dir: string): string {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "precious.txt");
    writeFileSync(file, "keep me");
    return file;
  }

  it("removes the scratch directories of archived tasks and keeps the others", async () => {
    const { k } = await freshBoard();
    const root = k.paths.workspacesRoot;
    const gone = await archived(k);
    dirWithFile(join(root, gone.id));
    const active = (await createTask(k, { title: "active" })).task;
    const activeFile = dirWithFile(join(root, active.id));
    const noDir = await archived(k);
    expect(await gcWorkspaces(k)).toBe(1);
    expect(existsSync(join(root, gone.id))).toBe(false);
    expect(existsSync(activeFile)).toBe(true);
    expect(existsSync(join(root, noDir.id))).toBe(false);
  });

  it("removes an archived scratch task's explicit path when it lies inside the scratch root", async () => {
    const { k } = await freshBoard();
    const path = join(k.paths.workspacesRoot, "custom", "place");
    dirWithFile(path);
    await archived(k, { workspace_path: path });
    expect(await gcWorkspaces(k)).toBe(1);
    expect(existsSync(path)).toBe(false);
  });

  it("never deletes a scratch task's absolute workspace outside the scratch root", async () => {
    const { k } = await freshBoard();
    mkdirSync(k.paths.workspacesRoot, { recursive: true });
    const elsewhere = tempDir("switchyard-elsewhere-");
    const file = dirWithFile(elsewhere);
    await archived(k, { workspace_path: elsewhere });
    const traversalFile = dirWithFile(join(k.paths.workspacesRoot, "..", "..", "victim"));
    const sneaky = await archived(k);
    await k.write((k) =>
      k.db.run("UPDATE tasks SET workspace_path = ? WHERE id = ?", [
        `${k.paths.workspacesRoot}/../../victim`,
        sneaky.id,
      ]),
    );
    await archived(k, { workspace_path: k.paths.workspacesRoot });
    expect(await gcWorkspaces(k)).toBe(0);
    expect(readFileSync(file, "utf8")).toBe("keep me");
    expect(existsSync(traversalFile)).toBe(true);
    expect(existsSync(k.paths.workspacesRoot)).toBe(true);
  });

  it("never follows a symlink out of the scratch root", async () => {
    const { k } = await freshBoard();
    const root = k.paths.workspacesRoot;
    mkdirSync(root, { recursive: true });
    const outside = tempDir("switchyard-outside-");
    const file = dirWithFile(outside);
    const linked = await archived(k);
    symlinkSync(outside, join(root, linked.id));
    expect(await gcWorkspaces(k)).toBe(0);
    expect(readFileSync(file, "utf8")).toBe("keep me");
  });

  it("removes a workspace holding a symlink to the outside without touching the target", async () => {
    const { k } = await freshBoard();
    const outside = tempDir("switchyard-outside-");
    const file = dirWithFile(outside);
    const t = await archived(k);
    const ws = join(k.paths.workspacesRoot, t.id);
    mkdirSync(ws, { recursive: true });
    symlinkSync(outside, join(ws, "link-to-outside"));
    expect(await gcWorkspaces(k)).toBe(1);
    expect(existsSync(ws)).toBe(false);
    expect(readFileSync(file, "utf8")).toBe("keep me");
  });

  it("never touches dir or worktree workspaces", async () => {
    const { k } = await freshBoard();
    const dir = tempDir("switchyard-dir-");
    const file = dirWithFile(dir);
    await archived(k, { workspace_kind: "dir", workspace_path: dir });
    const inRoot = join(k.paths.workspacesRoot, "wt");
    const wtFile = dirWithFile(inRoot);
    await archived(k, { workspace_kind: "worktree", workspace_path: inRoot });
    expect(await gcWorkspaces(k)).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(wtFile)).toBe(true);
  });

  it("does nothing when the scratch root does not exist", async () => {
    const { k } = await freshBoard();
    await archived(k);
    expect(await gcWorkspaces(k)).toBe(0);
  });
});

describe("gcWorkerLogs", () => {
  it("deletes logs and rotated logs by modification time, leaving other files", () => {
    const dir = tempDir();
    const now = 1_700_000_000;
    const files = {
      old: "t_00000001.log",
      oldRotated: "t_00000001.log.1",
      fresh: "t_00000002.log",
      other: "notes.txt",
    };
    for (const name of Object.values(files)) writeFileSync(join(dir, name), "x");
    const age = (name: string, seconds: number) => utimesSync(join(dir, name), now - seconds, now - seconds);
    age(files.old, 31 * DAY);
    age(files.oldRotated, 40 * DAY);
    age(files.fresh, 29 * DAY);
    age(files.other, 100 * DAY);
    expect(gcWorkerLogs(dir, 30 * DAY, now)).toBe(2);
    expect(existsSync(join(dir, files.old))).toBe(false);
    expect(existsSync(join(dir, files.oldRotated))).toBe(false);
    expect(existsSync(join(dir, files.fresh))).toBe(true);
    expect(existsSync(join(dir, files.other))).toBe(true);
  });

  it("does nothing when the logs directory does not exist", () => {
    expect(gcWorkerLogs(join(tempDir(), "missing"), DAY, 1_700_000_000)).toBe(0);
  });
});
