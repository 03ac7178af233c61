import { mkdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { PRESETS, type ProfileConfig, type Task, WORKER_TOOL_NAMES } from "@switchyard/contract";
import { boardPaths, createTask } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { freshBoard, tempDir, tempHome } from "../../../core/test/fixtures.ts";
import { type LaunchFacts, planLaunch, runDirOf, startWorker, type WorkerLaunch } from "../spawner.ts";
import { cliEntry, flagsOf, registerCliEntry, switchyardMcpArgv } from "./mcp-server.ts";
import { PRESET_TABLE } from "./table.ts";

/**
 * The presets (SPEC §14): each builds its agent's headless argv and per-run MCP configuration,
 * and uses only flags its agent documents (`documented` in each module names where the list was
 * read: the agent's `--help` of a pinned version, or its documentation).
 */

async function aTask(fields: Parameters<typeof createTask>[1] = { title: "t" }): Promise<Task> {
  const { k } = await freshBoard();
  return (await createTask(k, { assignee: "coder", ...fields })).task;
}

function facts(task: Task, overrides: Partial<LaunchFacts> = {}): LaunchFacts {
  const home = tempHome();
  return {
    task,
    profile: "coder",
    runId: 7,
    workspace: "/tmp/ws",
    paths: boardPaths(home, "ops"),
    home,
    claimTtlSeconds: 120,
    ...overrides,
  };
}

const profile = (p: Partial<ProfileConfig>): ProfileConfig => ({ env: {}, ...p });

function fileOf(launch: WorkerLaunch, name: string): string {
  const file = launch.files.find((f) => f.path.endsWith(`/${name}`));
  if (!file || !("content" in file))
    throw new Error(`no file ${name} in ${launch.files.map((f) => f.path).join(", ")}`);
  return file.content;
}

/** The argv its agent parses: after `--` for a wrapped agent. */
function agentPart(argv: readonly string[]): string[] {
  const sep = argv.indexOf("--");
  return sep < 0 ? [...argv] : argv.slice(sep + 1);
}

function expectIdentity(env: Record<string, string>, f: LaunchFacts): void {
  expect(env).toMatchObject({
    SWITCHYARD_TASK: f.task.id,
    SWITCHYARD_RUN_ID: String(f.runId),
    SWITCHYARD_HOME: f.home.root,
    SWITCHYARD_DB: f.paths.dbPath,
    SWITCHYARD_BOARD: f.paths.slug,
    SWITCHYARD_PROFILE: f.profile,
    SWITCHYARD_CLAIM_TTL_SECONDS: String(f.claimTtlSeconds),
  });
}

describe("every preset", () => {
  it("is one of the config's presets, and the table has them all", () => {
    expect(Object.keys(PRESET_TABLE).sort()).toEqual([...PRESETS].sort());
  });

  it.each([...PRESETS])("%s passes its agent only flags the agent documents", async (name) => {
    const definition = PRESET_TABLE[name];
    const task = await aTask();
    const launch = planLaunch(profile({ preset: name, model: "some-model" }), facts(task), {});
    const argv = agentPart(launch.argv);
    expect(argv[0]).toBe(definition.binary);
    expect(definition.documented.source).toMatch(/\S/);
    const undocumented = flagsOf(argv).filter((f) => !definition.documented.flags.includes(f));
    expect(undocumented, `${name}: ${definition.documented.source}`).toEqual([]);
    // The model reaches the agent.
    expect(argv.join(" ")).toContain("some-model");
  });

  it.each([...PRESETS])(
    "%s starts the board's MCP server by absolute path with the run's identity, or reaches the board its own way",
    async (name) => {
      const task = await aTask();
      const f = facts(task);
      const launch = planLaunch(profile({ preset: name }), f, {});
      if (name === "hermes") {
        // Hermes works the board with its own kanban tools, through HERMES_KANBAN_* in its env.
        expect(launch.mcp).toBeNull();
        expect(launch.agentExpected).toBe(false);
        expect(launch.env).toMatchObject({ HERMES_KANBAN_TASK: task.id, HERMES_KANBAN_RUN_ID: "7" });
        return;
      }
      if (name === "aider") {
        // Aider has no MCP client: `switchyard wrap` reports for it.
        expect(launch.mcp).toBeNull();
        expect(launch.agentExpected).toBe(false);
        return;
      }
      expect(launch.mcp?.command).toBe(process.execPath);
      expect(launch.mcp?.args).toEqual([cliEntry({}), "mcp"]);
      expect(isAbsolute(launch.mcp?.args[0] ?? "")).toBe(true);
      expectIdentity(launch.mcp?.env ?? {}, f);
      const common = JSON.parse(fileOf(launch, "mcp.json"));
      expect(common.mcpServers.switchyard).toEqual({ type: "stdio", ...launch.mcp });
      expect(launch.files.every((file) => file.path.startsWith(runDirOf(f.paths, 7)))).toBe(true);
      expect(launch.agentExpected).toBe(true);
    },
  );
});

describe("the claude-code preset", () => {
  it("runs claude headless with the run's --mcp-config, only that config, and the board's tools allowed", async () => {
    const task = await aTask();
    const f = facts(task);
    const launch = planLaunch(profile({ preset: "claude-code", args: ["--max-budget-usd", "1"] }), f, {});
    const [bin, p, prompt, ...rest] = launch.argv;
    expect([bin, p]).toEqual(["claude", "-p"]);
    expect(prompt).toContain(`kanban task ${task.id}`);
    expect(prompt).toContain("kanban_complete");
    expect(rest).toContain(`--mcp-config=${join(runDirOf(f.paths, 7), "mcp.json")}`);
    expect(rest).toContain("--strict-mcp-config");
    const allowed = rest
      .find((a) => a.startsWith("--allowedTools="))
      ?.slice("--allowedTools=".length)
      .split(",");
    expect(allowed).toEqual(WORKER_TOOL_NAMES.map((t) => `mcp__switchyard__${t}`));
    expect(rest.slice(-2)).toEqual(["--max-budget-usd", "1"]);
    expect(rest).not.toContain("--model");
  });

  it("passes the task's model_override over the profile's model", async () => {
    const task = await aTask({ title: "t", model_override: "opus" });
    const argv = planLaunch(profile({ preset: "claude-code", model: "sonnet" }), facts(task), {}).argv;
    expect(argv.slice(argv.indexOf("--model"), argv.indexOf("--model") + 2)).toEqual(["--model", "opus"]);
    const plain = await aTask();
    const own = planLaunch(profile({ preset: "claude-code", model: "sonnet" }), facts(plain), {}).argv;
    expect(own.slice(own.indexOf("--model"), own.indexOf("--model") + 2)).toEqual(["--model", "sonnet"]);
  });
});

describe("the codex preset", () => {
  it("adds the server with -c overrides: explicit env, required, tool calls approved; the prompt comes last", async () => {
    const task = await aTask();
    const f = facts(task);
    const launch = planLaunch(profile({ preset: "codex", model: "gpt-5-codex" }), f, {});
    expect(launch.argv.slice(0, 5)).toEqual(["codex", "exec", "--skip-git-repo-check", "--sandbox", "workspace-write"]);
    expect(launch.argv.at(-1)).toContain(`kanban task ${task.id}`);
    const overrides = launch.argv.flatMap((a, i) => (launch.argv[i - 1] === "-c" ? [a] : []));
    expect(overrides).toContain(`mcp_servers.switchyard.command=${JSON.stringify(process.execPath)}`);
    expect(overrides).toContain(`mcp_servers.switchyard.args=${JSON.stringify(launch.mcp?.args)}`);
    expect(overrides).toContain("mcp_servers.switchyard.required=true");
    expect(overrides).toContain('mcp_servers.switchyard.default_tools_approval_mode="approve"');
    const env = overrides.find((o) => o.startsWith("mcp_servers.switchyard.env="));
    // A TOML inline table of quoted keys and strings: `{"K"="v",…}`.
    const table = Object.fromEntries(
      [...(env ?? "").matchAll(/("(?:[^"\\]|\\.)*")=("(?:[^"\\]|\\.)*")/g)].map((m) => [
        JSON.parse(m[1] as string),
        JSON.parse(m[2] as string),
      ]),
    );
    expectIdentity(table, f);
    expect(launch.argv.slice(launch.argv.indexOf("--model"), launch.argv.indexOf("--model") + 2)).toEqual([
      "--model",
      "gpt-5-codex",
    ]);
  });
});

describe("the gemini preset", () => {
  function userHome(settings: Record<string, unknown>, login: boolean): string {
    const home = tempDir("switchyard-user-");
    mkdirSync(join(home, ".gemini"), { recursive: true });
    writeFileSync(join(home, ".gemini", "settings.json"), JSON.stringify(settings));
    if (login) writeFileSync(join(home, ".gemini", "oauth_creds.json"), "{}");
    return home;
  }

  it("gives the run its own Gemini home: the user's settings plus the trusted board server and the API-key auth type", async () => {
    const task = await aTask();
    const f = facts(task);
    const home = userHome({ ui: { theme: "Dracula" }, mcpServers: { other: { command: "x" } } }, false);
    const launch = planLaunch(profile({ preset: "gemini" }), f, { HOME: home, GEMINI_API_KEY: "k" });
    expect(launch.argv.slice(0, 2)).toEqual(["gemini", "-p"]);
    expect(launch.argv).toEqual(expect.arrayContaining(["--skip-trust", "--approval-mode", "auto_edit"]));
    const geminiHome = join(runDirOf(f.paths, 7), "gemini");
    expect(launch.env).toMatchObject({ GEMINI_CLI_HOME: geminiHome, GEMINI_CLI_TRUST_WORKSPACE: "true" });
    const settings = JSON.parse(fileOf(launch, "settings.json"));
    expect(settings.ui).toEqual({ theme: "Dracula" });
    expect(settings.mcpServers.other).toEqual({ command: "x" });
    expect(settings.mcpServers.switchyard).toEqual({ ...launch.mcp, trust: true });
    expect(settings.security.auth.selectedType).toBe("gemini-api-key");
    expect(launch.files.map((file) => file.path)).toContain(join(geminiHome, ".gemini", "settings.json"));
  });

  it("keeps a logged-in user's auth choice and links the login into the run's home", async () => {
    const task = await aTask();
    const f = facts(task);
    const home = userHome({ security: { auth: { selectedType: "oauth-personal" } } }, true);
    const launch = planLaunch(profile({ preset: "gemini" }), f, { HOME: home });
    expect(JSON.parse(fileOf(launch, "settings.json")).security.auth.selectedType).toBe("oauth-personal");
    const link = launch.files.find((file) => file.path.endsWith("/oauth_creds.json"));
    expect(link).toEqual({
      path: join(runDirOf(f.paths, 7), "gemini", ".gemini", "oauth_creds.json"),
      linkTo: join(home, ".gemini", "oauth_creds.json"),
    });
  });
});

describe("the opencode preset", () => {
  it("names the run's config file in OPENCODE_CONFIG: a local server with its command and environment", async () => {
    const task = await aTask();
    const f = facts(task);
    const launch = planLaunch(
      profile({ preset: "opencode", model: "anthropic/claude-sonnet-4", env: { OPENCODE_CONFIG: "/mine.json" } }),
      f,
      {},
    );
    expect(launch.argv.slice(0, 4)).toEqual(["opencode", "run", "--model", "anthropic/claude-sonnet-4"]);
    expect(launch.argv.at(-1)).toContain(`kanban task ${task.id}`);
    const path = join(runDirOf(f.paths, 7), "opencode.json");
    // The preset's wiring wins over the profile's env: another file would leave the agent without the board.
    expect(launch.env.OPENCODE_CONFIG).toBe(path);
    const config = JSON.parse(fileOf(launch, "opencode.json"));
    expect(config.mcp.switchyard).toMatchObject({
      type: "local",
      command: [process.execPath, ...(launch.mcp?.args ?? [])],
      enabled: true,
    });
    expectIdentity(config.mcp.switchyard.environment, f);
  });
});

describe("the goose preset", () => {
  it("adds the server as a stdio extension: KEY=value words, then the command, quoted where needed", async () => {
    const task = await aTask();
    const home = { root: join(tempDir(), "a home"), env: {}, databaseUrl: null };
    const f = facts(task, { home, paths: boardPaths(home, "ops") });
    const launch = planLaunch(profile({ preset: "goose" }), f, {});
    expect(launch.argv.slice(0, 4)).toEqual(["goose", "run", "--no-session", "--with-extension"]);
    const extension = launch.argv[4] ?? "";
    expect(extension).toContain(`SWITCHYARD_TASK=${task.id}`);
    expect(extension).toContain(`'SWITCHYARD_HOME=${home.root}'`);
    expect(extension).toContain(`${process.execPath} `);
    expect(extension.endsWith(" mcp")).toBe(true);
    expect(launch.argv.slice(-2, -1)).toEqual(["-t"]);
  });
});

describe("the hermes preset", () => {
  it("is upstream's worker argv with the task's model as -m", async () => {
    const task = await aTask({ title: "t", model_override: "anthropic/claude-sonnet-4", skills: ["git"] });
    expect(planLaunch(profile({ preset: "hermes" }), facts(task), {}).argv).toEqual([
      "hermes",
      "-p",
      "coder",
      "--cli",
      "--accept-hooks",
      "--skills",
      "kanban-worker",
      "--skills",
      "git",
      "-m",
      "anthropic/claude-sonnet-4",
      "chat",
      "-q",
      `work kanban task ${task.id}`,
    ]);
  });
});

describe("the aider preset", () => {
  it("runs aider under `switchyard wrap`, which hands it the task and reports its exit", async () => {
    const task = await aTask();
    const launch = planLaunch(profile({ preset: "aider", model: "gpt-4o" }), facts(task), {});
    expect(launch.argv.slice(0, 5)).toEqual([
      process.execPath,
      cliEntry({}),
      "wrap",
      "--message-flag=--message-file",
      "--",
    ]);
    expect(agentPart(launch.argv)).toEqual([
      "aider",
      "--yes-always",
      "--no-pretty",
      "--no-stream",
      "--no-check-update",
      "--model",
      "gpt-4o",
    ]);
  });
});

describe("a command template", () => {
  it("fills {run_id}, {mcp_config}, {model} and {home}, and writes the MCP configuration it names", async () => {
    const { k, home } = await freshBoard();
    const task = (await createTask(k, { title: "t", assignee: "coder", model_override: "m1" })).task;
    const workspace = tempDir("switchyard-ws-");
    const f = { task, profile: "coder", runId: 3, workspace, paths: k.paths, home, claimTtlSeconds: 60 };
    const script =
      "require('fs').readFileSync(process.argv[1]); console.log('read ' + process.argv.slice(1).join(' '))";
    const launch = planLaunch(
      profile({ command: [process.execPath, "-e", script, "{mcp_config}", "{run_id}", "{model}", "{home}"] }),
      f,
      process.env,
    );
    const config = join(runDirOf(k.paths, 3), "mcp.json");
    expect(launch.argv.slice(3)).toEqual([config, "3", "m1", home.root]);
    expect(launch.agentExpected).toBe(true);
    const child = await startWorker(launch, k.paths, task.id);
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(config, "utf8")).mcpServers.switchyard.env.SWITCHYARD_TASK).toBe(task.id);
  });

  it("without {mcp_config} writes no configuration and expects no connection; {model} is empty without one", async () => {
    const task = await aTask();
    const launch = planLaunch(profile({ command: ["agent", "--model={model}"] }), facts(task), {});
    expect(launch.argv).toEqual(["agent", "--model="]);
    expect(launch.files).toEqual([]);
    expect(launch.agentExpected).toBe(false);
  });
});

describe("the argv of `switchyard mcp`", () => {
  it("is this Node and the CLI's entry: SWITCHYARD_CLI, else the script the CLI registered, else the checkout's bin", () => {
    expect(switchyardMcpArgv({ SWITCHYARD_CLI: "/opt/sy/bin/switchyard.mjs" })).toEqual([
      process.execPath,
      "/opt/sy/bin/switchyard.mjs",
      "mcp",
    ]);
    expect(() => cliEntry({ SWITCHYARD_CLI: "bin/switchyard.mjs" })).toThrow(/absolute path/);
    expect(cliEntry({})).toMatch(/apps\/cli\/bin\/switchyard\.mjs$/);
    const dir = tempDir();
    const entry = join(dir, "switchyard");
    writeFileSync(entry, "");
    registerCliEntry(entry);
    try {
      expect(cliEntry({})).toBe(entry);
    } finally {
      registerCliEntry(null);
    }
  });
});

describe("linking a login file", () => {
  it("is made by startWorker as a symlink to the user's file", async () => {
    const { k, home } = await freshBoard();
    const task = (await createTask(k, { title: "t", assignee: "coder" })).task;
    const userHomeDir = tempDir("switchyard-user-");
    mkdirSync(join(userHomeDir, ".gemini"), { recursive: true });
    writeFileSync(join(userHomeDir, ".gemini", "oauth_creds.json"), "{}");
    const launch = planLaunch(
      profile({ preset: "gemini" }),
      { task, profile: "coder", runId: 2, workspace: "/nonexistent", paths: k.paths, home, claimTtlSeconds: 60 },
      { HOME: userHomeDir, PATH: "/nonexistent" },
    );
    await expect(startWorker(launch, k.paths, task.id)).rejects.toThrow("`gemini` was not found");
    expect(readlinkSync(join(runDirOf(k.paths, 2), "gemini", ".gemini", "oauth_creds.json"))).toBe(
      join(userHomeDir, ".gemini", "oauth_creds.json"),
    );
  });
});
