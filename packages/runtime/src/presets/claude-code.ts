import { WORKER_TOOL_NAMES } from "@switchyard/contract";
import { MCP_SERVER_NAME } from "./mcp-server.ts";
import { agentPrompt } from "./prompt.ts";
import type { PresetDefinition } from "./types.ts";

/**
 * Claude Code (`claude`, npm `@anthropic-ai/claude-code`), headless: `-p` with the prompt, the
 * run's MCP configuration through `--mcp-config` (the common `mcpServers` file), `--strict-mcp-config`
 * so a `switchyard` server of the user's own configuration cannot shadow this run's, and
 * `--allowedTools` naming the board's tools: without it every `mcp__switchyard__*` call is refused
 * in `-p` mode, the agent exits 0 and the task stays running (issue 15). `--permission-mode
 * acceptEdits` lets it edit the workspace; shell commands need `args` (`--allowedTools=Bash(…)`).
 *
 * `--mcp-config` and `--allowedTools` take several values, so they are passed as `--flag=value`:
 * a separate value would swallow the items after it.
 *
 * Flags: `claude --help` of @anthropic-ai/claude-code 2.1.328 (the same list as
 * https://docs.anthropic.com/en/docs/claude-code/cli-reference); MCP tool names
 * `mcp__<server>__<tool>`: https://docs.anthropic.com/en/docs/claude-code/iam (tool-specific
 * permission rules). A local model endpoint: `ANTHROPIC_BASE_URL` (and `ANTHROPIC_API_KEY`) in
 * the profile's `env`.
 */

/** The board's worker tools as Claude Code names them. */
export const CLAUDE_BOARD_TOOLS = WORKER_TOOL_NAMES.map((t) => `mcp__${MCP_SERVER_NAME}__${t}`);

export const claudeCode: PresetDefinition = {
  name: "claude-code",
  binary: "claude",
  install: "npm install -g @anthropic-ai/claude-code",
  versionArgs: ["--version"],
  helpArgs: [["--help"]],
  documented: {
    source:
      "claude --help (@anthropic-ai/claude-code 2.1.328); https://docs.anthropic.com/en/docs/claude-code/cli-reference",
    flags: [
      "-p",
      "--print",
      "--mcp-config",
      "--strict-mcp-config",
      "--allowedTools",
      "--allowed-tools",
      "--disallowedTools",
      "--permission-mode",
      "--model",
      "--output-format",
      "--append-system-prompt",
      "--max-budget-usd",
      "--add-dir",
      "--verbose",
      "--dangerously-skip-permissions",
      "--settings",
      "--version",
      "--help",
    ],
  },
  auth: {
    env: [
      "ANTHROPIC_API_KEY",
      "ANTHROPIC_AUTH_TOKEN",
      "CLAUDE_CODE_OAUTH_TOKEN",
      "CLAUDE_CODE_USE_BEDROCK",
      "CLAUDE_CODE_USE_VERTEX",
    ],
    files: ["$CLAUDE_CONFIG_DIR/.credentials.json", "~/.claude/.credentials.json"],
    hint: "set ANTHROPIC_API_KEY in the profile's env, or run `claude` once and log in (macOS keeps the login in the keychain, which doctor cannot see)",
  },
  connects: true,
  build(ctx) {
    const model = ctx.model ? ["--model", ctx.model] : [];
    return {
      argv: [
        "claude",
        "-p",
        agentPrompt(ctx.task.id),
        `--mcp-config=${ctx.mcpJsonPath}`,
        "--strict-mcp-config",
        `--allowedTools=${CLAUDE_BOARD_TOOLS.join(",")}`,
        "--permission-mode",
        "acceptEdits",
        ...model,
        ...ctx.extraArgs,
      ],
      env: {},
      files: [],
    };
  },
};
