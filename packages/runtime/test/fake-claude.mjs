#!/usr/bin/env node
// A stand-in for Claude Code (`claude`) in tests of the claude-code preset: it answers
// `--version` and `--help` (listing the flags the preset uses, or fewer with FAKE_CLAUDE_HELP=old),
// and as a worker (`-p <prompt> --mcp-config=<file> …`) it reads the MCP configuration the preset
// wrote, starts the `switchyard` server from it exactly as written, and speaks MCP over stdio
// (newline-delimited JSON-RPC) without an SDK. FAKE_CLAUDE_MODE picks what it does:
//   complete  initialize, kanban_show, kanban_complete, exit 0 (the default)
//   connect   initialize, then exit 0 without calling a tool
//   ignore    never start the server: print a few lines and exit 0 (FAKE_CLAUDE_CODE to exit otherwise)

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

const args = process.argv.slice(2);

if (args.includes("--version")) {
  process.stdout.write("9.9.9 (Claude Code)\n");
  process.exit(0);
}
if (args.includes("--help")) {
  const flags =
    process.env.FAKE_CLAUDE_HELP === "old"
      ? ["-p, --print", "--model <model>"]
      : [
          "-p, --print",
          "--mcp-config <configs...>",
          "--strict-mcp-config",
          "--allowedTools, --allowed-tools <tools...>",
          "--permission-mode <mode>",
          "--model <model>",
        ];
  process.stdout.write(
    `Usage: claude [options] [prompt]\n\nOptions:\n${flags.map((f) => `  ${f}  a flag`).join("\n")}\n`,
  );
  process.exit(0);
}

const mode = process.env.FAKE_CLAUDE_MODE ?? "complete";
if (mode === "ignore") {
  process.stdout.write("fake-claude: starting\n");
  process.stdout.write("fake-claude: no MCP servers loaded\n");
  process.stderr.write("fake-claude: nothing to do without tools\n");
  process.exit(Number(process.env.FAKE_CLAUDE_CODE ?? 0));
}

const configArg = args.find((a) => a.startsWith("--mcp-config="));
if (!configArg) {
  process.stderr.write("fake-claude: no --mcp-config=<file>\n");
  process.exit(2);
}
const server = JSON.parse(readFileSync(configArg.slice("--mcp-config=".length), "utf8")).mcpServers.switchyard;
// Like Claude Code: the server's own env on top of ours.
const child = spawn(server.command, server.args, {
  env: { ...process.env, ...server.env },
  stdio: ["pipe", "pipe", "inherit"],
});
const pending = new Map();
createInterface({ input: child.stdout }).on("line", (line) => {
  const msg = JSON.parse(line);
  if (msg.id !== undefined && pending.has(msg.id)) {
    pending.get(msg.id)(msg);
    pending.delete(msg.id);
  }
});
let nextId = 1;
function request(method, params) {
  const id = nextId++;
  child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
  return new Promise((resolve) => pending.set(id, resolve));
}
function notify(method) {
  child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method })}\n`);
}
async function call(name, args) {
  const reply = await request("tools/call", { name, arguments: args });
  const text = reply.result?.content?.[0]?.text ?? JSON.stringify(reply.error);
  process.stdout.write(`fake-claude: ${name} -> ${text.slice(0, 200)}\n`);
  if (reply.result?.isError || reply.error) throw new Error(`${name} failed: ${text}`);
}

await request("initialize", {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "fake-claude", version: "9.9.9" },
});
notify("notifications/initialized");
if (mode === "complete") {
  await call("kanban_show", {});
  await call("kanban_complete", { summary: "done by fake-claude" });
}
child.stdin.end();
await new Promise((resolve) => child.once("exit", resolve));
process.exit(0);
