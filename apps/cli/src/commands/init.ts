import { configPath, spawnableProfiles } from "@switchyard/runtime";
import type { RegisterVerbs } from "../context.ts";

export const registerInit: RegisterVerbs = (program, cli) => {
  program
    .command("init")
    .description("create (or migrate) the board's database and show what the dispatcher can start")
    .action(async () => {
      const config = cli.config();
      const k = await cli.kernel();
      cli.out(`Board ${k.paths.slug}: ${k.paths.dbPath}`);
      const profiles = spawnableProfiles(cli.home, config);
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
