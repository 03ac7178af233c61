import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import { TOOL_NAMES, TOOL_PARAMS, TOOL_RESULTS, ToolError, type ToolName } from "@switchyard/contract";
import { blockTask, claimTask } from "@switchyard/core";
import { describe, expect, it, onTestFinished } from "vitest";
import { BIN, boardSnapshot, type TestHome, tempHome } from "./cli.ts";

/**
 * The tools' schemas as an MCP client sees them (issue 15 item 4): strict inputs with a
 * description on every argument, an outputSchema on every tool, structuredContent that matches
 * it on every success, and numbers that must be numbers.
 */

async function orchestrator(home: TestHome): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "mcp", "--orchestrator"],
    env: home.env,
    stderr: "pipe",
  });
  const client = new Client({ name: "switchyard-schema-test", version: "1.0.0" });
  await client.connect(transport);
  onTestFinished(() => client.close());
  return client;
}

interface Called {
  isError: boolean;
  text: unknown;
  structured: unknown;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<Called> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as Array<{ type: string; text: string }>;
  expect(content).toHaveLength(1);
  return {
    isError: result.isError === true,
    text: JSON.parse(content[0]?.text ?? "null"),
    structured: result.structuredContent,
  };
}

async function refusal(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const r = await call(client, name, args);
  expect(r.isError, JSON.stringify(r.text)).toBe(true);
  expect(r.structured).toBeUndefined();
  return ToolError.strict().parse(r.text).error;
}

/** Every argument of every tool (33). */
function argumentCount(): number {
  return TOOL_NAMES.reduce((n, name) => n + Object.keys(TOOL_PARAMS[name].shape).length, 0);
}

/** A board with a task in every state a tool needs, and arguments each tool accepts. */
async function seeded(home: TestHome) {
  const running = home.create("running task", "--assignee", "alice");
  await claimTask(await home.kernel(), running);
  const blocked = home.create("blocked task", "--assignee", "bob");
  await blockTask(await home.kernel(), blocked, { reason: "needs a decision" });
  const other = home.create("another task", "--assignee", "carol");
  const valid: Record<ToolName, Record<string, unknown>> = {
    kanban_show: { task_id: running },
    kanban_complete: { task_id: running, summary: "Did it." },
    kanban_block: { task_id: running, reason: "Which region?" },
    kanban_heartbeat: { task_id: running, note: "halfway" },
    kanban_comment: { task_id: other, body: "FYI" },
    kanban_create: { title: "follow-up", assignee: "dave", parents: [running] },
    kanban_link: { parent_id: other, child_id: running },
    kanban_list: { status: "ready" },
    kanban_unblock: { task_id: blocked },
  };
  return { running, blocked, other, valid };
}

describe("the MCP tools' schemas", () => {
  it("list a strict input schema with a description on every argument, and an object outputSchema, for every tool", async () => {
    const home = tempHome();
    const client = await orchestrator(home);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOL_NAMES].sort());
    let properties = 0;
    for (const tool of tools) {
      expect(tool.inputSchema.additionalProperties, tool.name).toBe(false);
      for (const [name, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
        properties++;
        expect((schema as { description?: string }).description, `${tool.name}.${name}`).toMatch(/\w{3}/);
      }
      expect(tool.outputSchema?.type, tool.name).toBe("object");
      const declared = Object.keys(TOOL_RESULTS[tool.name as ToolName].shape).sort();
      expect(Object.keys(tool.outputSchema?.properties ?? {}).sort(), tool.name).toEqual(declared);
    }
    expect(properties).toBe(argumentCount());
  });

  it("refuses a misspelt argument of every tool with isError naming the key, and changes nothing", async () => {
    const home = tempHome();
    const { valid } = await seeded(home);
    const client = await orchestrator(home);
    const { tools } = await client.listTools();
    const before = await boardSnapshot(await home.kernel());
    let checked = 0;
    for (const tool of tools) {
      const name = tool.name as ToolName;
      for (const property of Object.keys(tool.inputSchema.properties ?? {})) {
        // The typo of the issue: a plural without its s (parents -> parent), else an s too many.
        const typo = property.endsWith("s") ? property.slice(0, -1) : `${property}s`;
        const args = { ...valid[name] };
        const value = args[property] ?? "x";
        delete args[property];
        args[typo] = value;
        const error = await refusal(client, name, args);
        expect(error, `${name} ${typo}`).toContain(`${name}: unknown argument '${typo}' (did you mean '${property}'?)`);
        checked++;
      }
    }
    expect(checked).toBe(argumentCount());
    expect(await boardSnapshot(await home.kernel())).toEqual(before);
  });

  it("refuses kanban_create {parent} (a typo for parents) instead of creating a ready task without parents", async () => {
    const home = tempHome();
    const { running } = await seeded(home);
    const client = await orchestrator(home);
    const before = await boardSnapshot(await home.kernel());
    expect(await refusal(client, "kanban_create", { title: "follow-up", assignee: "dave", parent: running })).toBe(
      "kanban_create: unknown argument 'parent' (did you mean 'parents'?); nothing was done. kanban_create takes: " +
        "title, assignee, body, parents, tenant, priority, workspace_kind, workspace_path, triage, idempotency_key, " +
        "max_runtime_seconds, skills, max_retries, model_override, require, verify_command",
    );
    expect(await refusal(client, "kanban_show", { task: running, colour: "red" })).toBe(
      "kanban_show: unknown arguments 'task' (did you mean 'task_id'?), 'colour'; nothing was done. kanban_show takes: task_id",
    );
    expect(await boardSnapshot(await home.kernel())).toEqual(before);
  });

  it("returns structuredContent on every success that validates against the listed outputSchema and equals the text", async () => {
    const home = tempHome();
    const { valid } = await seeded(home);
    const client = await orchestrator(home);
    const { tools } = await client.listTools();
    const validator = new AjvJsonSchemaValidator();
    // An order in which every call succeeds: the running task is completed last.
    const order: ToolName[] = [
      "kanban_show",
      "kanban_heartbeat",
      "kanban_comment",
      "kanban_create",
      "kanban_link",
      "kanban_list",
      "kanban_unblock",
      "kanban_complete",
    ];
    for (const name of order) {
      const r = await call(client, name, valid[name]);
      expect(r.isError, `${name}: ${JSON.stringify(r.text)}`).toBe(false);
      expect(r.structured, name).toEqual(r.text);
      const schema = tools.find((t) => t.name === name)?.outputSchema;
      expect(schema, name).toBeDefined();
      const check = validator.getValidator(schema as Record<string, unknown>)(r.structured);
      expect(check.errorMessage, name).toBeUndefined();
      expect(check.valid, name).toBe(true);
      expect(TOOL_RESULTS[name].strict().safeParse(r.structured).success, name).toBe(true);
    }
    // kanban_block needs a running task of its own.
    const next = home.create("one more", "--assignee", "alice");
    await claimTask(await home.kernel(), next);
    const blocked = await call(client, "kanban_block", { task_id: next, reason: "Which region?" });
    expect(blocked.isError).toBe(false);
    const schema = tools.find((t) => t.name === "kanban_block")?.outputSchema as Record<string, unknown>;
    expect(validator.getValidator(schema)(blocked.structured).valid).toBe(true);
    expect(blocked.structured).toEqual(blocked.text);
  });

  it("refuses a string where a number is expected, saying so, and creates nothing", async () => {
    const home = tempHome();
    const client = await orchestrator(home);
    const before = await boardSnapshot(await home.kernel());
    const create = { title: "t", assignee: "a" };
    for (const [tool, args, field] of [
      ["kanban_create", { ...create, priority: "5" }, "priority"],
      ["kanban_create", { ...create, max_runtime_seconds: "60" }, "max_runtime_seconds"],
      ["kanban_create", { ...create, max_retries: "3" }, "max_retries"],
      ["kanban_list", { limit: "5" }, "limit"],
    ] as const) {
      const value = Object.values(args).at(-1);
      expect(await refusal(client, tool, args)).toBe(
        `${field} must be a JSON number, not the string "${value}": send it without quotes`,
      );
    }
    expect(await refusal(client, "kanban_create", { ...create, priority: 1.5 })).toBe(
      "priority must be a whole number",
    );
    expect(await refusal(client, "kanban_create", { ...create, triage: "true" })).toBe("triage must be true or false");
    expect(await boardSnapshot(await home.kernel())).toEqual(before);
  });
});
