import type { TaskStatus } from "@switchyard/contract";
import { type FormEvent, useState } from "react";
import { errorMessage } from "../../api/errors.ts";
import {
  isStatusActionEnabled,
  needsConfirmation,
  STATUS_ACTION_LABELS,
  STATUS_ACTIONS,
  type StatusAction,
} from "./status-rules.ts";

export type StatusCommand =
  | { action: "triage" | "ready" | "unblock" | "archive" }
  | { action: "block"; reason: string | null }
  | { action: "complete"; summary: string };

interface StatusActionsProps {
  status: TaskStatus;
  pending: boolean;
  /** Sends the command; rejects with the server's refusal. */
  onCommand(command: StatusCommand): Promise<unknown>;
}

const CONFIRM_TEXT = {
  block: "Block this task? A running worker loses its claim.",
  complete: "Mark this task as done? A completion summary is required.",
  archive: "Archive this task? It leaves the board.",
} as const;

/**
 * The status buttons with their enabling rules. Block, Complete and Archive ask first, inline:
 * Block takes an optional reason, Complete a required summary (sent as result and summary).
 * The confirmation stays open until the server answers: a refusal is shown inside it and what
 * was typed is kept. A refusal of a plain button is shown under the buttons.
 */
export function StatusActions({ status, pending, onCommand }: StatusActionsProps) {
  const [confirming, setConfirming] = useState<"block" | "complete" | "archive" | null>(null);
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);

  function start(action: StatusAction) {
    setRefusal(null);
    if (needsConfirmation(action)) {
      setConfirming(action);
      setText("");
      setProblem(null);
    } else {
      onCommand({ action }).catch((err: unknown) => setRefusal(`Refused: ${errorMessage(err)}`));
    }
  }

  function command(): StatusCommand | null {
    if (confirming === "complete") {
      const summary = text.trim();
      if (!summary) {
        setProblem("A completion summary is required.");
        return null;
      }
      return { action: "complete", summary };
    }
    if (confirming === "block") return { action: "block", reason: text.trim() || null };
    if (confirming === "archive") return { action: "archive" };
    return null;
  }

  async function confirm(event: FormEvent) {
    event.preventDefault();
    const sent = command();
    if (!sent) return;
    setProblem(null);
    try {
      await onCommand(sent);
      setConfirming(null);
    } catch (err) {
      setProblem(`Refused: ${errorMessage(err)}`);
    }
  }

  return (
    <section className="sy-drawer-section sy-status-actions" aria-label="Status actions">
      <div className="sy-button-row">
        {STATUS_ACTIONS.map((action) => (
          <button
            className="sy-button"
            key={action}
            type="button"
            disabled={pending || !isStatusActionEnabled(action, status)}
            onClick={() => start(action)}
          >
            {STATUS_ACTION_LABELS[action]}
          </button>
        ))}
      </div>
      {confirming ? (
        <form className="sy-confirm" aria-label={`Confirm ${STATUS_ACTION_LABELS[confirming]}`} onSubmit={confirm}>
          <p>{CONFIRM_TEXT[confirming]}</p>
          {confirming === "complete" ? (
            <textarea
              className="sy-input"
              aria-label="Completion summary"
              rows={3}
              value={text}
              aria-required="true"
              onChange={(e) => setText(e.target.value)}
            />
          ) : null}
          {confirming === "block" ? (
            <input
              className="sy-input"
              aria-label="Block reason"
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          ) : null}
          {problem ? (
            <p role="alert" className="sy-error">
              {problem}
            </p>
          ) : null}
          <div className="sy-button-row">
            <button className="sy-button sy-button-primary" type="submit" disabled={pending}>
              Confirm {STATUS_ACTION_LABELS[confirming].toLowerCase()}
            </button>
            <button className="sy-button" type="button" onClick={() => setConfirming(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {refusal && !confirming ? (
        <p role="alert" className="sy-error">
          {refusal}
        </p>
      ) : null}
    </section>
  );
}
