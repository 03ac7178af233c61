import { existsSync } from "node:fs";
import {
  BoardMetaInput,
  type BoardResult,
  type BoardSummary,
  type CurrentBoardResponse,
  type DeleteBoardResponse,
  type StatusCounts,
} from "@switchyard/contract";
import {
  boardPaths,
  boardStats,
  createBoard,
  currentBoard,
  isCoreError,
  listBoards,
  openKernel,
  readBoardMeta,
  removeBoard,
  requireBoard,
  setCurrentBoard,
  systemClock,
  writeBoardMeta,
} from "@switchyard/core";
import { boardSlug, parseInput } from "../args.ts";
import type { Cli, RegisterVerbs } from "../context.ts";
import { UsageError } from "../errors.ts";
import { table } from "../output.ts";

/** `boards …` (reference §10.2): these never open the current board's database first. */

/**
 * Counts by status of a board that has a database, read without writing to it (a SQLite file
 * that is not there yet is not made; a PostgreSQL board listed in the catalog has its schema).
 */
async function countsOf(cli: Cli, slug: string): Promise<StatusCounts> {
  const paths = boardPaths(cli.home, slug);
  if (!paths.databaseUrl && !existsSync(paths.dbPath)) return {};
  try {
    const k = await openKernel(paths, { readonly: true });
    try {
      return (await boardStats(k)).by_status;
    } finally {
      await k.close();
    }
  } catch (err) {
    if (!isCoreError(err)) throw err;
    cli.warn(`switchyard: ${err.message}`);
    return {};
  }
}

async function summaries(cli: Cli, includeArchived: boolean): Promise<BoardSummary[]> {
  const current = await currentBoard(cli.home);
  const list: BoardSummary[] = [];
  for (const meta of await listBoards(cli.home, { includeArchived })) {
    const counts = await countsOf(cli, meta.slug);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    list.push({ ...meta, is_current: meta.slug === current, counts, total });
  }
  return list;
}

function countsText(counts: StatusCounts): string {
  const parts = Object.entries(counts).map(([status, n]) => `${status} ${n}`);
  return parts.length > 0 ? parts.join(", ") : "(empty)";
}

export const registerBoards: RegisterVerbs = (program, cli) => {
  const boards = program.command("boards").description("list, create, remove, switch and rename boards");

  boards
    .command("list", { isDefault: true })
    .alias("ls")
    .description("list the boards with their task counts")
    .option("--all", "include archived boards")
    .option("--json", "print JSON")
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const list = await summaries(cli, opts.all ?? false);
      if (opts.json) return cli.json(list);
      cli.out(
        table(
          ["", "SLUG", "NAME", "COUNTS"],
          list.map((b) => [b.is_current ? "*" : "", b.slug, b.name, countsText(b.counts)]),
        ),
      );
      cli.out();
      cli.out(`Current board: ${await currentBoard(cli.home)}`);
    });

  boards
    .command("create")
    .alias("new")
    .description("create a board (idempotent)")
    .argument("<slug>", "lowercase letters, digits, '-' and '_'", boardSlug)
    .option("--name <name>", "display name")
    .option("--description <text>", "description")
    .option("--icon <icon>", "icon")
    .option("--color <color>", "color")
    .option("--switch", "make it the current board")
    .option("--json", "print {board, current} (as POST /boards returns it)")
    .action(
      async (
        slug: string,
        opts: { name?: string; description?: string; icon?: string; color?: string; switch?: boolean; json?: boolean },
      ) => {
        const fields = parseInput(BoardMetaInput, {
          name: opts.name,
          description: opts.description,
          icon: opts.icon,
          color: opts.color,
        });
        const { board, created } = await createBoard(cli.home, slug, fields, { now: systemClock.now() });
        if (opts.switch) await setCurrentBoard(cli.home, board.slug);
        if (opts.json) return cli.json({ board, current: await currentBoard(cli.home) } satisfies BoardResult);
        cli.out(`${created ? "Created board" : "Board already exists:"} ${board.slug} (${board.name})`);
        cli.out(`Database: ${board.db_path}`);
        if (opts.switch) cli.out(`Current board: ${board.slug}`);
      },
    );

  boards
    .command("rm")
    .aliases(["remove", "delete"])
    .description("archive a board (or delete it with --delete)")
    .argument("<slug>", "the board", boardSlug)
    .option("--delete", "delete its files (in PostgreSQL, its schema) instead of archiving them")
    .option("--json", "print {result, current} (as the API's board removal returns it)")
    .action(async (slug: string, opts: { delete?: boolean; json?: boolean }) => {
      const result = await removeBoard(cli.home, slug, { archive: !opts.delete, now: systemClock.now() });
      if (opts.json) return cli.json({ result, current: await currentBoard(cli.home) } satisfies DeleteBoardResponse);
      if (result.action === "deleted") cli.out(`Deleted board ${result.slug}`);
      else if (result.new_path) cli.out(`Archived board ${result.slug} to ${result.new_path}`);
      else cli.out(`Archived board ${result.slug} (boards create ${result.slug} brings it back)`);
    });

  boards
    .command("switch")
    .alias("use")
    .description("make a board the current one")
    .argument("<slug>", "the board", boardSlug)
    .option("--json", "print {current} (as POST /boards/:slug/switch returns it)")
    .action(async (slug: string, opts: { json?: boolean }) => {
      await setCurrentBoard(cli.home, slug);
      if (opts.json) cli.json({ current: await currentBoard(cli.home) } satisfies CurrentBoardResponse);
      else cli.out(`Current board: ${slug}`);
      const pinned = cli.env.SWITCHYARD_BOARD?.trim() || cli.env.HERMES_KANBAN_BOARD?.trim();
      if (pinned && pinned !== slug) {
        cli.warn(`⚠ SWITCHYARD_BOARD=${pinned} is set in this environment and still wins over the current board`);
      }
    });

  boards
    .command("show")
    .alias("current")
    .description("print the current board")
    .option("--json", "print {board, current}")
    .action(async (opts: { json?: boolean }) => {
      const slug = await requireBoard(cli.home, cli.boardOption());
      const meta = await readBoardMeta(cli.home, slug);
      if (opts.json) return cli.json({ board: meta, current: await currentBoard(cli.home) } satisfies BoardResult);
      cli.out(`${meta.slug} (${meta.name})`);
      if (meta.description) cli.out(meta.description);
      cli.out(`Database: ${meta.db_path}`);
    });

  boards
    .command("rename")
    .description("change a board's display name")
    .argument("<slug>", "the board", boardSlug)
    .argument("<name...>", "the new display name")
    .option("--json", "print {board} (as PATCH /boards/:slug returns it)")
    .action(async (slug: string, words: string[], opts: { json?: boolean }) => {
      const { name } = parseInput(BoardMetaInput, { name: words.join(" ") }, { name: "<name>" });
      if (!name) throw new UsageError("the new name is empty");
      await requireBoard(cli.home, slug);
      const meta = await writeBoardMeta(cli.home, slug, { name }, systemClock.now());
      if (opts.json) return cli.json({ board: meta } satisfies BoardResult);
      cli.out(`Renamed board ${meta.slug} to ${meta.name}`);
    });
};
