import { isCoreError } from "../../src/errors.ts";
import { openDatabase } from "../../src/storage/sqlite-file.ts";
import { waitForGo } from "./barrier.ts";

/** Opens the board file given as argv[2] at the same moment as its siblings; prints what it saw. */
const path = process.argv[2] ?? "";
await waitForGo();
try {
  const db = openDatabase(path, { now: 1_700_000_000 });
  const version = db.pragma("user_version", { simple: true });
  db.close();
  process.stdout.write(`${JSON.stringify({ ok: true, version })}\n`);
} catch (err) {
  process.stdout.write(
    `${JSON.stringify({ ok: false, code: isCoreError(err) ? err.code : "crash", message: String(err) })}\n`,
  );
}
