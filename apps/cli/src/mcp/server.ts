import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { WORKER_GUIDANCE } from "@switchyard/contract";
import * as z from "zod";
import pkg from "../../package.json" with { type: "json" };
import type { Cli } from "../context.ts";
import { UsageError } from "../errors.ts";
import { createTools, type Tool } from "../tools/worker-tools.ts";
import { createConnectionRecorder, recordConnectionOn } from "./connection.ts";

/**
 * `switchyard mcp` (SPEC §8): a stdio MCP server offering the worker tools for the task in the
 * environment, or all nine with `--orchestrator`, with the worker guidance as its instructions.
 * Each result is the tool's JSON as text (`isError` set for `{error}` results); a success is
 * also `structuredContent` matching the tool's `outputSchema` (its contract result schema).
 */

/**
 * The SDK checks arguments against a tool's input schema before calling it and answers a
 * failure in its own words. The tools check their arguments themselves, so that every refusal
 * is the reference's `{"error": "…"}` with the reference's text; the SDK therefore gets a schema
 * that accepts any object and carries the tool's real JSON Schema for `tools/list`.
 */
function advertisedSchema(tool: Tool) {
  const { $schema: _, ...json } = z.toJSONSchema(tool.params, { io: "input", target: "draft-7" });
  return z.looseObject({}).meta(json);
}

export async function serveMcp(cli: Cli, options: { orchestrator: boolean }): Promise<void> {
  const scope = cli.scope();
  if (scope.task === null && !options.orchestrator) {
    throw new UsageError(
      "switchyard mcp serves the tools of one task: set SWITCHYARD_TASK (the dispatcher does), or pass --orchestrator",
    );
  }
  // Fail now, not at the first tool call, when the board cannot be opened.
  await cli.kernel();
  const tools = createTools({
    kernel: () => cli.kernel(),
    scope,
    orchestrator: options.orchestrator,
    claimTtl: () => scope.claimTtl ?? cli.config().dispatch.claim_ttl_seconds,
  });

  const server = new McpServer({ name: "switchyard", version: pkg.version }, { instructions: WORKER_GUIDANCE });
  // The board learns that the worker's agent reached its tools, and which it called (connection.ts).
  const recorder = createConnectionRecorder(
    () => cli.kernel(),
    scope,
    (m) => cli.warn(m),
  );
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        description: tool.description,
        inputSchema: advertisedSchema(tool),
        outputSchema: tool.result,
        annotations: { readOnlyHint: tool.readOnly, openWorldHint: false },
      },
      async (args) => {
        const result = await tool.call(args);
        // A refused call leaves the board as it was; a call that worked is recorded on the run.
        if (!("error" in result)) await recorder.called(tool.name);
        // The text is the reference's JSON for clients that read text; a success also carries
        // it as structuredContent, which the SDK checks against the outputSchema.
        const text = [{ type: "text" as const, text: JSON.stringify(result) }];
        if ("error" in result) return { content: text, isError: true };
        // The text may say more than the contract's keys (a handed-in completion's next step).
        return { content: text, structuredContent: tool.result.parse(result) };
      },
    );
  }

  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
    transport.onclose = resolve;
  });
  await server.connect(transport);
  recordConnectionOn(transport, recorder);
  await closed;
  await recorder.settle();
  await server.close();
}
