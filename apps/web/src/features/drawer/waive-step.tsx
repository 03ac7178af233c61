import { type FormEvent, useId, useState } from "react";

interface WaiveStepProps {
  pending: boolean;
  onWaive(reason: string): void;
}

/**
 * "Accept without proof" (SPEC §12): completes a task whose completion the board could not
 * verify. It opens a small form whose Reason is required (it is recorded in the task's events);
 * the confirm button stays disabled while the reason is blank.
 */
export function WaiveStep({ pending, onWaive }: WaiveStepProps) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const id = useId();
  const trimmed = reason.trim();

  function submit(event: FormEvent) {
    event.preventDefault();
    if (trimmed) onWaive(trimmed);
  }

  return (
    <div className="sy-recovery-step sy-waive-step">
      <span className="sy-step-title">4. Accept without proof</span>
      <button className="sy-button" type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        Accept without proof
      </button>
      {open ? (
        <form className="sy-confirm sy-waive-form" aria-label="Accept without proof" onSubmit={submit}>
          <p>Complete the task although its claims could not be verified. Say why: it is recorded in its events.</p>
          <label htmlFor={`${id}-reason`}>Reason</label>
          <input
            className="sy-input"
            id={`${id}-reason`}
            value={reason}
            required
            aria-describedby={`${id}-hint`}
            onChange={(e) => setReason(e.target.value)}
          />
          <span id={`${id}-hint`} className="sy-hint">
            {trimmed ? "Recorded with the completion." : "A reason is required."}
          </span>
          <div className="sy-button-row">
            <button className="sy-button sy-button-primary" type="submit" disabled={pending || !trimmed}>
              Confirm accept without proof
            </button>
            <button className="sy-button" type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}
