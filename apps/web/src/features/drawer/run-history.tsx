import type { Run } from "@switchyard/contract";
import { useState } from "react";
import { runTone } from "../../lib/run-tone.ts";
import { formatAge } from "../../lib/time.ts";
import { latestRunsFirst, runElapsed } from "./history.ts";
import { RunProofView } from "./run-proof.tsx";

const SHOWN = 3;

function RunRow({ run, now }: { run: Run; now: number }) {
  const tone = runTone(run);
  return (
    <li className={`sy-run sy-run-${tone}`} data-tone={tone}>
      <div className="sy-run-head">
        <strong>{run.outcome ?? (run.ended_at === null ? "active" : run.status)}</strong>{" "}
        <span>@{run.profile ?? "unassigned"}</span> <span>{formatAge(runElapsed(run, now))}</span>{" "}
        <span className="sy-muted">started {formatAge(now - run.started_at)} ago</span>
      </div>
      {run.summary ? <p className="sy-run-summary">{run.summary}</p> : null}
      {run.error ? <p className="sy-run-error">{run.error}</p> : null}
      {run.proof ? <RunProofView proof={run.proof} /> : null}
      {run.metadata ? <pre className="sy-run-metadata">{JSON.stringify(run.metadata)}</pre> : null}
    </li>
  );
}

/**
 * Run history (N): the last 3 runs, "+K earlier" to show the rest, coloured by outcome, each with
 * what it proved (`run-proof.tsx`) when its completion was checked.
 */
export function RunHistory({ runs, now }: { runs: readonly Run[]; now: number }) {
  const [all, setAll] = useState(false);
  const ordered = latestRunsFirst(runs);
  const shown = all ? ordered : ordered.slice(0, SHOWN);
  const hidden = ordered.length - shown.length;
  return (
    <section className="sy-drawer-section" aria-label="Run history">
      <h3>Run history ({runs.length})</h3>
      {runs.length === 0 ? <p className="sy-muted">No runs yet.</p> : null}
      <ol className="sy-runs">
        {shown.map((r) => (
          <RunRow key={r.id} run={r} now={now} />
        ))}
      </ol>
      {hidden > 0 ? (
        <button type="button" className="sy-link-button" onClick={() => setAll(true)}>
          +{hidden} earlier
        </button>
      ) : null}
    </section>
  );
}
