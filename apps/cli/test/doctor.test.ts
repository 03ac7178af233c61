import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DoctorReport, WORKER_TOOL_NAMES } from "@switchyard/contract";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type TestHome, tempHome } from "./cli.ts";

/**
 * `switchyard doctor` (SPEC §14) on a temp home whose PATH holds only a stand-in `claude`
 * (packages/runtime/test/fake-claude.mjs: it prints a version and a help text listing the
 * claude-code preset's flags, or fewer with FAKE_CLAUDE_HELP=old).
 */

const FAKE_CLAUDE = fileURLToPath(new URL("../../../packages/runtime/test/fake-claude.mjs", import.meta.url));

function setUp(profiles: Record<string, unknown>): { h: TestHome; env: Record<string, string> } {
  const h = tempHome();
  mkdirSync(h.root, { recursive: true });
  writeFileSync(join(h.root, "config.yaml"), stringify({ profiles }));
  const bin = join(h.dir, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "claude"), `#!/bin/sh\nexec "${process.execPath}" "${FAKE_CLAUDE}" "$@"\n`);
  chmodSync(join(bin, "claude"), 0o755);
  return { h, env: { PATH: bin } };
}

const PROFILES = {
  coder: { preset: "claude-code", env: { ANTHROPIC_API_KEY: "sk-test" } },
  ghost: { preset: "codex", env: { OPENAI_API_KEY: "sk-test" } },
  nokey: { preset: "claude-code" },
  old: { preset: "claude-code", env: { ANTHROPIC_API_KEY: "sk-test", FAKE_CLAUDE_HELP: "old" } },
};

describe("switchyard doctor", () => {
  it("prints one line per profile: a working one, a missing binary, a missing key, flags its agent lacks; exit 1", () => {
    const { h, env } = setUp(PROFILES);
    const r = h.run(["doctor"], { env });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^ok {3}coder \(claude-code\): binary: .*\/claude; version: 9\.9\.9 \(Claude Code\); flags: /,
    );
    expect(lines[0]).toContain("auth: ANTHROPIC_API_KEY is set");
    expect(lines[0]).toContain(`mcp: switchyard mcp offers ${WORKER_TOOL_NAMES.length} tools (kanban_show,`);
    expect(lines[1]).toBe(
      "FAIL ghost (codex): binary: `codex` was not found on PATH; install it: npm install -g @openai/codex",
    );
    expect(lines[2]).toMatch(/^FAIL nokey \(claude-code\): auth: no credentials found: set ANTHROPIC_API_KEY/);
    expect(lines[3]).toBe(
      "FAIL old (claude-code): flags: `claude` does not list --mcp-config, --strict-mcp-config, --allowedTools, --permission-mode in its help: a version too old for this preset?",
    );
  });

  it("exits 0 when every profile checked is fine, and reports the same as JSON", () => {
    const { h, env } = setUp(PROFILES);
    expect(h.ok(["doctor", "--profile", "coder"], { env })).toMatch(/^ok {3}coder \(claude-code\): /);
    const report = DoctorReport.parse(JSON.parse(h.run(["doctor", "--json"], { env }).stdout));
    expect(report.ok).toBe(false);
    const coder = report.profiles.find((p) => p.profile === "coder");
    expect(coder).toMatchObject({ preset: "claude-code", ok: true });
    expect(coder?.checks.map((c) => [c.name, c.ok])).toEqual([
      ["binary", true],
      ["version", true],
      ["flags", true],
      ["auth", true],
      ["mcp", true],
    ]);
    expect(report.profiles.find((p) => p.profile === "ghost")?.checks).toEqual([
      expect.objectContaining({ name: "binary", ok: false }),
      expect.objectContaining({ name: "mcp", ok: true }),
    ]);
  });

  it("finds a logged-in agent's credentials file instead of a key", () => {
    const { h, env } = setUp({ coder: { preset: "claude-code" } });
    mkdirSync(join(h.dir, "user-home", ".claude"), { recursive: true });
    writeFileSync(join(h.dir, "user-home", ".claude", ".credentials.json"), "{}");
    expect(h.ok(["doctor"], { env })).toContain("auth: logged in (");
  });

  it("fails the mcp check when the board's server cannot start as the agent's configuration says", () => {
    const { h, env } = setUp({ coder: PROFILES.coder });
    const r = h.run(["doctor"], { env: { ...env, SWITCHYARD_CLI: join(h.dir, "no-such-switchyard.mjs") } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^FAIL coder \(claude-code\): mcp: switchyard mcp did not start as the agent would start it: /,
    );
  });

  it("says so when no profile is configured, and refuses a profile that is not", () => {
    const { h, env } = setUp({});
    expect(h.ok(["doctor"], { env })).toBe("no profiles configured: add one under profiles in config.yaml\n");
    const r = h.run(["doctor", "--profile", "nobody"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("switchyard: profile 'nobody' is not configured: add it under profiles in config.yaml\n");
  });
});
