import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  CliShow,
  CommentResult,
  CompleteResult,
  CreateResult,
  HeartbeatResult,
  LinkResult,
  ListResult,
  ORCHESTRATOR_TOOL_NAMES,
  ShowResult,
  ToolError,
  UnblockResult,
  WORKER_GUIDANCE,
  WORKER_TOOL_NAMES,
} from "@switchyard/contract";
import { blockTask, claimTask, reclaimTask, requireTask } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { boardSnapshot, connectMcp as connect, type TestHome, tempHome } from "./cli.ts";

interface Called {
  isError: boolean;
  body: unknown;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<Called> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as Array<{ type: string; text: string }>;
  expect(content).toHaveLength(1);
  return { isError: result.isError === true, body: JSON.parse(content[0]?.text ?? "null") };
}

async function ok<S extends z.ZodType>(client: Client, name: string, args: Record<string, unknown>, schema: S) {
  const r = await call(client, name, args);
  expect(r.isError, JSON.stringify(r.body)).toBe(false);
  return schema.parse(r.body);
}

async function refused(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const r = await call(client, name, args);
  expect(r.isError, JSON.stringify(r.body)).toBe(true);
  return ToolError.strict().parse(r.body).error;
}

/** A claimed task and the environment the dispatcher would give its worker. */
async function workerFor(home: TestHome, title: string, profile = "alice") {
  const id = home.create(title, "--assignee", profile);
  const run = (await claimTask(await home.kernel(), id))?.current_run_id as number;
  return { id, run, env: { SWITCHYARD_TASK: id, SWITCHYARD_RUN_ID: String(run), SWITCHYARD_PROFILE: profile } };
}

describe("switchyard mcp", () => {
  it("offers the 7 worker tools with the worker guidance as instructions when a task is in the environment", async () => {
    const home = tempHome();
    const { env } = await workerFor(home, "task");
    const client = await connect(home, env);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...WORKER_TOOL_NAMES].sort());
    expect(client.getInstructions()).toBe(WORKER_GUIDANCE);
    const create = tools.find((t) => t.name === "kanban_create");
    expect(create?.inputSchema.required).toEqual(["title", "assignee"]);
    const comment = tools.find((t) => t.name === "kanban_comment");
    expect(Object.keys(comment?.inputSchema.properties ?? {}).sort()).toEqual(["body", "task_id"]);
    const complete = tools.find((t) => t.name === "kanban_complete");
    expect(JSON.stringify(complete?.inputSchema.properties?.created_cards)).toContain("kanban_create");
  });

  it("offers all 9 tools with --orchestrator, with or without a task", async () => {
    const home = tempHome();
    const client = await connect(home, {}, ["--orchestrator"]);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...WORKER_TOOL_NAMES, ...ORCHESTRATOR_TOOL_NAMES].sort());
  });

  it("refuses to start without a task in the environment unless --orchestrator", () => {
    const home = tempHome();
    const r = home.run(["mcp"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "switchyard: switchyard mcp serves the tools of one task: set SWITCHYARD_TASK (the dispatcher does), or pass --orchestrator\n",
    );
  });

  it("works a task through every worker tool", async () => {
    const home = tempHome();
    const parentOfNothing = home.create("unrelated", "--assignee", "bob");
    const { id, run, env } = await workerFor(home, "build the feature");
    const client = await connect(home, { ...env, SWITCHYARD_TENANT: "acme" });

    const shown = await ok(client, "kanban_show", {}, ShowResult);
    expect(shown.task).toMatchObject({ id, status: "running", current_run_id: run });
    expect(shown.worker_context).toContain(`# Kanban task ${id}: build the feature`);
    expect((await ok(client, "kanban_show", { task_id: parentOfNothing }, ShowResult)).task.title).toBe("unrelated");

    expect(await ok(client, "kanban_heartbeat", { note: "tests written" }, HeartbeatResult)).toEqual({
      ok: true,
      task_id: id,
    });
    const comment = await ok(client, "kanban_comment", { task_id: parentOfNothing, body: "FYI" }, CommentResult);
    expect(comment).toMatchObject({ ok: true, task_id: parentOfNothing });

    const created = await ok(
      client,
      "kanban_create",
      { title: "write the docs", assignee: "writer", parents: id, skills: "docs", model_override: "sonnet" },
      CreateResult,
    );
    expect(created.status).toBe("todo");
    const linked = await ok(
      client,
      "kanban_link",
      { parent_id: parentOfNothing, child_id: created.task_id },
      LinkResult,
    );
    expect(linked).toEqual({ ok: true, parent_id: parentOfNothing, child_id: created.task_id });

    const done = await ok(
      client,
      "kanban_complete",
      { summary: "Feature built; docs handed to writer.", metadata: { files: 3 }, created_cards: [created.task_id] },
      CompleteResult,
    );
    expect(done).toEqual({ ok: true, task_id: id, run_id: run });

    const after = home.json(CliShow, ["show", id, "--json"]);
    expect(after.task.status).toBe("done");
    expect(after.events.find((e) => e.kind === "completed")?.payload).toMatchObject({
      verified_cards: [created.task_id],
    });
    const card = home.json(CliShow, ["show", created.task_id, "--json"]).task;
    expect(card).toMatchObject({ created_by: "alice", tenant: "acme", skills: ["docs"] });
    expect((await requireTask(await home.kernel(), created.task_id)).model_override).toBe("sonnet");
    const other = home.json(CliShow, ["show", parentOfNothing, "--json"]);
    expect(other.comments).toEqual([expect.objectContaining({ author: "alice", body: "FYI" })]);
  });

  it("blocks the worker's task with a reason and returns the run", async () => {
    const home = tempHome();
    const { id, run, env } = await workerFor(home, "deploy");
    const client = await connect(home, env);
    expect(await ok(client, "kanban_block", { reason: "Which region: eu or us?" }, CompleteResult)).toEqual({
      ok: true,
      task_id: id,
      run_id: run,
    });
    expect(home.json(CliShow, ["show", id, "--json"]).task.status).toBe("blocked");
  });

  it("refuses to complete, block or heartbeat another task, and leaves it unchanged", async () => {
    const home = tempHome();
    const { env, id } = await workerFor(home, "mine");
    const other = (await workerFor(home, "theirs", "bob")).id;
    const client = await connect(home, env);
    const before = await boardSnapshot(await home.kernel());
    for (const [tool, args] of [
      ["kanban_complete", { task_id: other, summary: "done" }],
      ["kanban_block", { task_id: other, reason: "stop" }],
      ["kanban_heartbeat", { task_id: other }],
    ] as const) {
      expect(await refused(client, tool, args)).toBe(
        `${tool}: this worker is scoped to task ${id}; refusing to mutate ${other}. ` +
          "Use kanban_comment (switchyard comment) to leave a note on it, or kanban_create (switchyard create) for follow-up work.",
      );
    }
    expect(await boardSnapshot(await home.kernel())).toEqual(before);
  });

  it("refuses a made-up created_cards id with a message that says how to retry, and the task stays as it was", async () => {
    const home = tempHome();
    const { id, run, env } = await workerFor(home, "triage bugs");
    const client = await connect(home, env);
    const real = await ok(client, "kanban_create", { title: "fix bug 1", assignee: "dev" }, CreateResult);
    const k = await home.kernel();
    const taskBefore = await k.db.get("SELECT * FROM tasks WHERE id = ?", [id]);
    const runsBefore = await k.db.all("SELECT * FROM task_runs WHERE task_id = ?", [id]);

    const error = await refused(client, "kanban_complete", {
      summary: "Filed t_deadbeefcafe and the real one.",
      created_cards: [real.task_id, "t_deadbeefcafe"],
    });
    expect(error).toBe(
      `kanban_complete blocked: these created_cards do not exist or were not created by this worker: t_deadbeefcafe ` +
        `(these checked out: ${real.task_id}). Nothing changed: task ${id} is still yours and still running. ` +
        "Retry kanban_complete with created_cards listing only the task_id values returned by your successful " +
        "kanban_create calls (or children linked to this task), or leave created_cards out.",
    );
    expect(await k.db.get("SELECT * FROM tasks WHERE id = ?", [id])).toEqual(taskBefore);
    expect(await k.db.all("SELECT * FROM task_runs WHERE task_id = ?", [id])).toEqual(runsBefore);
    const events = home.json(CliShow, ["show", id, "--json"]).events;
    expect(events.at(-1)).toMatchObject({
      kind: "completion_blocked_hallucination",
      payload: { phantom_cards: ["t_deadbeefcafe"], verified_cards: [real.task_id] },
    });

    const retried = await ok(
      client,
      "kanban_complete",
      { summary: "Filed one bug.", created_cards: [real.task_id] },
      CompleteResult,
    );
    expect(retried).toEqual({ ok: true, task_id: id, run_id: run });
  });

  it("refuses a superseded run", async () => {
    const home = tempHome();
    const { id, env } = await workerFor(home, "flaky");
    const k = await home.kernel();
    await reclaimTask(k, id);
    await claimTask(k, id);
    const client = await connect(home, env);
    expect(await refused(client, "kanban_complete", { summary: "late" })).toMatch(
      /^kanban_complete: cannot complete t_[0-9a-f]+: run \d+ is no longer the task's current run/,
    );
  });

  it("answers bad arguments with the reference's texts as {error} JSON", async () => {
    const home = tempHome();
    const { env } = await workerFor(home, "x");
    const client = await connect(home, env);
    expect(await refused(client, "kanban_block", {})).toBe("reason is required — explain what input you need");
    expect(await refused(client, "kanban_block", { reason: "   " })).toBe(
      "reason is required — explain what input you need",
    );
    expect(await refused(client, "kanban_create", { title: "t" })).toBe(
      "assignee is required — name the profile that should do this work",
    );
    expect(await refused(client, "kanban_create", { assignee: "a" })).toBe("title is required");
    expect(await refused(client, "kanban_create", { title: "t", assignee: "a", parents: 7 })).toBe(
      "parents must be a list of task ids (or one id as a string)",
    );
    expect(await refused(client, "kanban_create", { title: "t", assignee: "a", skills: 42 })).toBe(
      "skills must be a list of skill names",
    );
    expect(await refused(client, "kanban_create", { title: "t", assignee: "a", skills: ["a,b"] })).toBe(
      "kanban_create: skill name 'a,b' contains a comma; pass a list of names instead",
    );
    expect(await refused(client, "kanban_create", { title: "t", assignee: "a", parents: ["t_00000000"] })).toBe(
      "kanban_create: unknown parent task(s): t_00000000",
    );
    expect(await refused(client, "kanban_complete", {})).toBe(
      "kanban_complete needs a summary or a result: say what you did in 1-3 sentences",
    );
    expect(await refused(client, "kanban_complete", { summary: "s", metadata: [1] })).toBe(
      "metadata must be a JSON object",
    );
    expect(await refused(client, "kanban_complete", { summary: "s", created_cards: 42 })).toBe(
      "created_cards must be a list of task ids (or one id as a string)",
    );
    expect(await refused(client, "kanban_comment", { body: "hi" })).toBe("task_id is required");
    expect(await refused(client, "kanban_comment", { task_id: "t_00000000", body: "hi" })).toBe(
      "kanban_comment: unknown task t_00000000",
    );
    expect(await refused(client, "kanban_comment", { task_id: "t_00000000", body: " " })).toBe("body is required");
    expect(await refused(client, "kanban_link", { parent_id: "t_1" })).toBe("both parent_id and child_id are required");
    expect(await refused(client, "kanban_show", { task_id: "t_00000000" })).toBe("task t_00000000 not found");
  });

  it("refuses a link that would make a cycle", async () => {
    const home = tempHome();
    const { id, env } = await workerFor(home, "x");
    const client = await connect(home, env);
    const child = await ok(client, "kanban_create", { title: "c", assignee: "a", parents: [id] }, CreateResult);
    expect(await refused(client, "kanban_link", { parent_id: child.task_id, child_id: id })).toBe(
      `kanban_link: linking ${child.task_id} -> ${id} would create a cycle`,
    );
    expect(await refused(client, "kanban_link", { parent_id: id, child_id: id })).toBe(
      "kanban_link: a task cannot depend on itself",
    );
  });

  it("lets an orchestrator list and unblock tasks and complete any task", async () => {
    const home = tempHome();
    const a = home.create("spec", "--assignee", "pm");
    const b = home.create("build", "--assignee", "dev", "--tenant", "acme");
    await blockTask(await home.kernel(), b, { reason: "waiting on spec" });
    const client = await connect(home, {}, ["--orchestrator"]);

    const all = await ok(client, "kanban_list", {}, ListResult);
    expect(all.tasks.map((t) => t.id).sort()).toEqual([a, b].sort());
    expect(all.total).toBe(2);
    const blocked = await ok(client, "kanban_list", { status: "blocked", tenant: "acme" }, ListResult);
    expect(blocked.tasks.map((t) => t.id)).toEqual([b]);
    expect((await ok(client, "kanban_list", { limit: 1 }, ListResult)).tasks).toHaveLength(1);
    expect(await refused(client, "kanban_list", { status: "finished" })).toMatch(/^status: Invalid option/);

    expect(await ok(client, "kanban_unblock", { task_id: b }, UnblockResult)).toEqual({
      ok: true,
      task_id: b,
      status: "ready",
    });
    expect(await refused(client, "kanban_unblock", { task_id: b })).toBe(
      `kanban_unblock: cannot unblock ${b}: it is ready, not blocked`,
    );
    expect(await refused(client, "kanban_show", {})).toBe("task_id is required (there is no task in $SWITCHYARD_TASK)");
    expect(await ok(client, "kanban_complete", { task_id: a, summary: "spec written" }, CompleteResult)).toMatchObject({
      ok: true,
      task_id: a,
    });
  });
});
