import type { CheckResult, ReceiptVerdict, RunProof } from "@switchyard/contract";
import { checkOutcome, formatDuration, shortSha } from "./proof-words.ts";

function Receipt({ verdict }: { verdict: ReceiptVerdict }) {
  return (
    <li className={verdict.ok ? "sy-receipt-ok" : "sy-receipt-refused"} title={verdict.detail ?? undefined}>
      <span className="sy-receipt-mark" role="img" aria-label={verdict.ok ? "verified" : "refused"}>
        {verdict.ok ? "✓" : "✗"}
      </span>{" "}
      {verdict.kind} <code>{verdict.claim}</code>
      {verdict.ok ? null : <span className="sy-receipt-why"> (refused: {verdict.reason ?? "unknown"})</span>}
    </li>
  );
}

function Check({ check }: { check: CheckResult }) {
  return (
    <li className={check.ok ? "sy-check-ok" : "sy-check-failed"}>
      <code>{check.command}</code> <span>{checkOutcome(check)}</span>{" "}
      <span className="sy-muted">{formatDuration(check.duration_ms)}</span>
      {check.output_tail ? (
        <details className="sy-check-details">
          <summary>Output</summary>
          <pre className="sy-check-output">{check.output_tail}</pre>
        </details>
      ) : null}
    </li>
  );
}

/**
 * What a run proved (SPEC §12): the task branch and the commit it started from, each receipt
 * with ✓ (verified) or ✗ (refused, with why), and the checks the board ran itself (command, exit
 * code or timed out, duration, the output's tail behind a disclosure); "verifying…" while the
 * board is still checking a completion the worker handed in.
 */
export function RunProofView({ proof }: { proof: RunProof }) {
  const receipts = proof.receipts ?? [];
  const checks = proof.checks ?? [];
  return (
    <div className="sy-run-proof">
      {proof.verifying ? <p className="sy-run-verifying">verifying…</p> : null}
      {proof.branch || proof.base_commit ? (
        <p className="sy-run-branch">
          {proof.branch ? (
            <>
              Branch <code>{proof.branch}</code>
            </>
          ) : (
            "Workspace"
          )}
          {proof.base_commit ? (
            <>
              {" "}
              from <code>{shortSha(proof.base_commit)}</code>
            </>
          ) : null}
        </p>
      ) : null}
      {receipts.length > 0 ? (
        <ul aria-label="Receipts" className="sy-receipts">
          {receipts.map((v) => (
            <Receipt key={`${v.kind}:${v.claim}`} verdict={v} />
          ))}
        </ul>
      ) : null}
      {checks.length > 0 ? (
        <ul aria-label="Checks" className="sy-checks">
          {checks.map((c) => (
            <Check key={`${c.source}:${c.command}`} check={c} />
          ))}
        </ul>
      ) : null}
    </div>
  );
}
