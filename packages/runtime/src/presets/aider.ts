import type { PresetDefinition } from "./types.ts";

/**
 * Aider (`aider`, PyPI `aider-chat`) has no MCP client, so it cannot call the board's tools. The
 * preset runs it under `switchyard wrap` (apps/cli), which writes the task's worker context to a
 * message file in the run's directory, runs aider once with it (`--message-file`: process one
 * message and exit), heartbeats the claim meanwhile, and then reports back: exit 0 completes the
 * task with aider's last output lines as the summary, any other exit blocks it with the code and
 * those lines.
 *
 * `--yes-always` answers aider's confirmations (there is nobody to ask); `--no-pretty`,
 * `--no-stream` and `--no-check-update` keep the worker log plain.
 *
 * Flags: https://aider.chat/docs/config/options.html (aider/website/docs/config/options.md in
 * Aider-AI/aider). A local model endpoint: `OPENAI_API_BASE` (with `OPENAI_API_KEY`) in the
 * profile's `env`, and `model: openai/<name>`.
 */

export const aider: PresetDefinition = {
  name: "aider",
  binary: "aider",
  install: "python -m pip install aider-install && aider-install (PyPI aider-chat; not on npm)",
  versionArgs: ["--version"],
  helpArgs: [["--help"]],
  documented: {
    source: "https://aider.chat/docs/config/options.html (aider/website/docs/config/options.md in Aider-AI/aider)",
    flags: [
      "--message",
      "--message-file",
      "--yes-always",
      "--model",
      "--no-pretty",
      "--no-stream",
      "--no-check-update",
      "--no-auto-commits",
      "--no-git",
      "--openai-api-base",
      "--edit-format",
      "--read",
      "--file",
      "--help",
      "--version",
    ],
  },
  auth: {
    env: [
      "OPENAI_API_KEY",
      "ANTHROPIC_API_KEY",
      "GEMINI_API_KEY",
      "DEEPSEEK_API_KEY",
      "OPENROUTER_API_KEY",
      "AIDER_OPENAI_API_KEY",
      "AIDER_ANTHROPIC_API_KEY",
    ],
    files: ["~/.aider.conf.yml", "~/.env"],
    hint: "set the model provider's key (OPENAI_API_KEY, ANTHROPIC_API_KEY, …) in the profile's env",
  },
  connects: false,
  build(ctx) {
    const model = ctx.model ? ["--model", ctx.model] : [];
    return {
      argv: [
        ...ctx.cli(),
        "wrap",
        "--message-flag=--message-file",
        "--",
        "aider",
        "--yes-always",
        "--no-pretty",
        "--no-stream",
        "--no-check-update",
        ...model,
        ...ctx.extraArgs,
      ],
      env: {},
      files: [],
    };
  },
};
