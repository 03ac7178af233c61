import type { Preset, Task } from "@switchyard/contract";

/**
 * The shape of a preset (SPEC §14): how one agent CLI is started as a worker. Each agent has one
 * module in this folder and one entry in `table.ts`; the spawner, `switchyard doctor` and the
 * tests all read the same definition.
 */

/** How the agent starts `switchyard mcp` for this run: an absolute command, its args and env. */
export interface McpServerLaunch {
  command: string;
  args: string[];
  /** The run's identity, passed explicitly (some agents give MCP servers none of their own env). */
  env: Record<string, string>;
}

/** What a preset knows about the run it builds a worker for. */
export interface PresetContext {
  /** The profile's name (the task's assignee). */
  profile: string;
  task: Task;
  runId: number;
  /** The task's `model_override`, else the profile's `model`, else null (the agent's default). */
  model: string | null;
  /** The profile's `args`, placeholders filled in. */
  extraArgs: string[];
  /** A directory of this run only, for the agent's configuration files. */
  runDir: string;
  /** How to start the board's MCP server for this run. */
  mcp: McpServerLaunch;
  /** How to run the switchyard CLI itself: `process.execPath` and its entry script. */
  cli(): string[];
  /** `<runDir>/mcp.json`: the run's MCP configuration in the common `mcpServers` format. */
  mcpJsonPath: string;
  /** The worker's environment so far (for choices such as Gemini's auth type). */
  env: Readonly<Record<string, string>>;
  /** The worker's skills: the kanban worker skill first, then the task's. */
  skills: string[];
}

/** A file the spawner writes before it starts the worker, or a link it makes to one of the user's. */
export type PresetFile = { path: string; content: string } | { path: string; linkTo: string };

/** What a preset adds to a worker: its argv, its variables and the files to write first. */
export interface PresetLaunch {
  argv: string[];
  /** Variables the agent reads its per-run configuration from; a profile's `env` cannot override them. */
  env: Record<string, string>;
  files: PresetFile[];
}

/** Flags as the agent's own documentation lists them, and where that list was read. */
export interface DocumentedFlags {
  /** The page, file or command output the flags were read from (a URL, a repository path, `x --help` of a version). */
  source: string;
  flags: readonly string[];
}

/** What `switchyard doctor` can check of an agent's credentials, without using them. */
export interface AuthCheck {
  /** Any one of these set (non-blank) is enough. */
  env: readonly string[];
  /** Files a logged-in agent keeps; any one existing is enough. `~` is the worker's HOME; `$NAME` a variable. */
  files: readonly string[];
  /** What to do when none is found. */
  hint: string;
}

export interface PresetDefinition {
  name: Preset;
  /** The executable the agent installs. */
  binary: string;
  /** How to install it, one line. */
  install: string;
  /** argv after the binary that prints its version. */
  versionArgs: string[];
  /** argv lists after the binary whose output lists the flags this preset uses (`--help`, `exec --help`). */
  helpArgs: string[][];
  documented: DocumentedFlags;
  /** Flags the agent takes but does not list in its help (doctor does not look for them there). */
  helpExempt?: readonly string[];
  auth: AuthCheck;
  /**
   * Whether the agent is expected to connect to `switchyard mcp`: when it exits without
   * finishing, the board says whether it ever did. False for agents that reach the board another
   * way (Hermes's own tools, the aider wrapper).
   */
  connects: boolean;
  build(ctx: PresetContext): PresetLaunch;
}
