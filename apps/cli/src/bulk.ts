import type { BulkResult } from "@switchyard/contract";
import { isCoreError, isStorageFailure } from "@switchyard/core";
import type { Cli } from "./context.ts";
import { ReportedFailure, refusalText } from "./errors.ts";

/**
 * Runs `fn` for each id of a bulk verb (complete, block --ids, unblock, archive). Each id is
 * handled on its own, as in the reference: a refusal prints one line and the others go on;
 * the verb then exits 1. A failure of the storage (read-only, busy, full) stops the loop: it
 * would refuse every other id the same way, so it is said once. With `json`, the outcome of
 * every id is printed as `POST /tasks/bulk` answers it (`{results: [{id, ok, error?}]}`);
 * `options.json` is read once every id is done, so a verb that printed something else may clear it.
 */
export async function forEachId(
  cli: Cli,
  ids: readonly string[],
  fn: (id: string) => Promise<void>,
  options: { json?: boolean } = {},
): Promise<void> {
  const results: BulkResult["results"] = [];
  for (const id of ids) {
    try {
      await fn(id);
      results.push({ id, ok: true });
    } catch (err) {
      if (!isCoreError(err) || isStorageFailure(err)) throw err;
      const text = refusalText(err);
      cli.warn(`switchyard: ${text}`);
      results.push({ id, ok: false, error: text });
    }
  }
  if (options.json) cli.json({ results } satisfies BulkResult);
  const failed = results.filter((r) => !r.ok).length;
  if (failed > 0) throw new ReportedFailure(`${failed} of ${ids.length} failed`);
}
