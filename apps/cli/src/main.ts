import { type Cli, createCli } from "./context.ts";
import { exitFor } from "./errors.ts";
import { buildProgram } from "./program.ts";

/** The entry point of the bundle: run one command, then set the exit code (errors.ts). */
async function main(argv: string[]): Promise<void> {
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
  });
  let cli: Cli | undefined;
  const program = buildProgram((p) => {
    cli = createCli(process.env, () => p.opts<{ board?: string }>().board);
    return cli;
  });
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return;
    }
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    const { code, message } = exitFor(err);
    if (message) process.stderr.write(`switchyard: ${message}\n`);
    process.exitCode = code;
  } finally {
    cli?.close();
  }
}

await main(process.argv.slice(2));
