import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { TaskDetail } from "@switchyard/contract";
import { claimTask, type Kernel, listTasks, taskDetail } from "@switchyard/core";
import { startServer } from "@switchyard/server";
import { describe, expect, it, onTestFinished } from "vitest";
import { BIN, type TestHome, tempHome } from "./cli.ts";

/**
 * One kernel, whichever surface asks (issue 12): the same actions performed through REST, the
 * CLI and MCP on three fresh boards leave the same statuses, the same events (kinds and payload
 * keys, in order) and the same comments. Ids differ (they are random), so tasks are matched by
 * title.
 */

/** What one surface can do; each returns the id of a task it created, or nothing. */
interface Surface {
  create(title: string, options?: { assignee?: string; parents?: string[] }): Promise<string>;
  comment(id: string, body: string): Promise<void>;
  block(id: string, reason: string): Promise<void>;
  unblock(id: string): Promise<void>;
  complete(id: string, summary: string): Promise<void>;
  link(parent: string, child: string): Promise<void>;
}

/** The operator's recovery actions, which REST and the CLI offer (MCP has no recovery tools). */
interface Recovery {
  reclaim(id: string, reason: string): Promise<void>;
  reassign(id: string, profile: string): Promise<void>;
  assign(id: string, profile: string): Promise<void>;
  archive(id: string): Promise<void>;
}

interface BoardShape {
  [title: string]: {
    status: string;
    events: Array<[string, string[]]>;
    comments: string[];
  };
}

/** The board as the kernel has it, keyed by title, without ids or times. */
async function shapeOf(k: Kernel): Promise<BoardShape> {
  const out: BoardShape = {};
  for (const task of await listTasks(k, { includeArchived: true })) {
    const detail: TaskDetail = await taskDetail(k, task.id);
    out[task.title] = {
      status: task.status,
      events: detail.events.map((e) => [
        e.kind,
        e.payload && typeof e.payload === "object" ? Object.keys(e.payload).sort() : [],
      ]),
      comments: detail.comments.map((c) => c.body),
    };
  }
  return out;
}

/** The story every surface tells: dependencies, a comment, a block and its answer, a completion, a late link. */
async function story(s: Surface): Promise<void> {
  const parent = await s.create("Write the schema", { assignee: "coder" });
  await s.create("Build the API", { assignee: "coder", parents: [parent] });
  await s.comment(parent, "use integer timestamps");
  const question = await s.create("Pick the database", { assignee: "coder" });
  await s.block(question, "Postgres or SQLite?");
  await s.unblock(question);
  await s.complete(parent, "Schema written: three tables");
  const late = await s.create("Agree on naming", { assignee: "pm" });
  await s.link(late, question);
}

async function recoveryStory(k: Kernel, s: Surface & Recovery): Promise<void> {
  const id = await s.create("Crunch the numbers", { assignee: "coder" });
  const other = await s.create("Tidy the docs");
  await claimTask(k, id, { ttl: 600 });
  await s.reclaim(id, "stuck for an hour");
  await s.reassign(id, "writer");
  await s.assign(other, "editor");
  await s.archive(other);
}

async function restSurface(home: TestHome): Promise<Surface & Recovery> {
  const server = await startServer({
    home: home.home(),
    port: 0,
    dispatch: false,
    webRoot: null,
    log: () => {},
  });
  onTestFinished(() => server.close());
  const api = `${server.url}/api/plugins/kanban`;
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { "content-type": "application/json", origin: server.url },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    expect(res.status, `${method} ${path}: ${JSON.stringify(json)}`).toBe(200);
    return json;
  };
  return {
    async create(title, options = {}) {
      const r = (await send("POST", "/tasks", { title, ...options })) as { task: { id: string } };
      return r.task.id;
    },
    comment: async (id, body) => void (await send("POST", `/tasks/${id}/comments`, { body })),
    block: async (id, reason) =>
      void (await send("PATCH", `/tasks/${id}`, { status: "blocked", block_reason: reason })),
    unblock: async (id) => void (await send("PATCH", `/tasks/${id}`, { status: "ready" })),
    complete: async (id, summary) => void (await send("PATCH", `/tasks/${id}`, { status: "done", summary })),
    link: async (parent, child) => void (await send("POST", "/links", { parent_id: parent, child_id: child })),
    reclaim: async (id, reason) => void (await send("POST", `/tasks/${id}/reclaim`, { reason })),
    reassign: async (id, profile) => void (await send("POST", `/tasks/${id}/reassign`, { profile })),
    assign: async (id, profile) => void (await send("PATCH", `/tasks/${id}`, { assignee: profile })),
    archive: async (id) => void (await send("PATCH", `/tasks/${id}`, { status: "archived" })),
  };
}

function cliSurface(home: TestHome): Surface & Recovery {
  const ok = async (args: string[]) => void home.ok(args);
  return {
    async create(title, options = {}) {
      const flags = [
        ...(options.assignee ? ["--assignee", options.assignee] : []),
        ...(options.parents ?? []).flatMap((p) => ["--parent", p]),
      ];
      return home.create(title, ...flags);
    },
    comment: (id, body) => ok(["comment", id, body]),
    block: (id, reason) => ok(["block", id, reason]),
    unblock: (id) => ok(["unblock", id]),
    complete: (id, summary) => ok(["complete", id, "--summary", summary]),
    link: (parent, child) => ok(["link", parent, child]),
    reclaim: (id, reason) => ok(["reclaim", id, "--reason", reason]),
    reassign: (id, profile) => ok(["reassign", id, profile]),
    assign: (id, profile) => ok(["assign", id, profile]),
    archive: (id) => ok(["archive", id]),
  };
}

async function mcpSurface(home: TestHome): Promise<Surface> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "mcp", "--orchestrator"],
    env: home.env,
    stderr: "pipe",
  });
  const client = new Client({ name: "parity-test", version: "1.0.0" });
  await client.connect(transport);
  onTestFinished(() => client.close());
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args });
    const text = (result.content as Array<{ text: string }>)[0]?.text ?? "null";
    expect(result.isError, `${name}: ${text}`).not.toBe(true);
    return JSON.parse(text) as Record<string, unknown>;
  };
  return {
    async create(title, options = {}) {
      const r = await call("kanban_create", { title, assignee: options.assignee ?? null, parents: options.parents });
      return String(r.task_id);
    },
    comment: async (id, body) => void (await call("kanban_comment", { task_id: id, body })),
    block: async (id, reason) => void (await call("kanban_block", { task_id: id, reason })),
    unblock: async (id) => void (await call("kanban_unblock", { task_id: id })),
    complete: async (id, summary) => void (await call("kanban_complete", { task_id: id, summary })),
    link: async (parent, child) => void (await call("kanban_link", { parent_id: parent, child_id: child })),
  };
}

describe("the same action through REST, the CLI and MCP", () => {
  it("leaves the same statuses, events and comments on three fresh boards", async () => {
    const homes = [tempHome(), tempHome(), tempHome()];
    const [rest, cli, mcp] = homes as [TestHome, TestHome, TestHome];
    await story(await restSurface(rest));
    await story(cliSurface(cli));
    await story(await mcpSurface(mcp));

    const shapes = await Promise.all(homes.map(async (h) => shapeOf(await h.kernel())));
    const [fromRest, fromCli, fromMcp] = shapes as [BoardShape, BoardShape, BoardShape];
    // The story moved every task the way the kernel's rules say, on each surface.
    expect(Object.fromEntries(Object.entries(fromCli).map(([title, t]) => [title, t.status]))).toEqual({
      "Write the schema": "done",
      "Build the API": "ready",
      "Pick the database": "todo",
      "Agree on naming": "ready",
    });
    expect(fromCli["Pick the database"]?.comments).toEqual(["BLOCKED: Postgres or SQLite?"]);
    expect(fromRest).toEqual(fromCli);
    expect(fromMcp).toEqual(fromCli);
  });

  it("recovers a task the same way through REST and the CLI", async () => {
    const [rest, cli] = [tempHome(), tempHome()];
    await recoveryStory(await rest.kernel(), await restSurface(rest));
    await recoveryStory(await cli.kernel(), cliSurface(cli));
    const fromRest = await shapeOf(await rest.kernel());
    const fromCli = await shapeOf(await cli.kernel());
    expect(fromCli["Crunch the numbers"]?.status).toBe("ready");
    expect(fromCli["Tidy the docs"]?.status).toBe("archived");
    expect(fromRest).toEqual(fromCli);
  });
});
