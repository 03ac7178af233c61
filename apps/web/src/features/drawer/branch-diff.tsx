import type { DiffStat } from "@switchyard/contract";
import { diffSummary } from "./proof-words.ts";

/**
 * The task's branch against the commit it started from (SPEC §12, a `worktree` task): "sy/t_x vs
 * abc1234: 3 files changed, +10 −2" and the files it changed.
 */
export function BranchDiff({ diff }: { diff: DiffStat }) {
  return (
    <section className="sy-drawer-section" aria-label="Branch">
      <h3>Branch</h3>
      <p className="sy-diff-summary">{diffSummary(diff)}</p>
      {diff.files.length > 0 ? (
        <ul aria-label="Changed files" className="sy-diff-files">
          {diff.files.map((f) => (
            <li key={f}>
              <code>{f}</code>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
