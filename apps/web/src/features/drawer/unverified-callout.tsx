import type { CheckResult, TaskEvent } from "@switchyard/contract";
import { verdictText } from "../../lib/event-sentences.ts";
import { formatAge } from "../../lib/time.ts";
import { WarningIcon } from "../../ui/icons.tsx";
import { checkOutcome } from "./proof-words.ts";

type UnverifiedEvent = Extract<TaskEvent, { kind: "completion_blocked_unverified" }>;

function FailedCheck({ check }: { check: CheckResult }) {
  return (
    <figure className="sy-failed-check" aria-label={`${check.command} (${checkOutcome(check)})`}>
      <figcaption>
        <code>{check.command}</code> <span className="sy-muted">({checkOutcome(check)})</span>
      </figcaption>
      {check.output_tail ? <pre className="sy-check-output">{check.output_tail}</pre> : null}
    </figure>
  );
}

/**
 * A refused completion (SPEC §12) as a red callout, like the card gate's: what was refused, each
 * refused claim as a chip ("commit deadbeef: not_found") with the kernel's detail, and for the
 * board's own check (phase verify) the failed command, its exit code and the tail of its output.
 */
export function UnverifiedCallout({ event, now }: { event: UnverifiedEvent; now: number }) {
  const { phase, refused, verified, checks } = event.payload;
  const failedChecks = (checks ?? []).filter((c) => !c.ok);
  const details = refused.filter((v) => v.detail);
  return (
    <li className="sy-event sy-event-hallucination sy-event-unverified" data-kind={event.kind}>
      <div className="sy-event-head">
        <span className="sy-warning-icon">
          <WarningIcon />
        </span>
        <strong>
          {phase === "verify" ? "Completion blocked — verification failed" : "Completion blocked — unverified claims"}
        </strong>{" "}
        <span className="sy-muted">{formatAge(now - event.created_at)} ago</span>
      </div>
      {refused.length > 0 ? (
        <div className="sy-refused">
          Refused:{" "}
          <ul aria-label="Refused claims" className="sy-chips">
            {refused.map((v) => (
              <li key={`${v.kind}:${v.claim}`}>
                <code className="sy-chip sy-verdict-chip" title={v.detail ?? undefined}>
                  {verdictText(v)}
                </code>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {details.map((v) => (
        <p key={`${v.kind}:${v.claim}`} className="sy-verdict-detail">
          {v.detail}
        </p>
      ))}
      {failedChecks.map((c) => (
        <FailedCheck key={`${c.source}:${c.command}`} check={c} />
      ))}
      {verified.length > 0 ? (
        <p className="sy-muted sy-verdict-detail">Verified: {verified.map((v) => verdictText(v)).join(", ")}</p>
      ) : null}
    </li>
  );
}
