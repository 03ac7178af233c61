import { type DoctorCheck, type DoctorReport, WORKER_TOOL_NAMES } from "@switchyard/contract";
import {
  diagnoseProfile,
  firstLine,
  type McpServerLaunch,
  resolveProfile,
  spawnableProfiles,
} from "@switchyard/runtime";
import type { RegisterVerbs } from "../context.ts";
import { ReportedFailure, UsageError } from "../errors.ts";

/**
 * `switchyard doctor` (SPEC §14): for every spawnable profile, whether its worker could start
 * and reach the board. The runtime checks the binary, its version, the preset's flags against the
 * agent's own help and the presence of credentials (presets/doctor.ts); this verb adds the last
 * step an agent takes: it starts `switchyard mcp` exactly as the agent's per-run configuration
 * says (same argv, same explicit environment) and lists the tools an MCP client sees. One line per
 * profile; exit 1 when any check of any profile failed.
 */

const MCP_TIMEOUT_MS = 30_000;

/** Starts the board's MCP server as the agent would and lists its tools. */
async function checkMcp(mcp: McpServerLaunch): Promise<DoctorCheck> {
  const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
  const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
  // Only the variables the configuration names (on top of the SDK's HOME, PATH, …): some agents
  // pass their MCP servers nothing else, so the server must not need more.
  const transport = new StdioClientTransport({ command: mcp.command, args: mcp.args, env: mcp.env, stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const client = new Client({ name: "switchyard-doctor", version: "1.0.0" });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${MCP_TIMEOUT_MS / 1000} s`)), MCP_TIMEOUT_MS);
  });
  try {
    const listed = await Promise.race([
      (async () => {
        await client.connect(transport);
        return client.listTools();
      })(),
      timeout,
    ]);
    const names = listed.tools.map((t) => t.name);
    const missing = WORKER_TOOL_NAMES.filter((t) => !names.includes(t));
    if (missing.length > 0) {
      return {
        name: "mcp",
        ok: false,
        detail: `switchyard mcp lacks ${missing.join(", ")} (it offers ${names.join(", ")})`,
      };
    }
    return { name: "mcp", ok: true, detail: `switchyard mcp offers ${names.length} tools (${names.join(", ")})` };
  } catch (err) {
    const why = firstLine(stderr) || (err as Error).message;
    return { name: "mcp", ok: false, detail: `switchyard mcp did not start as the agent would start it: ${why}` };
  } finally {
    clearTimeout(timer);
    await client.close().catch(() => {});
  }
}

function line(p: DoctorReport["profiles"][number]): string {
  const who = p.preset ? `${p.profile} (${p.preset})` : `${p.profile} (command)`;
  const shown = p.ok ? p.checks : p.checks.filter((c) => !c.ok);
  return `${p.ok ? "ok  " : "FAIL"} ${who}: ${shown.map((c) => `${c.name}: ${c.detail}`).join("; ")}`;
}

export const registerDoctor: RegisterVerbs = (program, cli) => {
  program
    .command("doctor")
    .description(
      "check every profile: the agent is installed, takes the preset's flags, has credentials and reaches the board's tools",
    )
    .option("--profile <name>", "check this profile only")
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      "\nCredentials are only looked for (a variable set, a login file present): a key that is set may still be wrong.",
    )
    .action(async (opts: { profile?: string; json?: boolean }) => {
      const config = cli.config();
      const names = opts.profile ? [opts.profile.trim().toLowerCase()] : spawnableProfiles(cli.home, config);
      const report: DoctorReport = { ok: true, profiles: [] };
      for (const name of names) {
        const profile = resolveProfile(cli.home, config, name);
        if (!profile) throw new UsageError(`profile '${name}' is not configured: add it under profiles in config.yaml`);
        const diagnosis = diagnoseProfile(cli.home, config, name, profile, cli.env);
        const checks = [...diagnosis.checks];
        if (diagnosis.launch?.agentExpected && diagnosis.launch.mcp) checks.push(await checkMcp(diagnosis.launch.mcp));
        const ok = checks.every((c) => c.ok);
        report.ok &&= ok;
        report.profiles.push({ profile: name, preset: diagnosis.preset, ok, checks });
      }
      if (opts.json) cli.json(report);
      else if (names.length === 0) cli.out("no profiles configured: add one under profiles in config.yaml");
      else for (const p of report.profiles) cli.out(line(p));
      if (!report.ok) throw new ReportedFailure("a profile failed its checks");
    });
};
