import { type KeyboardEvent, type ReactNode, useState } from "react";

interface InlineEditProps {
  /** The accessible name of the input while editing, e.g. "Title". */
  label: string;
  value: string;
  /** What shows when not editing; defaults to the value. */
  display?: ReactNode;
  /** Called with the edited text on Enter; the editor closes when it resolves. */
  onSave(next: string): void;
  /** `number` shows a numeric input. */
  type?: "text" | "number";
  placeholder?: string;
  /** The accessible name of the button; by default its visible text. */
  editLabel?: string;
  disabled?: boolean;
  className?: string;
}

/**
 * Click-to-edit text: a button showing the value; clicking it opens an input where Enter
 * saves and Esc cancels. Esc is marked handled (`preventDefault`), so a dialog around it does
 * not close as well.
 */
export function InlineEdit({
  label,
  value,
  display,
  onSave,
  type = "text",
  placeholder,
  editLabel,
  disabled,
  className,
}: InlineEditProps) {
  const [draft, setDraft] = useState<string | null>(null);

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter") {
      event.preventDefault();
      if (draft !== null && draft !== value) onSave(draft);
      setDraft(null);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      setDraft(null);
    }
  }

  if (draft === null) {
    return (
      <button
        type="button"
        className={`sy-inline-edit ${className ?? ""}`}
        title={`Click to edit ${label.toLowerCase()}`}
        aria-label={editLabel}
        disabled={disabled}
        onClick={() => setDraft(value)}
      >
        {display ?? (value || placeholder)}
      </button>
    );
  }
  return (
    <input
      className={`sy-inline-edit-input ${className ?? ""}`}
      aria-label={label}
      type={type}
      value={draft}
      placeholder={placeholder}
      // biome-ignore lint/a11y/noAutofocus: the input appears because the user asked to edit this value
      autoFocus
      onChange={(e) => setDraft(e.target.value)}
      onKeyDown={onKeyDown}
      onBlur={() => setDraft(null)}
    />
  );
}
