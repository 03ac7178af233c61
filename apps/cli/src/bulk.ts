import { isCoreError, isStorageFailure } from "@switchyard/core";
import type { Cli } from "./context.ts";
import { ReportedFailure, refusalText } from "./errors.ts";

/**
 * Runs `fn` for each id of a bulk verb (complete, block --ids, unblock, archive). Each id is
 * handled on its own, as in the reference: a refusal prints one line and the others go on;
 * the verb then exits 1. A failure of the storage (read-only, busy, full) stops the loop: it
 * would refuse every other id the same way, so it is said once.
 */
export async function forEachId(cli: Cli, ids: readonly string[], fn: (id: string) => Promise<void>): Promise<void> {
  let failed = 0;
  for (const id of ids) {
    try {
      await fn(id);
    } catch (err) {
      if (!isCoreError(err) || isStorageFailure(err)) throw err;
      cli.warn(`switchyard: ${refusalText(err)}`);
      failed++;
    }
  }
  if (failed > 0) throw new ReportedFailure(`${failed} of ${ids.length} failed`);
}
