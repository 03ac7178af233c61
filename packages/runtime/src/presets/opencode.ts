import { join } from "node:path";
import { MCP_SERVER_NAME } from "./mcp-server.ts";
import { agentPrompt } from "./prompt.ts";
import type { PresetDefinition } from "./types.ts";

/**
 * OpenCode (`opencode`, npm `opencode-ai`), headless: `opencode run` with the prompt last. The
 * run's configuration file, named by `OPENCODE_CONFIG`, adds the board's MCP server as a `local`
 * server (`command` is one array, `environment` its variables); OpenCode merges it with the
 * user's global and project configuration, so their providers and login apply.
 *
 * Flags: `opencode run --help` of opencode-ai 1.18.33; configuration: https://opencode.ai/docs/config
 * (`OPENCODE_CONFIG`, `OPENCODE_CONFIG_CONTENT`) and https://opencode.ai/docs/mcp-servers
 * (`mcp.<name>.type|command|environment|enabled|timeout`). A local model endpoint: a provider in
 * `OPENCODE_CONFIG_CONTENT` (the profile's `env`), e.g. `@ai-sdk/openai-compatible` with
 * `options.baseURL`, and `model: <provider>/<model>`.
 */

export const opencode: PresetDefinition = {
  name: "opencode",
  binary: "opencode",
  install: "npm install -g opencode-ai",
  versionArgs: ["--version"],
  helpArgs: [["run", "--help"]],
  documented: {
    source: "opencode run --help (opencode-ai 1.18.33); https://opencode.ai/docs/cli",
    flags: [
      "-m",
      "--model",
      "--agent",
      "--format",
      "--print-logs",
      "--log-level",
      "--auto",
      "--pure",
      "--title",
      "-f",
      "--file",
      "--dir",
      "--help",
      "--version",
    ],
  },
  auth: {
    env: [
      "ANTHROPIC_API_KEY",
      "OPENAI_API_KEY",
      "OPENROUTER_API_KEY",
      "GEMINI_API_KEY",
      "OPENCODE_API_KEY",
      "OPENCODE_CONFIG_CONTENT",
    ],
    files: ["$XDG_DATA_HOME/opencode/auth.json", "~/.local/share/opencode/auth.json"],
    hint: "set a provider's key (ANTHROPIC_API_KEY, OPENAI_API_KEY, …) in the profile's env, or run `opencode auth login`",
  },
  connects: true,
  build(ctx) {
    const config = {
      $schema: "https://opencode.ai/config.json",
      mcp: {
        [MCP_SERVER_NAME]: {
          type: "local",
          command: [ctx.mcp.command, ...ctx.mcp.args],
          environment: ctx.mcp.env,
          enabled: true,
          timeout: 30_000,
        },
      },
    };
    const path = join(ctx.runDir, "opencode.json");
    const model = ctx.model ? ["--model", ctx.model] : [];
    return {
      argv: ["opencode", "run", ...model, ...ctx.extraArgs, agentPrompt(ctx.task.id)],
      env: { OPENCODE_CONFIG: path },
      files: [{ path, content: `${JSON.stringify(config, null, 2)}\n` }],
    };
  },
};
