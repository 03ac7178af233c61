import { MCP_SERVER_NAME } from "./mcp-server.ts";
import { agentPrompt } from "./prompt.ts";
import type { McpServerLaunch, PresetDefinition } from "./types.ts";

/**
 * OpenAI Codex (`codex`, npm `@openai/codex`), headless: `codex exec` with the prompt last. The
 * board's MCP server is added for this run with `-c mcp_servers.switchyard.*` overrides (values
 * are TOML), so the user's `~/.codex/config.toml` and login stay as they are:
 *
 * - `env`: the run's identity. Codex starts MCP servers with a fixed set of variables, not the
 *   worker's environment; without this `switchyard mcp` exits 2 ("set SWITCHYARD_TASK") and Codex
 *   carries on with no board tools (issue 15).
 * - `required = true`: Codex fails at start instead of working without the board when the server
 *   cannot start.
 * - `default_tools_approval_mode = "approve"`: `codex exec` has nobody to approve a tool call, and
 *   cancels calls that would need approval.
 * - `startup_timeout_sec = 30`: the first call after an update rebuilds the CLI bundle.
 *
 * `--sandbox workspace-write` lets it edit the workspace; `--skip-git-repo-check` lets it run in a
 * scratch workspace that is not a git repository.
 *
 * Flags: `codex exec --help` of @openai/codex 0.169.0; MCP keys: https://developers.openai.com/codex/config-reference
 * (`mcp_servers.<id>.command|args|env|env_vars|required|startup_timeout_sec|default_tools_approval_mode`).
 * A local model endpoint: a `model_providers.<id>` with `base_url`, set with `args: ["-c", …]`.
 */

/** A TOML basic string (JSON's escapes are a subset TOML accepts). */
function tomlString(value: string): string {
  return JSON.stringify(value);
}

function tomlArray(values: readonly string[]): string {
  return `[${values.map(tomlString).join(",")}]`;
}

function tomlInlineTable(table: Record<string, string>): string {
  return `{${Object.entries(table)
    .map(([k, v]) => `${tomlString(k)}=${tomlString(v)}`)
    .join(",")}}`;
}

/** The `-c key=value` pairs that add the board's MCP server to one `codex exec`. */
export function codexMcpOverrides(mcp: McpServerLaunch): string[] {
  const key = `mcp_servers.${MCP_SERVER_NAME}`;
  return [
    `${key}.command=${tomlString(mcp.command)}`,
    `${key}.args=${tomlArray(mcp.args)}`,
    `${key}.env=${tomlInlineTable(mcp.env)}`,
    `${key}.required=true`,
    `${key}.default_tools_approval_mode="approve"`,
    `${key}.startup_timeout_sec=30`,
  ].flatMap((pair) => ["-c", pair]);
}

export const codex: PresetDefinition = {
  name: "codex",
  binary: "codex",
  install: "npm install -g @openai/codex",
  versionArgs: ["--version"],
  helpArgs: [["exec", "--help"]],
  documented: {
    source: "codex exec --help (@openai/codex 0.169.0); https://developers.openai.com/codex/cli/reference",
    flags: [
      "-c",
      "--config",
      "-m",
      "--model",
      "-s",
      "--sandbox",
      "--skip-git-repo-check",
      "--dangerously-bypass-approvals-and-sandbox",
      "-C",
      "--cd",
      "--add-dir",
      "--json",
      "-o",
      "--output-last-message",
      "--ephemeral",
      "-p",
      "--profile",
      "--oss",
      "--help",
      "--version",
    ],
  },
  auth: {
    env: ["OPENAI_API_KEY", "CODEX_API_KEY"],
    files: ["$CODEX_HOME/auth.json", "~/.codex/auth.json"],
    hint: "set OPENAI_API_KEY in the profile's env, or run `codex login`",
  },
  connects: true,
  build(ctx) {
    const model = ctx.model ? ["--model", ctx.model] : [];
    return {
      argv: [
        "codex",
        "exec",
        "--skip-git-repo-check",
        "--sandbox",
        "workspace-write",
        ...model,
        ...codexMcpOverrides(ctx.mcp),
        ...ctx.extraArgs,
        agentPrompt(ctx.task.id),
      ],
      env: {},
      files: [],
    };
  },
};
