import type { CliInit } from "@switchyard/contract";
import { boardLocation } from "@switchyard/core";
import { configPath, spawnableProfiles } from "@switchyard/runtime";
import type { RegisterVerbs } from "../context.ts";

export const registerInit: RegisterVerbs = (program, cli) => {
  program
    .command("init")
    .description("create (or migrate) the board's database and show what the dispatcher can start")
    .option("--json", "print {board, db_path, profiles}")
    .action(async (opts: { json?: boolean }) => {
      const config = cli.config();
      const k = await cli.kernel();
      const profiles = spawnableProfiles(cli.home, config);
      const where = boardLocation(k.paths);
      if (opts.json) return cli.json({ board: k.paths.slug, db_path: where, profiles } satisfies CliInit);
      cli.out(`Board ${k.paths.slug}: ${where}`);
      cli.out(
        profiles.length > 0
          ? `Profiles: ${profiles.join(", ")}`
          : `Profiles: none yet; add them under \`profiles:\` in ${configPath(cli.home)}`,
      );
      cli.out(
        `Start the dispatcher with \`switchyard serve\` (it ticks every ${config.dispatch.interval_seconds} s and when a task becomes ready).`,
      );
    });
};
