import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Config } from "@switchyard/contract";
import type { Home } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { refusalSync, tempDir, tempHome } from "../../core/test/fixtures.ts";
import {
  configPath,
  createConfigSource,
  hermesProfilesOnDisk,
  loadConfig,
  resolveProfile,
  spawnableProfiles,
  storageHome,
} from "./config.ts";

function withConfig(text: string): Home {
  const home = tempHome();
  mkdirSync(home.root, { recursive: true });
  writeFileSync(configPath(home), text);
  return home;
}

describe("loadConfig", () => {
  it("gives the defaults when there is no config file", () => {
    const config = loadConfig(tempHome());
    expect(config.dispatch).toMatchObject({
      in_server: true,
      interval_seconds: 60,
      claim_ttl_seconds: 900,
      failure_limit: 3,
      max_in_progress: 4,
    });
    expect(config.server).toMatchObject({ host: "127.0.0.1", port: 8420, allowed_hosts: [] });
    expect(config.profiles).toEqual({});
  });

  it("gives the defaults for an empty file", () => {
    expect(loadConfig(withConfig("")).dispatch.failure_limit).toBe(3);
  });

  it("reads the sections it knows and keeps other top-level keys (a Hermes home's own settings)", () => {
    const config = loadConfig(
      withConfig(
        [
          "model: hermes-3",
          "dispatch:",
          "  failure_limit: 5",
          "  max_in_progress: 2",
          "profiles:",
          "  coder:",
          "    command: [my-agent, --task, '{task_id}']",
          "    max_in_progress: 1",
          "  reviewer:",
          "    preset: hermes",
        ].join("\n"),
      ),
    );
    expect(config.dispatch).toMatchObject({ failure_limit: 5, max_in_progress: 2, interval_seconds: 60 });
    expect(config.profiles.coder).toMatchObject({ command: ["my-agent", "--task", "{task_id}"], max_in_progress: 1 });
    expect(config.profiles.reviewer).toMatchObject({ preset: "hermes" });
    expect((config as Record<string, unknown>).model).toBe("hermes-3");
  });

  it("refuses a misspelt key in a section, naming dispatch.<key>", () => {
    const home = withConfig("dispatch:\n  failure_limt: 5\n");
    const err = refusalSync(() => loadConfig(home));
    expect(err.code).toBe("config_invalid");
    expect(err.message).toContain("dispatch.failure_limt");
    expect(err.message).toContain(configPath(home));
  });

  it("refuses a value of the wrong type, naming the key", () => {
    const err = refusalSync(() => loadConfig(withConfig("server:\n  port: eighty\n")));
    expect(err.code).toBe("config_invalid");
    expect(err.message).toContain("server.port");
  });

  it("refuses invalid YAML", () => {
    const err = refusalSync(() => loadConfig(withConfig("dispatch: [unclosed\n")));
    expect(err.code).toBe("config_invalid");
    expect(err.message).toContain("not valid YAML");
  });

  it("refuses a file that is not a mapping", () => {
    expect(refusalSync(() => loadConfig(withConfig("- just\n- a list\n"))).code).toBe("config_invalid");
  });

  it("refuses a profile with neither command nor preset, naming the profile", () => {
    const err = refusalSync(() => loadConfig(withConfig("profiles:\n  coder:\n    max_in_progress: 1\n")));
    expect(err.code).toBe("config_invalid");
    expect(err.message).toContain("profiles.coder");
    expect(err.message).toMatch(/command.*preset/);
  });

  it("refuses a profile name that is not lowercase, since assignees always are", () => {
    const err = refusalSync(() => loadConfig(withConfig("profiles:\n  Coder:\n    command: [agent]\n")));
    expect(err.code).toBe("config_invalid");
    expect(err.message).toContain("profiles.Coder");
    expect(err.message).toContain("coder");
  });
});

describe("where the boards are (storageHome)", () => {
  it("keeps SQLite files when neither SWITCHYARD_DATABASE_URL nor storage.url is set", () => {
    expect(storageHome(tempHome()).databaseUrl).toBeNull();
    expect(storageHome(withConfig("dispatch:\n  failure_limit: 5\n")).databaseUrl).toBeNull();
    expect(storageHome(withConfig("storage:\n  url: '  '\n")).databaseUrl).toBeNull();
  });

  it("takes storage.url from config.yaml, and the variable over it", () => {
    const home = withConfig("storage:\n  url: postgres://sy@db:5432/fleet\n");
    expect(storageHome(home).databaseUrl).toBe("postgres://sy@db:5432/fleet");
    expect(loadConfig(home).storage.url).toBe("postgres://sy@db:5432/fleet");
    const pinned = tempHome({ SWITCHYARD_HOME: home.root, SWITCHYARD_DATABASE_URL: "postgresql://other/fleet" });
    expect(storageHome(pinned).databaseUrl).toBe("postgresql://other/fleet");
  });

  it("refuses a storage.url that is not PostgreSQL's, or a misspelt key, naming storage.<key> and not the value", () => {
    const wrong = refusalSync(() => storageHome(withConfig("storage:\n  url: mysql://root:hunter2@db/fleet\n")));
    expect(wrong.code).toBe("config_invalid");
    expect(wrong.message).toContain("storage.url");
    expect(wrong.message).toContain("postgres://");
    expect(wrong.message).not.toContain("hunter2");
    const misspelt = refusalSync(() => storageHome(withConfig("storage:\n  uri: postgres://db/fleet\n")));
    expect(misspelt.code).toBe("config_invalid");
    expect(misspelt.message).toContain("storage.uri");
  });

  it("reads only the storage section: the rest of a bad config is refused where the whole config is loaded", () => {
    const home = withConfig("storage:\n  url: postgres://db/fleet\ndispatch:\n  failure_limt: 5\n");
    expect(storageHome(home).databaseUrl).toBe("postgres://db/fleet");
    expect(refusalSync(() => loadConfig(home)).message).toContain("dispatch.failure_limt");
    expect(refusalSync(() => storageHome(withConfig("storage: [unclosed\n"))).message).toContain("not valid YAML");
  });
});

describe("spawnable profiles", () => {
  it("are the configured profiles and the Hermes profiles on disk", () => {
    const home = withConfig("profiles:\n  coder:\n    command: [agent]\n");
    mkdirSync(join(home.root, "profiles", "researcher"), { recursive: true });
    writeFileSync(join(home.root, "profiles", "researcher", "config.yaml"), "");
    const config = loadConfig(home);
    expect(spawnableProfiles(home, config)).toEqual(["coder", "default", "researcher"]);
    expect(resolveProfile(home, config, "coder")).toMatchObject({ command: ["agent"] });
    expect(resolveProfile(home, config, "researcher")).toEqual({ preset: "hermes", env: {} });
    expect(resolveProfile(home, config, "default")).toEqual({ preset: "hermes", env: {} });
    expect(resolveProfile(home, config, "human")).toBeNull();
  });
});

describe("hermesProfilesOnDisk", () => {
  it("lists default and the profiles/<name>/ directories that hold a config.yaml, lowercased and sorted", () => {
    const root = tempDir();
    for (const [name, withConfig] of [
      ["Worker", true],
      ["coder", true],
      ["empty", false],
    ] as const) {
      mkdirSync(join(root, "profiles", name), { recursive: true });
      if (withConfig) writeFileSync(join(root, "profiles", name, "config.yaml"), "model: x\n");
    }
    writeFileSync(join(root, "profiles", "stray.yaml"), "");
    expect(hermesProfilesOnDisk(root)).toEqual(["coder", "default", "worker"]);
  });

  it("counts the root of a Hermes home as the default profile even with no named profile yet", () => {
    const root = tempDir();
    mkdirSync(join(root, "profiles"));
    expect(hermesProfilesOnDisk(root)).toEqual(["default"]);
  });

  it("counts a home with a Hermes persona (SOUL.md) but no profiles directory as the default profile", () => {
    const root = tempDir();
    writeFileSync(join(root, "SOUL.md"), "You are a careful engineer.\n");
    expect(hermesProfilesOnDisk(root)).toEqual(["default"]);
    const home: Home = { root, env: {}, databaseUrl: null };
    expect(resolveProfile(home, Config.parse({}), "default")).toEqual({ preset: "hermes", env: {} });
  });

  it("counts a directory named .hermes without a profiles directory as the default profile", () => {
    const root = join(tempDir(), ".hermes");
    mkdirSync(root);
    expect(hermesProfilesOnDisk(root)).toEqual(["default"]);
    const home: Home = { root, env: {}, databaseUrl: null };
    expect(resolveProfile(home, Config.parse({}), "default")).toEqual({ preset: "hermes", env: {} });
  });

  it("is empty in a plain Switchyard home, where default is not spawnable", () => {
    const home = tempHome();
    const config = Config.parse({});
    expect(hermesProfilesOnDisk(home.root)).toEqual([]);
    expect(resolveProfile(home, config, "default")).toBeNull();
    expect(spawnableProfiles(home, config)).toEqual([]);
  });
});

describe("createConfigSource", () => {
  it("refuses a bad file at the start, like any load", () => {
    expect(refusalSync(() => createConfigSource(withConfig("dispatch:\n  intervl: 3\n"))).code).toBe("config_invalid");
  });

  it("picks up a profile added to config.yaml while running", () => {
    const home = withConfig("profiles:\n  coder:\n    command: [agent]\n");
    const source = createConfigSource(home);
    expect(Object.keys(source.current().profiles)).toEqual(["coder"]);
    writeFileSync(
      configPath(home),
      "profiles:\n  coder:\n    command: [agent]\n  writer:\n    command: [pen, longer]\n",
    );
    expect(Object.keys(source.current().profiles)).toEqual(["coder", "writer"]);
  });

  it("keeps the last good config while an edit is invalid, says so once, and recovers when fixed", () => {
    const home = withConfig("dispatch:\n  max_in_progress: 2\n");
    const logs: string[] = [];
    const source = createConfigSource(home, (m) => logs.push(m));
    writeFileSync(configPath(home), "dispatch:\n  max_in_progres: 9\n");
    expect(source.current().dispatch.max_in_progress).toBe(2);
    expect(source.current().dispatch.max_in_progress).toBe(2);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain("dispatch.max_in_progres");
    writeFileSync(configPath(home), "dispatch:\n  max_in_progress: 7\n");
    expect(source.current().dispatch.max_in_progress).toBe(7);
  });
});

describe("a preset profile in config.yaml (SPEC §14)", () => {
  it("takes a preset with a model, extra args and env", () => {
    const config = loadConfig(
      withConfig(
        "profiles:\n  coder:\n    preset: claude-code\n    model: sonnet\n    args: ['--max-budget-usd', '{run_id}']\n    env: {ANTHROPIC_API_KEY: k}\n",
      ),
    );
    expect(config.profiles.coder).toEqual({
      preset: "claude-code",
      model: "sonnet",
      args: ["--max-budget-usd", "{run_id}"],
      env: { ANTHROPIC_API_KEY: "k" },
    });
  });

  it("refuses an unknown preset naming the ones there are, and args beside a command", () => {
    const unknown = refusalSync(() => loadConfig(withConfig("profiles:\n  coder:\n    preset: cursor\n")));
    expect(unknown.message).toContain("profiles.coder.preset");
    expect(unknown.message).toContain("claude-code");
    const args = refusalSync(() =>
      loadConfig(withConfig("profiles:\n  coder:\n    command: [agent]\n    args: ['--x']\n")),
    );
    expect(args.message).toMatch(/profiles\.coder\.args: `args` adds to a preset's argv/);
  });

  it("accepts the new placeholders in a command and refuses a misspelt one", () => {
    const config = loadConfig(
      withConfig("profiles:\n  coder:\n    command: [agent, '{mcp_config}', '{run_id}', '{model}', '{home}']\n"),
    );
    expect(config.profiles.coder?.command).toHaveLength(5);
    const bad = refusalSync(() => loadConfig(withConfig("profiles:\n  coder:\n    command: [agent, '{mcp}']\n")));
    expect(bad.message).toContain("unknown placeholder {mcp}");
    expect(bad.message).toContain("{mcp_config}");
  });
});
