import { workerPrompt } from "./prompt.ts";
import type { PresetDefinition } from "./types.ts";

/**
 * Hermes Agent (`hermes`, NousResearch/hermes-agent), started as upstream's kanban dispatcher
 * starts its workers: `hermes -p <profile> --cli --accept-hooks [--skills s …] [-m <model>] chat
 * -q "work kanban task <id>"`. Upstream's own comment: without `--cli` a worker exits 0 without
 * doing the task; `--accept-hooks` registers the profile's shell hooks in a headless session.
 * `-m` is upstream's per-task model (`tasks.model_override`). Hermes works the board with its own
 * kanban tools (they read `HERMES_KANBAN_*`, which every worker gets), not through
 * `switchyard mcp`, so the board cannot see it connect.
 *
 * Argv: hermes_cli/kanban_db.py `_default_spawn` / the dispatcher's worker argv in
 * NousResearch/hermes-agent (`[*hermes, "-p", profile, "--cli", "--accept-hooks", "--skills", …,
 * "-m", task.model_override, "chat", "-q", prompt]`); flags listed by `hermes --help`
 * (hermes_cli/_parser.py).
 */

export const hermes: PresetDefinition = {
  name: "hermes",
  binary: "hermes",
  install: "see https://github.com/NousResearch/hermes-agent (its install script; not on npm)",
  versionArgs: ["--version"],
  helpArgs: [["--help"], ["chat", "--help"]],
  // `-p/--profile` is read before argparse runs (hermes_cli/_parser.py), so `--help` omits it.
  helpExempt: ["-p"],
  documented: {
    source: "NousResearch/hermes-agent hermes_cli/_parser.py and the kanban dispatcher's worker argv",
    flags: [
      "-p",
      "--profile",
      "--cli",
      "--accept-hooks",
      "-s",
      "--skills",
      "-m",
      "--model",
      "--provider",
      "-q",
      "--query",
      "--yolo",
      "-t",
      "--toolsets",
      "--help",
      "--version",
    ],
  },
  auth: {
    env: ["OPENROUTER_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "NOUS_API_KEY"],
    files: ["$HERMES_HOME/.env", "~/.hermes/.env", "~/.hermes/auth.json"],
    hint: "run `hermes setup` (or `hermes -p <profile> model`) to choose a provider and store its key",
  },
  connects: false,
  build(ctx) {
    const skills = ctx.skills.flatMap((s) => ["--skills", s]);
    const model = ctx.model ? ["-m", ctx.model] : [];
    return {
      argv: [
        "hermes",
        "-p",
        ctx.profile,
        "--cli",
        "--accept-hooks",
        ...skills,
        ...model,
        ...ctx.extraArgs,
        "chat",
        "-q",
        workerPrompt(ctx.task.id),
      ],
      env: {},
      files: [],
    };
  },
};
