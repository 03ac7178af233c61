import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ProfileConfig, Task } from "@switchyard/contract";
import { type BoardPaths, BUSY_TIMEOUT_ENV, type Env, type Home } from "@switchyard/core";
import { openWorkerLog, workerLogPath } from "./logs.ts";
import { mcpServerLaunch, mcpServersJson, switchyardCliArgv } from "./presets/mcp-server.ts";
import { workerPrompt } from "./presets/prompt.ts";
import { presetFor } from "./presets/table.ts";
import type { McpServerLaunch, PresetFile } from "./presets/types.ts";

export { workerPrompt };

/** The skill every dispatched worker loads (reference §15). */
export const WORKER_SKILL = "kanban-worker";

export interface LaunchFacts {
  task: Task;
  /** The profile the task is assigned to. */
  profile: string;
  runId: number;
  workspace: string;
  paths: BoardPaths;
  home: Home;
  claimTtlSeconds: number;
}

/** Task skills after the built-in worker skill, without duplicates (reference §3.10). */
export function workerSkills(task: Task): string[] {
  return [WORKER_SKILL, ...(task.skills ?? []).filter((s) => s !== WORKER_SKILL)];
}

/**
 * A run's own directory, for the files its agent reads its configuration from (the MCP
 * configuration, Gemini's settings, aider's message): `<board dir>/runs/<run id>/`, outside the
 * workspace so nothing of it lands in a worktree.
 */
export function runDirOf(paths: BoardPaths, runId: number): string {
  return join(paths.metaDir, "runs", String(runId));
}

/** The model a worker runs with: the task's `model_override`, else the profile's `model` (SPEC §14). */
export function workerModel(profile: ProfileConfig, task: Task): string | null {
  return task.model_override ?? profile.model ?? null;
}

/** Names a worker inherits only when they apply to its own task. */
const TASK_SCOPED = ["SWITCHYARD_TENANT", "HERMES_TENANT"];

/**
 * The worker variables and their Hermes twins (SPEC §4): how the worker's tool calls find their
 * task, run and board. A profile cannot override them.
 */
export function workerPins(facts: LaunchFacts): Record<string, string> {
  const { task, paths } = facts;
  const pins: Record<string, string> = {
    SWITCHYARD_TASK: task.id,
    SWITCHYARD_RUN_ID: String(facts.runId),
    SWITCHYARD_WORKSPACE: facts.workspace,
    SWITCHYARD_DB: paths.dbPath,
    SWITCHYARD_BOARD: paths.slug,
    SWITCHYARD_PROFILE: facts.profile,
    SWITCHYARD_SKILLS: workerSkills(task).join(","),
    SWITCHYARD_CLAIM_TTL_SECONDS: String(facts.claimTtlSeconds),
    SWITCHYARD_WORKSPACES_ROOT: paths.workspacesRoot,
    SWITCHYARD_HOME: facts.home.root,
    // The worker's board is where its dispatcher's is: this database, or (blank) the home's files.
    SWITCHYARD_DATABASE_URL: facts.home.databaseUrl ?? "",
    HERMES_KANBAN_TASK: task.id,
    HERMES_KANBAN_RUN_ID: String(facts.runId),
    HERMES_KANBAN_WORKSPACE: facts.workspace,
    HERMES_KANBAN_DB: paths.dbPath,
    HERMES_KANBAN_WORKSPACES_ROOT: paths.workspacesRoot,
    HERMES_KANBAN_BOARD: paths.slug,
    HERMES_PROFILE: facts.profile,
  };
  if (task.tenant) {
    pins.SWITCHYARD_TENANT = task.tenant;
    pins.HERMES_TENANT = task.tenant;
  }
  return pins;
}

/**
 * A worker's environment (SPEC §4): the spawner's own, then the profile's `env`, then what its
 * preset wires in (the variables its agent reads its per-run configuration from), then the worker
 * variables, which neither can override.
 */
export function workerEnv(
  base: Env,
  profile: ProfileConfig,
  facts: LaunchFacts,
  presetEnv: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && !TASK_SCOPED.includes(name)) env[name] = value;
  }
  Object.assign(env, profile.env, presetEnv);
  return Object.assign(env, workerPins(facts));
}

/**
 * How `switchyard mcp` is started for this run: the CLI's entry by absolute path, with the run's
 * identity (its `SWITCHYARD_*` variables, and the board's busy timeout when one is set) passed
 * explicitly.
 */
export function runMcpServer(facts: LaunchFacts, base: Env): McpServerLaunch {
  const identity: Record<string, string> = {};
  for (const [name, value] of Object.entries(workerPins(facts))) {
    if (name.startsWith("SWITCHYARD_")) identity[name] = value;
  }
  const busy = base[BUSY_TIMEOUT_ENV];
  if (busy) identity[BUSY_TIMEOUT_ENV] = busy;
  return mcpServerLaunch(identity, base);
}

function fill(template: readonly string[], values: Record<string, string>): string[] {
  return template.map((arg) => arg.replace(/\{([a-z_]+)\}/g, (all, name: string) => values[name] ?? all));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export interface WorkerLaunch {
  argv: string[];
  env: Record<string, string>;
  /** The workspace when it is a directory; otherwise the spawner's own cwd. */
  cwd: string | undefined;
  logPath: string;
  /** The run's own directory (`runDirOf`). */
  runDir: string;
  /** Files to write before the worker starts: its MCP configuration and its agent's settings. */
  files: PresetFile[];
  /** How its agent starts `switchyard mcp`, when the launch wires the board's tools in. */
  mcp: McpServerLaunch | null;
  /**
   * Whether its agent is expected to connect to `switchyard mcp`: a preset that wires the board's
   * tools in, or a command that names `{mcp_config}`. When such a worker exits without finishing,
   * the board says whether its agent ever connected (core `recordWorkerExit`).
   */
  agentExpected: boolean;
}

/**
 * Everything needed to start one worker, without starting it (SPEC §4, §14): a `command`
 * template with its placeholders filled in, or a preset's argv, variables and configuration
 * files (presets/). Writes nothing; `startWorker` writes the files.
 */
export function planLaunch(profile: ProfileConfig, facts: LaunchFacts, base: Env): WorkerLaunch {
  const runDir = runDirOf(facts.paths, facts.runId);
  const mcpJsonPath = join(runDir, "mcp.json");
  const model = workerModel(profile, facts.task);
  const values: Record<string, string> = {
    task_id: facts.task.id,
    profile: facts.profile,
    workspace: facts.workspace,
    board: facts.paths.slug,
    prompt: workerPrompt(facts.task.id),
    run_id: String(facts.runId),
    mcp_config: mcpJsonPath,
    model: model ?? "",
    home: facts.home.root,
  };
  const template = [...(profile.command ?? []), ...(profile.args ?? [])];
  const definition = profile.preset ? presetFor(profile.preset) : null;
  const namesMcp = template.some((arg) => arg.includes("{mcp_config}"));
  const needsMcp = namesMcp || definition?.connects === true;
  // The profile's env counts too (a busy timeout, SWITCHYARD_CLI for an unusual layout).
  const own: Env = { ...base, ...profile.env };
  const mcp = needsMcp ? runMcpServer(facts, own) : null;
  const files: PresetFile[] = mcp ? [{ path: mcpJsonPath, content: mcpServersJson(mcp) }] : [];
  const logPath = workerLogPath(facts.paths, facts.task.id);
  const cwd = isDirectory(facts.workspace) ? facts.workspace : undefined;

  if (!definition) {
    return {
      argv: fill(profile.command ?? [], values),
      env: workerEnv(base, profile, facts),
      cwd,
      logPath,
      runDir,
      files,
      mcp,
      agentExpected: namesMcp,
    };
  }
  const env = workerEnv(base, profile, facts);
  const built = definition.build({
    profile: facts.profile,
    task: facts.task,
    runId: facts.runId,
    model,
    extraArgs: fill(profile.args ?? [], values),
    runDir,
    // An agent that reaches the board another way (Hermes's own tools, aider's wrapper) starts no MCP server.
    mcp: mcp ?? { command: process.execPath, args: [], env: {} },
    mcpJsonPath,
    cli: () => switchyardCliArgv(own),
    env,
    skills: workerSkills(facts.task),
  });
  return {
    argv: built.argv,
    env: workerEnv(base, profile, facts, built.env),
    cwd,
    logPath,
    runDir,
    files: [...files, ...built.files],
    mcp,
    agentExpected: definition.connects,
  };
}

/** The argv of a worker (`planLaunch`'s): its command template filled in, or its preset's. */
export function workerArgv(profile: ProfileConfig, facts: LaunchFacts, base: Env = process.env): string[] {
  return planLaunch(profile, facts, base).argv;
}

/**
 * Writes a launch's files in its run directory (mode 0600: they name the board and the run), and
 * its links to the user's own files (an agent's login, when its configuration home is moved).
 */
export function writeLaunchFiles(launch: WorkerLaunch): void {
  for (const file of launch.files) {
    mkdirSync(dirname(file.path), { recursive: true });
    rmSync(file.path, { force: true });
    if ("linkTo" in file) symlinkSync(file.linkTo, file.path);
    else writeFileSync(file.path, file.content, { mode: 0o600 });
  }
}

function describeStartError(command: string, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case "ENOENT":
      return `cannot start worker: \`${command}\` was not found (not on PATH, or its working directory is missing)`;
    case "EACCES":
      return `cannot start worker: \`${command}\` is not executable (permission denied)`;
    default:
      return `cannot start worker \`${command}\`: ${err.message}`;
  }
}

/**
 * Starts a worker process: its own process group (so stopping it signals the agent's children
 * too), stdin closed, stdout and stderr appended to the task's rotated log. Resolves once the
 * process is running; rejects with a clear message when the command cannot start (ENOENT and
 * EACCES are reported asynchronously, so this waits for `spawn` or `error`).
 */
export function startWorker(launch: WorkerLaunch, paths: BoardPaths, taskId: string): Promise<ChildProcess> {
  const command = launch.argv[0];
  if (!command) return Promise.reject(new Error("cannot start worker: the command is empty"));
  try {
    writeLaunchFiles(launch);
  } catch (err) {
    return Promise.reject(
      new Error(
        `cannot start worker: could not write its configuration in ${launch.runDir}: ${(err as Error).message}`,
      ),
    );
  }
  const fd = openWorkerLog(paths, taskId);
  try {
    writeSync(fd, `[switchyard ${new Date().toISOString()}] starting: ${JSON.stringify(launch.argv)}\n`);
  } catch {
    // The header is a courtesy; the worker's own output matters more.
  }
  return new Promise<ChildProcess>((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(command, launch.argv.slice(1), {
        cwd: launch.cwd,
        env: launch.env,
        stdio: ["ignore", fd, fd],
        detached: true,
      });
    } catch (err) {
      closeSync(fd);
      reject(new Error(describeStartError(command, err as NodeJS.ErrnoException)));
      return;
    }
    const onSpawn = () => {
      child.off("error", onError);
      closeSync(fd);
      // Later errors (a failed kill) must not crash the host process.
      child.on("error", () => {});
      resolve(child);
    };
    const onError = (err: NodeJS.ErrnoException) => {
      child.off("spawn", onSpawn);
      closeSync(fd);
      reject(new Error(describeStartError(command, err)));
    };
    child.once("spawn", onSpawn);
    child.once("error", onError);
  });
}
