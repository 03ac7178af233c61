import { registerCliEntry } from "@switchyard/runtime";
import type { Command } from "commander";
import * as z from "zod";
import { type Cli, createCli } from "./context.ts";
import { exitFor } from "./errors.ts";
import { buildProgram } from "./program.ts";

/** The verb an action belongs to, without the program's name: `reclaim`, `boards list`. */
function verbOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** The entry point of the bundle: run one command, then set the exit code (errors.ts). */
async function main(argv: string[]): Promise<void> {
  // A CLI process parses each schema a few times: zod's compiled parsers (built with `new
  // Function` on a schema's first parse) cost far more to build than they save here (the MCP
  // SDK's message schemas took ~40 ms to compile on `initialize`). Same results, no JIT.
  z.config({ jitless: true });
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
  });
  let cli: Cli | undefined;
  let verb: string | null = null;
  const program = buildProgram((p) => {
    cli = createCli(process.env, () => p.opts<{ board?: string }>().board);
    return cli;
  });
  program.hook("preAction", (_program, action) => {
    verb = verbOf(action);
  });
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return;
    }
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    const { code, message } = exitFor(err, verb);
    if (message) process.stderr.write(`switchyard: ${message}\n`);
    process.exitCode = code;
  } finally {
    await cli?.close();
  }
}

// Workers' agents start `switchyard mcp` with this very script (runtime presets/mcp-server.ts).
registerCliEntry(process.argv[1]);
await main(process.argv.slice(2));
