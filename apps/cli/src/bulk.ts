import { isCoreError } from "@switchyard/core";
import type { Cli } from "./context.ts";
import { ReportedFailure } from "./errors.ts";

/**
 * Runs `fn` for each id of a bulk verb (complete, block --ids, unblock, archive). Each id is
 * handled on its own, as in the reference: a refusal prints one line and the others go on;
 * the verb then exits 1.
 */
export function forEachId(cli: Cli, ids: readonly string[], fn: (id: string) => void): void {
  let failed = 0;
  for (const id of ids) {
    try {
      fn(id);
    } catch (err) {
      if (!isCoreError(err)) throw err;
      cli.warn(`switchyard: ${err.message}`);
      failed++;
    }
  }
  if (failed > 0) throw new ReportedFailure(`${failed} of ${ids.length} failed`);
}
