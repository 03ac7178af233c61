import type { ReactNode } from "react";
import { Dialog } from "./dialog.tsx";

interface ConfirmDialogProps {
  title: string;
  confirmLabel: string;
  onConfirm(): void;
  onCancel(): void;
  children?: ReactNode;
}

/** A yes/no question in a modal dialog; the confirm button takes focus. */
export function ConfirmDialog({ title, confirmLabel, onConfirm, onCancel, children }: ConfirmDialogProps) {
  return (
    <Dialog title={title} onClose={onCancel}>
      {children}
      <div className="sy-form-actions">
        <button type="button" className="sy-button sy-button-primary" data-autofocus onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button type="button" className="sy-button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
