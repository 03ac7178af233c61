import type { BoardSchemaStatus, CliMigrate } from "@switchyard/contract";
import { boardPaths, boardSchemaStatus, busyTimeoutFromEnv, listBoards, migrateBoard } from "@switchyard/core";
import type { RegisterVerbs } from "../context.ts";
import { ReportedFailure } from "../errors.ts";
import { table } from "../output.ts";

/**
 * `migrate` (issue 17): each board's schema version against this build's, read without
 * migrating anything; `--apply` migrates the boards that are behind. Opening a board still
 * migrates it as before; this lets an operator see and choose the moment.
 */

const STATE_TEXT: Record<BoardSchemaStatus["state"], string> = {
  up_to_date: "up to date",
  pending: "migration pending",
  newer: "newer than this Switchyard",
  absent: "no database yet",
};

/** A board's line: its version, and the version it was migrated from. */
function row(s: BoardSchemaStatus, from: number | null): string[] {
  const version = s.version === null ? "-" : String(s.version);
  return [s.board, s.dialect, version, String(s.current), s.migrated ? `migrated from ${from}` : STATE_TEXT[s.state]];
}

export const registerMigrate: RegisterVerbs = (program, cli) => {
  program
    .command("migrate")
    .description("show each board's schema version against this Switchyard's, and migrate with --apply")
    .option("--apply", "migrate the boards whose schema is older")
    .option("--all-boards", "every board of the home (default: the board of --board, else the current one)")
    .option("--json", "print {applied, boards: [{board, dialect, location, version, current, state, migrated}]}")
    .addHelpText(
      "after",
      "\nExits 0 when every board is up to date (or was just migrated), 1 while a migration is pending without --apply, or when a board was written by a newer Switchyard.",
    )
    .action(async (opts: { apply?: boolean; allBoards?: boolean; json?: boolean }) => {
      const slugs = opts.allBoards ? (await listBoards(cli.home)).map((b) => b.slug) : [await cli.boardSlug()];
      const boards: BoardSchemaStatus[] = [];
      const lines: string[][] = [];
      for (const slug of slugs) {
        const paths = boardPaths(cli.home, slug);
        const status = await boardSchemaStatus(paths);
        const now =
          opts.apply && status.state === "pending"
            ? await migrateBoard(paths, { busyTimeoutMs: busyTimeoutFromEnv(cli.home.env) })
            : status;
        boards.push(now);
        lines.push(row(now, status.version));
      }
      if (opts.json) cli.json({ applied: opts.apply ?? false, boards } satisfies CliMigrate);
      else cli.out(table(["BOARD", "STORAGE", "VERSION", "THIS BUILD", "STATE"], lines));
      const newer = boards.filter((b) => b.state === "newer").map((b) => b.board);
      const pending = boards.filter((b) => b.state === "pending").map((b) => b.board);
      if (newer.length > 0) {
        cli.warn(
          `switchyard: ${newer.join(", ")} ${newer.length === 1 ? "was" : "were"} written by a newer Switchyard; upgrade this one to use ${newer.length === 1 ? "it" : "them"}`,
        );
        throw new ReportedFailure("a board is newer than this build");
      }
      if (pending.length > 0) {
        cli.warn(
          `switchyard: a migration is pending for ${pending.join(", ")}; run this again with --apply to migrate`,
        );
        throw new ReportedFailure("a migration is pending");
      }
    });
};
