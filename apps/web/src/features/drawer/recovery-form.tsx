import { type ReactNode, useId, useState } from "react";
import { CopyButton } from "../../ui/copy-button.tsx";

export interface RecoveryOutcome {
  ok: boolean;
  text: string;
}

export interface ReassignInput {
  profile: string | null;
  reclaimFirst: boolean;
  reason: string | null;
}

interface RecoveryFormProps {
  running: boolean;
  assignee: string | null;
  /** Profiles to offer for a reassign (the board's assignees and the configured profiles). */
  profiles: readonly string[];
  /** The command or instruction for changing the assignee's model. */
  modelHint: string;
  pending: boolean;
  outcome: RecoveryOutcome | null;
  onReclaim(reason: string | null): void;
  onReassign(input: ReassignInput): void;
  /** Further steps (Accept without proof), shown after the model hint and before the outcome. */
  children?: ReactNode;
}

const UNASSIGNED = "";

/**
 * The recovery popover of reference §12: a shared reason, 1. Reclaim (only while running),
 * 2. Reassign (a profile and "Reclaim first", checked when running), 3. the model hint with a
 * Copy button. Its state lives here; the drawer mounts it keyed by task id, so nothing typed
 * for one task shows up in another's.
 */
export function RecoveryForm(props: RecoveryFormProps) {
  const { running, assignee, profiles, modelHint, pending, outcome } = props;
  const [reason, setReason] = useState("");
  const [profile, setProfile] = useState(assignee ?? UNASSIGNED);
  const [reclaimFirst, setReclaimFirst] = useState(running);
  const ids = useId();
  const options = [...new Set([...profiles, ...(assignee ? [assignee] : [])])].sort();
  const trimmedReason = reason.trim() || null;

  return (
    <div className="sy-recovery-form">
      <h4>Recovery actions</h4>
      <p className="sy-hint">
        Stop a stuck worker, hand the task to another profile, or change the model of the profile that keeps failing.
      </p>
      <label htmlFor={`${ids}-reason`}>Reason</label>
      <input
        className="sy-input"
        id={`${ids}-reason`}
        value={reason}
        placeholder="why (recorded in the task's events)"
        onChange={(e) => setReason(e.target.value)}
      />

      <div className="sy-recovery-step">
        <span className="sy-step-title">1. Reclaim</span>
        <button
          className="sy-button"
          type="button"
          disabled={pending || !running}
          onClick={() => props.onReclaim(trimmedReason)}
        >
          Reclaim
        </button>
        {running ? null : <span className="sy-hint">only a running task can be reclaimed</span>}
      </div>

      <div className="sy-recovery-step">
        <span className="sy-step-title">2. Reassign</span>
        <label htmlFor={`${ids}-profile`} className="sy-visually-hidden">
          Reassign to profile
        </label>
        <select className="sy-input" id={`${ids}-profile`} value={profile} onChange={(e) => setProfile(e.target.value)}>
          <option value={UNASSIGNED}>(unassigned)</option>
          {options.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <label>
          <input type="checkbox" checked={reclaimFirst} onChange={(e) => setReclaimFirst(e.target.checked)} /> Reclaim
          first
        </label>
        <button
          className="sy-button"
          type="button"
          disabled={pending}
          onClick={() => props.onReassign({ profile: profile || null, reclaimFirst, reason: trimmedReason })}
        >
          Reassign
        </button>
      </div>

      <div className="sy-recovery-step">
        <span className="sy-step-title">3. Change profile model</span>
        <code className="sy-model-hint">{modelHint}</code>
        <CopyButton text={modelHint} label="Copy model hint" />
      </div>

      {props.children}

      {outcome ? (
        <p role={outcome.ok ? "status" : "alert"} className={outcome.ok ? "sy-result-ok" : "sy-result-error"}>
          {outcome.text}
        </p>
      ) : null}
    </div>
  );
}
