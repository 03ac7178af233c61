import { isCoreError } from "../../src/errors.ts";
import { openKernel } from "../../src/kernel.ts";
import { boardPaths, resolveHome } from "../../src/paths.ts";
import { waitForGo } from "./barrier.ts";

/** Opens the default board of the home given as argv[2] at the same moment as its siblings. */
const home = resolveHome({ SWITCHYARD_HOME: process.argv[2] ?? "" });
await waitForGo();
try {
  const k = await openKernel(boardPaths(home, "default"), { host: "racehost" });
  const tasks = Number((await k.db.get<{ n: number }>("SELECT count(*) AS n FROM tasks"))?.n);
  await k.close();
  process.stdout.write(`${JSON.stringify({ ok: true, tasks })}\n`);
} catch (err) {
  process.stdout.write(
    `${JSON.stringify({ ok: false, code: isCoreError(err) ? err.code : "crash", message: String(err) })}\n`,
  );
}
