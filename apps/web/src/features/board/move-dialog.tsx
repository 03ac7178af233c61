import type { TaskStatus } from "@switchyard/contract";
import { type FormEvent, useState } from "react";
import { Dialog } from "../../ui/dialog.tsx";

/** What a confirmed move sends besides the status. */
export interface MoveExtras {
  summary?: string;
  reason?: string;
}

interface MoveDialogProps {
  /** The target status: done, blocked or archived. */
  to: TaskStatus;
  /** "this task" or "3 tasks". */
  subject: string;
  /** The confirmed move is on its way: the dialog waits for the server's answer. */
  sending?: boolean;
  /** The server refused the confirmed move: said here, beside what was typed, which is kept. */
  refusal?: string | null;
  onConfirm(extras: MoveExtras): void;
  onCancel(): void;
}

const QUESTION: Partial<Record<TaskStatus, string>> = {
  done: "Mark {subject} as done?",
  blocked: "Block {subject}?",
  archived: "Archive {subject}?",
};

/**
 * Confirms a move to done, blocked or archived (reference §12). Done needs a completion
 * summary, sent as both result and summary; an empty one is refused in place. The dialog stays
 * open until the server answers, and a refusal is shown in it with the text kept, to fix or
 * cancel.
 */
export function MoveDialog({ to, subject, sending = false, refusal = null, onConfirm, onCancel }: MoveDialogProps) {
  const [text, setText] = useState("");
  const [missing, setMissing] = useState(false);
  const title = (QUESTION[to] ?? "Move {subject}?").replace("{subject}", subject);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (to === "done") {
      if (!text.trim()) {
        setMissing(true);
        return;
      }
      onConfirm({ summary: text.trim() });
    } else if (to === "blocked") {
      onConfirm(text.trim() ? { reason: text.trim() } : {});
    } else {
      onConfirm({});
    }
  }

  return (
    <Dialog title={title} onClose={onCancel}>
      <form className="sy-form" onSubmit={submit}>
        {to === "done" ? (
          <label className="sy-field">
            <span>Completion summary (required)</span>
            <textarea
              className="sy-input"
              rows={4}
              value={text}
              aria-invalid={missing}
              onChange={(e) => {
                setText(e.target.value);
                setMissing(false);
              }}
            />
          </label>
        ) : null}
        {to === "blocked" ? (
          <label className="sy-field">
            <span>Reason (optional)</span>
            <input className="sy-input" value={text} onChange={(e) => setText(e.target.value)} />
          </label>
        ) : null}
        {missing ? (
          <p className="sy-form-error" role="alert">
            A completion summary is required.
          </p>
        ) : null}
        {refusal && !sending ? (
          <p className="sy-form-error" role="alert">
            Refused: {refusal}
          </p>
        ) : null}
        <div className="sy-form-actions">
          <button type="submit" className="sy-button sy-button-primary" disabled={sending} aria-busy={sending}>
            {to === "done" ? "Mark done" : to === "blocked" ? "Block" : "Archive"}
          </button>
          <button type="button" className="sy-button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
