import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { resolve } from "node:path";
import type { CliTransfer } from "@switchyard/contract";
import {
  CoreError,
  exportBoard,
  formatBoardDocument,
  importBoard,
  parseBoardDocument,
  rowCounts,
} from "@switchyard/core";
import type { RegisterVerbs } from "../context.ts";

/**
 * `export` and `import` (issue 17): a whole board as one JSON document, ids and events
 * included, to move it between a SQLite home and a PostgreSQL database (or to keep a copy).
 */

const STDIO = "-";

/** Pieces of text gathered into writes of about this many characters. */
const CHUNK = 1 << 16;

/** Writes the pieces to `emit` in large chunks. */
function emitChunked(pieces: Iterable<string>, emit: (text: string) => void): void {
  let buffer = "";
  for (const piece of pieces) {
    buffer += piece;
    if (buffer.length >= CHUNK) {
      emit(buffer);
      buffer = "";
    }
  }
  if (buffer) emit(buffer);
}

/** Writes the pieces to `file` through a temporary file beside it, so the file is whole or absent. */
function writeFileWhole(file: string, pieces: Iterable<string>): void {
  const tmp = `${file}.${process.pid}.tmp`;
  let fd: number;
  try {
    fd = openSync(tmp, "w");
  } catch (err) {
    throw new CoreError("invalid_input", `cannot write ${file}: ${(err as Error).message}`);
  }
  try {
    emitChunked(pieces, (text) => writeSync(fd, text));
    closeSync(fd);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new CoreError("invalid_input", `cannot write ${file}: ${(err as Error).message}`);
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file === STDIO ? 0 : file, "utf8");
  } catch (err) {
    throw new CoreError("invalid_input", `cannot read ${file === STDIO ? "stdin" : file}: ${(err as Error).message}`);
  }
}

function countsText(rows: Record<string, number>): string {
  return Object.entries(rows)
    .map(([table, n]) => `${table} ${n}`)
    .join(", ");
}

export const registerTransfer: RegisterVerbs = (program, cli) => {
  program
    .command("export")
    .description(
      "write the whole board (tasks, links, comments, runs, events, receipts, settings) as one JSON document",
    )
    .argument("[file]", "where to write it (default, or '-': stdout)")
    .option("--json", "with a file: print {board, file, rows} (the rows written per table)")
    .addHelpText(
      "after",
      "\nEvery row keeps its ids, so `switchyard import` into an empty board, on SQLite or PostgreSQL, gives the same board.",
    )
    .action(async (file: string | undefined, opts: { json?: boolean }) => {
      const k = await cli.kernel();
      const doc = await exportBoard(k);
      if (file === undefined || file === STDIO) return emitChunked(formatBoardDocument(doc), (text) => cli.print(text));
      const path = resolve(file);
      writeFileWhole(path, formatBoardDocument(doc));
      const rows = rowCounts(doc);
      if (opts.json) return cli.json({ board: k.paths.slug, file: path, rows } satisfies CliTransfer);
      cli.out(`Exported board ${k.paths.slug} to ${path}: ${countsText(rows)}`);
    });

  program
    .command("import")
    .description("load a board export into this board, which must be empty (see boards create)")
    .argument("<file>", "a file `switchyard export` wrote ('-': stdin)")
    .option("--json", "print {board, file, rows} (the rows loaded per table)")
    .action(async (file: string, opts: { json?: boolean }) => {
      // The document is checked before the board is opened: a bad file leaves no trace.
      const doc = parseBoardDocument(readText(file));
      const k = await cli.kernel();
      const rows = await importBoard(k, doc);
      const shown = file === STDIO ? "stdin" : resolve(file);
      if (opts.json) return cli.json({ board: k.paths.slug, file: shown, rows } satisfies CliTransfer);
      cli.out(`Imported ${shown} into board ${k.paths.slug}: ${countsText(rows)}`);
    });
};
