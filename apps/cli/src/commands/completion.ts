import { Argument } from "commander";
import { SCRIPTS, SHELLS, type Shell } from "../completion.ts";
import type { RegisterVerbs } from "../context.ts";

/**
 * `completion bash|zsh|fish`: prints the shell's completion script, generated from this program's
 * verbs and options (completion.ts). It prints a script, not data, so it has no `--json`.
 */
export const registerCompletion: RegisterVerbs = (program, cli) => {
  program
    .command("completion")
    .description("print a shell completion script for switchyard and sy (bash, zsh or fish)")
    .addArgument(new Argument("<shell>", "the shell").choices(SHELLS))
    .addHelpText(
      "after",
      "\nLoad it in the current shell:\n" +
        "  bash:  source <(switchyard completion bash)\n" +
        "  zsh:   source <(switchyard completion zsh)\n" +
        "  fish:  switchyard completion fish | source\n" +
        "or save it where the shell looks for completions (docs/user-guide.md).",
    )
    .action((shell: Shell) => {
      cli.print(SCRIPTS[shell](program));
    });
};
