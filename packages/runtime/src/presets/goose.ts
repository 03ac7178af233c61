import { agentPrompt } from "./prompt.ts";
import type { McpServerLaunch, PresetDefinition } from "./types.ts";

/**
 * Goose (`goose`, block/goose), headless: `goose run --no-session -t <prompt>`. The board's MCP
 * server is a stdio extension for this run, `--with-extension "KEY=value … <command> <args>"`:
 * leading `KEY=value` words are the server's environment (the run's identity), the rest its
 * command. Goose names the extension after the command's file name (`node`).
 *
 * A word with a space or a quote is single-quoted; Goose splits the string like a shell
 * (`goose::utils::split_command_args` in current releases; releases that split on whitespace
 * need a home and CLI path without spaces).
 *
 * Flags: https://block.github.io/goose/docs/guides/goose-cli-commands (`run`: `-t/--text`,
 * `--no-session`, `--with-extension`, `--with-builtin`, `--provider`, `--model`, `--max-turns`,
 * `--debug`), documentation/docs/guides/goose-cli-commands.md in block/goose. A local model
 * endpoint: `GOOSE_PROVIDER` with that provider's host variable (e.g. `OPENAI_HOST`,
 * `OLLAMA_HOST`) in the profile's `env`.
 */

function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The `--with-extension` value that starts the board's MCP server for this run. */
export function gooseExtension(mcp: McpServerLaunch): string {
  const env = Object.entries(mcp.env).map(([k, v]) => shellWord(`${k}=${v}`));
  return [...env, shellWord(mcp.command), ...mcp.args.map(shellWord)].join(" ");
}

export const goose: PresetDefinition = {
  name: "goose",
  binary: "goose",
  install: "see https://block.github.io/goose/docs/getting-started/installation (a release binary; not on npm)",
  versionArgs: ["--version"],
  helpArgs: [["run", "--help"]],
  documented: {
    source:
      "https://block.github.io/goose/docs/guides/goose-cli-commands (documentation/docs/guides/goose-cli-commands.md in block/goose)",
    flags: [
      "-t",
      "--text",
      "-i",
      "--instructions",
      "--no-session",
      "--with-extension",
      "--with-builtin",
      "--with-remote-extension",
      "--with-streamable-http-extension",
      "--provider",
      "--model",
      "--max-turns",
      "--debug",
      "--help",
      "--version",
    ],
  },
  auth: {
    env: ["GOOSE_PROVIDER"],
    files: ["$XDG_CONFIG_HOME/goose/config.yaml", "~/.config/goose/config.yaml"],
    hint: "run `goose configure` to choose a provider, or set GOOSE_PROVIDER (and its key) in the profile's env",
  },
  connects: true,
  build(ctx) {
    const model = ctx.model ? ["--model", ctx.model] : [];
    return {
      argv: [
        "goose",
        "run",
        "--no-session",
        "--with-extension",
        gooseExtension(ctx.mcp),
        ...model,
        ...ctx.extraArgs,
        "-t",
        agentPrompt(ctx.task.id),
      ],
      env: {},
      files: [],
    };
  },
};
