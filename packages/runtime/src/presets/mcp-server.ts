import { existsSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Env } from "@switchyard/core";
import type { McpServerLaunch } from "./types.ts";

/**
 * How a worker's agent starts the board's MCP server (SPEC §14): `process.execPath` running the
 * CLI's own entry script with `mcp`, so it works with no `switchyard` on PATH, from a checkout or
 * from an installed package alike.
 *
 * The entry is, in order: `SWITCHYARD_CLI` (an absolute path, for unusual layouts), the script
 * the running CLI was started as (`registerCliEntry`, called by the CLI at start-up, so `serve`
 * and `dispatch` pass on exactly the CLI that runs them), else the checkout's
 * `apps/cli/bin/switchyard.mjs` found above this module (runtime tests, the server run from
 * source).
 */

let registered: string | null = null;

/** The CLI records the script it was started as (`process.argv[1]`); null forgets it. */
export function registerCliEntry(path: string | null | undefined): void {
  if (!path) {
    registered = null;
    return;
  }
  try {
    registered = realpathSync(resolve(path));
  } catch {
    registered = resolve(path);
  }
}

function checkoutEntry(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "apps", "cli", "bin", "switchyard.mjs");
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The absolute path of the CLI's entry script, or an error saying how to name it. */
export function cliEntry(env: Env = process.env): string {
  const pinned = env.SWITCHYARD_CLI?.trim();
  if (pinned) {
    if (!isAbsolute(pinned)) throw new Error(`SWITCHYARD_CLI must be an absolute path, got '${pinned}'`);
    return pinned;
  }
  const found = registered ?? checkoutEntry();
  if (!found) {
    throw new Error(
      "cannot find the switchyard CLI's entry script to start `switchyard mcp`: set SWITCHYARD_CLI to its absolute path",
    );
  }
  return found;
}

/** The argv that runs the switchyard CLI: this Node and the CLI's entry script. */
export function switchyardCliArgv(env: Env = process.env): string[] {
  return [process.execPath, cliEntry(env)];
}

/** The argv that starts `switchyard mcp` (the worker tools for the task in its environment). */
export function switchyardMcpArgv(env: Env = process.env): string[] {
  return [...switchyardCliArgv(env), "mcp"];
}

/** The name the board's MCP server has in every agent's configuration; tool names derive from it. */
export const MCP_SERVER_NAME = "switchyard";

/** The server for one run: the argv above with the run's identity in its environment. */
export function mcpServerLaunch(identity: Record<string, string>, env: Env = process.env): McpServerLaunch {
  const [command, ...args] = switchyardMcpArgv(env);
  return { command: command as string, args, env: { ...identity } };
}

/**
 * The run's MCP configuration in the common `mcpServers` JSON format (Claude Code's
 * `--mcp-config` file and `.mcp.json`, read by many other clients): the `{mcp_config}` file.
 */
export function mcpServersJson(mcp: McpServerLaunch): string {
  const server = { type: "stdio", command: mcp.command, args: mcp.args, env: mcp.env };
  return `${JSON.stringify({ mcpServers: { [MCP_SERVER_NAME]: server } }, null, 2)}\n`;
}

/**
 * The flags of an argv as an agent's `--help` lists them: `--name` of `--name=value`, short
 * `-x` flags; values and positionals are skipped (a value never starts with `-` here).
 */
export function flagsOf(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    if (!arg.startsWith("-") || arg === "-" || arg === "--") continue;
    const flag = arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg;
    if (!out.includes(flag)) out.push(flag);
  }
  return out;
}
