import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, statSync, writeSync } from "node:fs";
import type { ProfileConfig, Task } from "@switchyard/contract";
import type { BoardPaths, Env, Home } from "@switchyard/core";
import { openWorkerLog, workerLogPath } from "./logs.ts";

/** The skill every dispatched worker loads (reference §15). */
export const WORKER_SKILL = "kanban-worker";

/** What a worker is told to do: the `{prompt}` placeholder and the hermes preset's `-q`. */
export function workerPrompt(taskId: string): string {
  return `work kanban task ${taskId}`;
}

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
 * The argv of a worker (SPEC §4): the profile's template with `{task_id}`, `{profile}`,
 * `{workspace}`, `{board}` and `{prompt}` filled in, or the hermes preset
 * `hermes -p <profile> --skills kanban-worker [--skills s …] chat -q "work kanban task <id>"`.
 */
export function workerArgv(profile: ProfileConfig, facts: LaunchFacts): string[] {
  if (!profile.command) {
    const skills = workerSkills(facts.task).flatMap((s) => ["--skills", s]);
    return ["hermes", "-p", facts.profile, ...skills, "chat", "-q", workerPrompt(facts.task.id)];
  }
  const values: Record<string, string> = {
    task_id: facts.task.id,
    profile: facts.profile,
    workspace: facts.workspace,
    board: facts.paths.slug,
    prompt: workerPrompt(facts.task.id),
  };
  return profile.command.map((arg) => arg.replace(/\{([a-z_]+)\}/g, (all, name: string) => values[name] ?? all));
}

/** Names a worker inherits only when they apply to its own task. */
const TASK_SCOPED = ["SWITCHYARD_TENANT", "HERMES_TENANT"];

/**
 * A worker's environment (SPEC §4): the spawner's own, then the profile's `env`, then the
 * worker variables and their Hermes twins, which a profile cannot override (they are how the
 * worker's tool calls find their task, run and board).
 */
export function workerEnv(base: Env, profile: ProfileConfig, facts: LaunchFacts): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && !TASK_SCOPED.includes(name)) env[name] = value;
  }
  Object.assign(env, profile.env);
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
  return Object.assign(env, pins);
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
}

/** Everything needed to start one worker, without starting it. */
export function planLaunch(profile: ProfileConfig, facts: LaunchFacts, base: Env): WorkerLaunch {
  return {
    argv: workerArgv(profile, facts),
    env: workerEnv(base, profile, facts),
    cwd: isDirectory(facts.workspace) ? facts.workspace : undefined,
    logPath: workerLogPath(facts.paths, facts.task.id),
  };
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
