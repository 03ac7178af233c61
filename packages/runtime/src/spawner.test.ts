import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Config, type ProfileConfig, type Task } from "@switchyard/contract";
import { boardPaths, createTask, isCoreError } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { freshBoard, tempDir, tempHome } from "../../core/test/fixtures.ts";
import { processGroupOf, waitFor } from "../test/workers.ts";
import { configPath, loadConfig, resolveProfile } from "./config.ts";
import { LOG_ROTATE_BYTES, workerLogPath } from "./logs.ts";
import { systemProcesses } from "./process.ts";
import { type LaunchFacts, planLaunch, startWorker, workerArgv, workerEnv } from "./spawner.ts";

function facts(task: Task, overrides: Partial<LaunchFacts> = {}): LaunchFacts {
  const home = tempHome();
  return {
    task,
    profile: task.assignee ?? "worker",
    runId: 7,
    workspace: "/tmp/ws",
    paths: boardPaths(home, "ops"),
    home,
    claimTtlSeconds: 120,
    ...overrides,
  };
}

async function aTask(fields: Parameters<typeof createTask>[1] = { title: "t" }): Promise<Task> {
  const { k } = await freshBoard();
  return (await createTask(k, { assignee: "coder", ...fields })).task;
}

const profile = (p: Partial<ProfileConfig>): ProfileConfig => ({ env: {}, ...p });

describe("a worker's argv", () => {
  it("fills every placeholder of the profile's command template", async () => {
    const task = await aTask();
    const argv = workerArgv(
      profile({ command: ["agent", "--task={task_id}", "{profile}", "{workspace}", "{board}", "{prompt}", "{x}"] }),
      facts(task),
    );
    expect(argv).toEqual([
      "agent",
      `--task=${task.id}`,
      "coder",
      "/tmp/ws",
      "ops",
      `work kanban task ${task.id}`,
      "{x}",
    ]);
  });

  it("builds the hermes preset as upstream's dispatcher does, one --skills pair per task skill and no second kanban-worker", async () => {
    const task = await aTask({ title: "t", skills: ["kanban-worker", "git", "review"] });
    expect(workerArgv(profile({ preset: "hermes" }), facts(task))).toEqual([
      "hermes",
      "-p",
      "coder",
      "--cli",
      "--accept-hooks",
      "--skills",
      "kanban-worker",
      "--skills",
      "git",
      "--skills",
      "review",
      "chat",
      "-q",
      `work kanban task ${task.id}`,
    ]);
  });
});

describe("a worker's environment", () => {
  it("carries the task, run, board and paths under both names, plus the profile's env", async () => {
    const task = await aTask({ title: "t", tenant: "acme", skills: ["git"] });
    const f = facts(task);
    const env = workerEnv({ PATH: "/bin", KEEP: "1" }, profile({ command: ["x"], env: { MODEL: "small" } }), f);
    expect(env).toMatchObject({
      PATH: "/bin",
      KEEP: "1",
      MODEL: "small",
      SWITCHYARD_TASK: task.id,
      SWITCHYARD_RUN_ID: "7",
      SWITCHYARD_WORKSPACE: "/tmp/ws",
      SWITCHYARD_DB: f.paths.dbPath,
      SWITCHYARD_BOARD: "ops",
      SWITCHYARD_PROFILE: "coder",
      SWITCHYARD_TENANT: "acme",
      SWITCHYARD_SKILLS: "kanban-worker,git",
      SWITCHYARD_CLAIM_TTL_SECONDS: "120",
      SWITCHYARD_WORKSPACES_ROOT: f.paths.workspacesRoot,
      SWITCHYARD_HOME: f.home.root,
      HERMES_KANBAN_TASK: task.id,
      HERMES_KANBAN_RUN_ID: "7",
      HERMES_KANBAN_WORKSPACE: "/tmp/ws",
      HERMES_KANBAN_DB: f.paths.dbPath,
      HERMES_KANBAN_WORKSPACES_ROOT: f.paths.workspacesRoot,
      HERMES_KANBAN_BOARD: "ops",
      HERMES_PROFILE: "coder",
      HERMES_TENANT: "acme",
    });
  });

  it("does not pass on a tenant the task does not have, and a profile cannot redirect the worker", async () => {
    const task = await aTask();
    const env = workerEnv(
      { SWITCHYARD_TENANT: "other", HERMES_TENANT: "other", SWITCHYARD_TASK: "t_00000000" },
      profile({ command: ["x"], env: { SWITCHYARD_TASK: "t_ffffffff", SWITCHYARD_DB: "/elsewhere.db" } }),
      facts(task),
    );
    expect(env.SWITCHYARD_TENANT).toBeUndefined();
    expect(env.HERMES_TENANT).toBeUndefined();
    expect(env.SWITCHYARD_TASK).toBe(task.id);
    expect(env.SWITCHYARD_DB).not.toBe("/elsewhere.db");
  });

  it("points the worker at the storage its dispatcher uses, whatever database the spawner's own environment names", async () => {
    const task = await aTask();
    const inherited = { SWITCHYARD_DATABASE_URL: "postgres://db/elsewhere" };
    const files = facts(task);
    expect(workerEnv(inherited, profile({ command: ["x"] }), files).SWITCHYARD_DATABASE_URL).toBe("");
    const home = { ...files.home, databaseUrl: "postgres://db/fleet" };
    const pg = facts(task, { home, paths: boardPaths(home, "ops") });
    expect(workerEnv(inherited, profile({ command: ["x"] }), pg).SWITCHYARD_DATABASE_URL).toBe("postgres://db/fleet");
  });
});

describe("starting a worker process", () => {
  it("runs in the workspace, in its own process group, with its output appended to the task's log", async () => {
    const { k, home } = await freshBoard();
    const task = (await createTask(k, { title: "t", assignee: "coder" })).task;
    const workspace = tempDir("switchyard-ws-");
    const script =
      "console.log('cwd=' + process.cwd()); console.error('task=' + process.env.SWITCHYARD_TASK); setTimeout(() => {}, 30000)";
    const launch = planLaunch(
      profile({ command: [process.execPath, "-e", script] }),
      { task, profile: "coder", runId: 1, workspace, paths: k.paths, home, claimTtlSeconds: 900 },
      process.env,
    );
    expect(launch.cwd).toBe(workspace);
    const child = await startWorker(launch, k.paths, task.id);
    const pid = child.pid as number;
    try {
      expect(processGroupOf(pid)).toBe(pid);
      const log = workerLogPath(k.paths, task.id);
      await waitFor("the worker's output in its log", () => {
        const text = readFileSync(log, "utf8");
        return text.includes(`cwd=${workspace}`) && text.includes(`task=${task.id}`);
      });
      expect(readFileSync(log, "utf8")).toMatch(/^\[switchyard .*\] starting: \[/);
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      systemProcesses.kill(-pid, "SIGKILL");
      await exited;
    }
  });

  it("falls back to the spawner's cwd when the workspace is not a directory yet (a worktree)", async () => {
    const task = await aTask();
    const launch = planLaunch(profile({ command: ["x"] }), facts(task, { workspace: "/nonexistent/wt" }), {});
    expect(launch.cwd).toBeUndefined();
  });

  it("rotates a log over 2 MiB to <id>.log.1 before the worker starts", async () => {
    const { k, home } = await freshBoard();
    const task = (await createTask(k, { title: "t", assignee: "coder" })).task;
    const log = workerLogPath(k.paths, task.id);
    mkdirSync(k.paths.logsDir, { recursive: true });
    writeFileSync(log, Buffer.alloc(LOG_ROTATE_BYTES + 1, 120));
    const launch = planLaunch(
      profile({ command: [process.execPath, "-e", "console.log('fresh')"] }),
      { task, profile: "coder", runId: 1, workspace: "/nonexistent", paths: k.paths, home, claimTtlSeconds: 900 },
      process.env,
    );
    const child = await startWorker(launch, k.paths, task.id);
    await new Promise((resolve) => child.once("exit", resolve));
    expect(statSync(`${log}.1`).size).toBe(LOG_ROTATE_BYTES + 1);
    expect(readFileSync(log, "utf8")).toContain("fresh");
  });

  it("rejects with a clear message when the command does not exist", async () => {
    const { k, home } = await freshBoard();
    const task = (await createTask(k, { title: "t", assignee: "coder" })).task;
    const launch = planLaunch(
      profile({ command: ["switchyard-no-such-agent-binary"] }),
      { task, profile: "coder", runId: 1, workspace: "/nonexistent", paths: k.paths, home, claimTtlSeconds: 900 },
      process.env,
    );
    await expect(startWorker(launch, k.paths, task.id)).rejects.toThrow(
      "`switchyard-no-such-agent-binary` was not found",
    );
  });

  it("rejects with a clear message when the command is not executable", async () => {
    const { k, home } = await freshBoard();
    const task = (await createTask(k, { title: "t", assignee: "coder" })).task;
    const file = join(tempDir(), "agent.sh");
    writeFileSync(file, "#!/bin/sh\necho hi\n");
    chmodSync(file, 0o644);
    const launch = planLaunch(
      profile({ command: [file] }),
      { task, profile: "coder", runId: 1, workspace: "/nonexistent", paths: k.paths, home, claimTtlSeconds: 900 },
      process.env,
    );
    await expect(startWorker(launch, k.paths, task.id)).rejects.toThrow("is not executable");
  });
});

describe("profiles in config.yaml", () => {
  function configWith(text: string) {
    const home = tempHome();
    writeFileSync(configPath(home), text);
    return home;
  }

  function refusal(text: string): string {
    try {
      loadConfig(configWith(text));
    } catch (err) {
      if (isCoreError(err, "config_invalid")) return err.message;
      throw err;
    }
    throw new Error("the config was accepted");
  }

  it("accepts a command profile with env, a cap and a model hint", () => {
    const config = loadConfig(
      configWith(
        "profiles:\n  coder:\n    command: [agent, '{task_id}']\n    env: {MODEL: small}\n    max_in_progress: 2\n    model_hint: agent --model big\n",
      ),
    );
    expect(config.profiles.coder).toEqual({
      command: ["agent", "{task_id}"],
      env: { MODEL: "small" },
      max_in_progress: 2,
      model_hint: "agent --model big",
    });
  });

  it("names the key of an unknown placeholder in a command", () => {
    expect(refusal("profiles:\n  coder:\n    command: [agent, '{taskid}']\n")).toMatch(
      /profiles\.coder\.command\.1: unknown placeholder \{taskid\}/,
    );
  });

  it("refuses a profile with both a command and a preset, or neither", () => {
    expect(refusal("profiles:\n  coder:\n    command: [agent]\n    preset: hermes\n")).toMatch(
      /profiles\.coder: a profile needs exactly one of/,
    );
    expect(refusal("profiles:\n  coder:\n    env: {A: b}\n")).toMatch(
      /profiles\.coder: a profile needs exactly one of/,
    );
  });

  it("names a misspelt dispatch key", () => {
    expect(refusal("dispatch:\n  max_in_progres: 2\n")).toMatch(/dispatch\.max_in_progres/);
  });

  it("makes a Hermes profile on disk spawnable with the hermes preset", () => {
    const home = tempHome();
    mkdirSync(join(home.root, "profiles", "researcher"), { recursive: true });
    writeFileSync(join(home.root, "profiles", "researcher", "config.yaml"), "model: x\n");
    const config = Config.parse({});
    expect(resolveProfile(home, config, "researcher")).toEqual({ preset: "hermes", env: {} });
    expect(resolveProfile(home, config, "alice")).toBeNull();
  });
});
