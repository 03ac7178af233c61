import type { RegisterVerbs } from "../context.ts";

/** mcp: a stdio MCP server with the worker tools (the SDK is loaded only for this verb). */
export const registerMcp: RegisterVerbs = (program, cli) => {
  program
    .command("mcp")
    .description(
      "serve the kanban tools over MCP on stdio: the 7 worker tools for the task in SWITCHYARD_TASK, " +
        "or all 9 with --orchestrator",
    )
    .option("--orchestrator", "add kanban_list and kanban_unblock, and drop the ownership guard")
    .action(async (opts: { orchestrator?: boolean }) => {
      const { serveMcp } = await import("../mcp/server.ts");
      await serveMcp(cli, { orchestrator: opts.orchestrator ?? false });
    });
};
