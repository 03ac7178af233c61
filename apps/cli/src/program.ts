import { Command } from "commander";
import pkg from "../package.json" with { type: "json" };
import { boardSlug } from "./args.ts";
import type { Cli } from "./context.ts";
import { VERBS } from "./verbs.ts";

/**
 * Builds the `switchyard` program: the global `--board` option, commander's errors as one line
 * on stderr (errors.ts turns them into exit 2), and every verb of verbs.ts. Settings made here
 * are inherited by each verb, so they come before the verbs are added.
 */
export function buildProgram(cli: (program: Command) => Cli): Command {
  const program = new Command("switchyard")
    .description("Switchyard: a durable kanban board for fleets of AI agent workers")
    .version(pkg.version, "-V, --version")
    .option("--board <slug>", "act on this board (default: SWITCHYARD_BOARD, else the current board)", boardSlug)
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`switchyard: ${text.replace(/^error: /, "")}`),
    })
    .showSuggestionAfterError(true)
    .helpCommand(true);
  const context = cli(program);
  for (const register of VERBS) register(program, context);
  return program;
}
