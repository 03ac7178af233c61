import { createBoard, listBoards } from "../../src/boards.ts";
import { isCoreError } from "../../src/errors.ts";
import { resolveHome } from "../../src/paths.ts";
import { waitForGo } from "./barrier.ts";

/**
 * Creates the board argv[3] in the PostgreSQL database of its own home (SWITCHYARD_DATABASE_URL
 * argv[2]) at the same moment as its siblings, so that they all use a fresh catalog first
 * together; prints the boards it then sees.
 */
const home = resolveHome({ SWITCHYARD_HOME: process.argv[4] ?? "", SWITCHYARD_DATABASE_URL: process.argv[2] });
await waitForGo();
try {
  await createBoard(home, process.argv[3] ?? "", {}, { now: 1_700_000_000 });
  const boards = (await listBoards(home)).map((b) => b.slug);
  // No close: an idle catalog pool must let the process end by itself.
  process.stdout.write(`${JSON.stringify({ ok: true, boards })}\n`);
} catch (err) {
  process.stdout.write(
    `${JSON.stringify({ ok: false, code: isCoreError(err) ? err.code : "crash", message: String(err) })}\n`,
  );
}
