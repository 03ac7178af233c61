import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import type { Config, DoctorCheck, Preset, ProfileConfig, Task } from "@switchyard/contract";
import { boardPaths, DEFAULT_BOARD, type Env, type Home } from "@switchyard/core";
import { type LaunchFacts, planLaunch, type WorkerLaunch } from "../spawner.ts";
import { flagsOf } from "./mcp-server.ts";
import { presetFor } from "./table.ts";
import type { AuthCheck, PresetDefinition } from "./types.ts";

/**
 * What `switchyard doctor` can find out about a profile without running a task (SPEC §14): the
 * binary, its version, the preset's flags against the agent's own `--help`, and whether any
 * credentials are there. It never uses the credentials: a key that is set may still be wrong.
 * Starting the MCP server the way the agent will is the CLI's part (it has the MCP client).
 */

/** The task id a doctor's launch is planned for: it names no task, so nothing is recorded. */
export const PROBE_TASK_ID = "t_00000000";

/** A task as the dispatcher would hand it over, to plan a launch without one. */
export function probeTask(id = PROBE_TASK_ID): Task {
  return {
    id,
    title: "switchyard doctor",
    body: null,
    assignee: null,
    status: "running",
    priority: 0,
    created_by: null,
    created_at: 0,
    started_at: null,
    completed_at: null,
    workspace_kind: "scratch",
    workspace_path: null,
    claim_lock: null,
    claim_expires: null,
    tenant: null,
    result: null,
    idempotency_key: null,
    spawn_failures: 0,
    worker_pid: null,
    last_spawn_error: null,
    max_runtime_seconds: null,
    last_heartbeat_at: null,
    current_run_id: null,
    workflow_template_id: null,
    current_step_key: null,
    skills: null,
    max_retries: null,
    retry_after: null,
    parked: false,
    model_override: null,
  };
}

/** The launch a profile's worker would get, for a task that does not exist. */
export function probeLaunch(home: Home, config: Config, name: string, profile: ProfileConfig, base: Env): WorkerLaunch {
  const paths = boardPaths(home, DEFAULT_BOARD);
  const facts: LaunchFacts = {
    task: { ...probeTask(), assignee: name },
    profile: name,
    runId: 1,
    workspace: join(paths.workspacesRoot, PROBE_TASK_ID),
    paths,
    home,
    claimTtlSeconds: config.dispatch.claim_ttl_seconds,
  };
  return planLaunch(profile, facts, base);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Where `command` is found the way `spawn` finds it: a path as it is, a name on PATH. */
export function findExecutable(command: string, env: Env, cwd = process.cwd()): string | null {
  if (command.includes("/")) {
    const path = isAbsolute(command) ? command : resolve(cwd, command);
    return isExecutable(path) ? path : null;
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, command);
    if (isExecutable(path)) return path;
  }
  return null;
}

/** The environment a profile's agent runs in, before the worker variables. */
function agentEnv(base: Env, profile: ProfileConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  return Object.assign(env, profile.env);
}

/** The first non-blank line of a command's output, trimmed. */
export function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find(Boolean) ?? ""
  );
}

const RUN_TIMEOUT_MS = 20_000;

function runFor(path: string, args: readonly string[], env: Record<string, string>) {
  const r = spawnSync(path, args, {
    env,
    encoding: "utf8",
    timeout: RUN_TIMEOUT_MS,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { code: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}`, error: r.error?.message ?? null };
}

/** A flag appears in a help text as itself: `--model`, `-p,`, `--mcp-config <configs...>`, `[--yes-always]`. */
export function helpListsFlag(help: string, flag: string): boolean {
  const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[\\s,\\[(|])${escaped}(?=$|[\\s,=\\])|<.\\[])`, "m").test(help);
}

/** The part of a preset's argv that its agent parses: after `--` for a wrapped agent (aider). */
function agentArgv(definition: PresetDefinition, argv: readonly string[]): string[] {
  const sep = argv.indexOf("--");
  return definition.connects || sep < 0 ? [...argv] : argv.slice(sep + 1);
}

function expand(path: string, env: Env): string | null {
  let out = path;
  if (out.startsWith("~/")) out = join(env.HOME?.trim() || homedir(), out.slice(2));
  const m = /^\$([A-Z_]+)(\/.*)?$/.exec(out);
  if (m) {
    const value = env[m[1] as string]?.trim();
    if (!value) return null;
    out = `${value}${m[2] ?? ""}`;
  }
  return out;
}

/** Which credential the agent would find: a variable or a login file, or null. */
export function findCredentials(auth: AuthCheck, env: Env): string | null {
  for (const name of auth.env) if (env[name]?.trim()) return `${name} is set`;
  for (const file of auth.files) {
    const path = expand(file, env);
    if (path && existsSync(path)) return `logged in (${path})`;
  }
  return null;
}

export interface ProfileDiagnosis {
  profile: string;
  preset: Preset | null;
  checks: DoctorCheck[];
  /** The planned launch, when one could be planned (its `mcp` is how the agent starts the board's server). */
  launch: WorkerLaunch | null;
}

/**
 * Checks one profile: its binary exists, answers its version command, lists every flag the
 * preset passes in its help, and has credentials. A `command` profile gets the binary check
 * only (Switchyard does not know its flags or its keys).
 */
export function diagnoseProfile(
  home: Home,
  config: Config,
  name: string,
  profile: ProfileConfig,
  base: Env = process.env,
): ProfileDiagnosis {
  const checks: DoctorCheck[] = [];
  const env = agentEnv(base, profile);
  let launch: WorkerLaunch | null = null;
  try {
    launch = probeLaunch(home, config, name, profile, base);
  } catch (err) {
    checks.push({ name: "launch", ok: false, detail: (err as Error).message });
    return { profile: name, preset: profile.preset ?? null, checks, launch };
  }
  const definition = profile.preset ? presetFor(profile.preset) : null;
  const binary = definition?.binary ?? launch.argv[0] ?? "";
  const path = findExecutable(binary, env);
  if (!path) {
    const hint = definition ? `; install it: ${definition.install}` : "";
    checks.push({ name: "binary", ok: false, detail: `\`${binary}\` was not found on PATH${hint}` });
    return { profile: name, preset: profile.preset ?? null, checks, launch };
  }
  checks.push({ name: "binary", ok: true, detail: path });
  if (!definition) return { profile: name, preset: null, checks, launch };

  const version = runFor(path, definition.versionArgs, env);
  checks.push(
    version.code === 0
      ? { name: "version", ok: true, detail: firstLine(version.output) || "(no output)" }
      : {
          name: "version",
          ok: false,
          detail: `\`${binary} ${definition.versionArgs.join(" ")}\` ${version.error ?? `exited ${version.code}`}: ${firstLine(version.output)}`,
        },
  );

  const help = definition.helpArgs.map((args) => runFor(path, args, env).output).join("\n");
  const used = flagsOf(agentArgv(definition, launch.argv)).filter((f) => !(definition.helpExempt ?? []).includes(f));
  const missing = used.filter((f) => !helpListsFlag(help, f));
  checks.push(
    missing.length === 0
      ? {
          name: "flags",
          ok: true,
          detail: `${used.length} ${used.length === 1 ? "flag" : "flags"} listed by \`${binary} ${definition.helpArgs[0]?.join(" ")}\``,
        }
      : {
          name: "flags",
          ok: false,
          detail: `\`${binary}\` does not list ${missing.join(", ")} in its help: a version too old for this preset?`,
        },
  );

  const found = findCredentials(definition.auth, env);
  checks.push(
    found
      ? { name: "auth", ok: true, detail: found }
      : { name: "auth", ok: false, detail: `no credentials found: ${definition.auth.hint}` },
  );
  return { profile: name, preset: definition.name, checks, launch };
}
