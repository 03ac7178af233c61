import { type KeyboardEvent, type ReactNode, useState } from "react";
import { useTextLimit } from "../lib/use-text-limit.ts";

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
  /**
   * Words read before what the button shows, e.g. "Edit assignee": its accessible name is then
   * "Edit assignee: @alice". Without it the button is named by what it shows. Either way the name
   * contains the visible text, so speech input finds the button by what it says.
   */
  editLabel?: string;
  /** The longest text the field takes; a longer paste is cut, and the editor says so. */
  maxLength?: number;
  disabled?: boolean;
  className?: string;
}

/**
 * Click-to-edit text: a button showing the value; clicking it opens an input where Enter
 * saves and Esc cancels. Esc is marked handled (`preventDefault`), so a dialog around it does
 * not close as well. Text runs in its own direction (`dir="auto"`), so right-to-left titles read right.
 */
export function InlineEdit({
  label,
  value,
  display,
  onSave,
  type = "text",
  placeholder,
  editLabel,
  maxLength,
  disabled,
  className,
}: InlineEditProps) {
  const [draft, setDraft] = useState<string | null>(null);
  const limit = useTextLimit(label.toLowerCase(), maxLength ?? Number.POSITIVE_INFINITY);

  function close() {
    setDraft(null);
    limit.clear();
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter") {
      event.preventDefault();
      if (draft !== null && draft !== value) onSave(draft);
      close();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  }

  if (draft === null) {
    return (
      <button
        type="button"
        className={`sy-inline-edit ${className ?? ""}`}
        title={`Click to edit ${label.toLowerCase()}`}
        dir="auto"
        disabled={disabled}
        onClick={() => setDraft(value)}
      >
        {editLabel ? <span className="sy-visually-hidden">{editLabel}: </span> : null}
        {display ?? (value || placeholder)}
      </button>
    );
  }
  return (
    <>
      <input
        className={`sy-inline-edit-input ${className ?? ""}`}
        aria-label={label}
        type={type}
        dir="auto"
        value={draft}
        placeholder={placeholder}
        maxLength={maxLength}
        // biome-ignore lint/a11y/noAutofocus: the input appears because the user asked to edit this value
        autoFocus
        onChange={(e) => setDraft(e.target.value)}
        onPaste={limit.onPaste}
        onKeyDown={onKeyDown}
        onBlur={close}
      />
      {limit.notice ? (
        <span role="status" className="sy-limit-notice">
          {limit.notice}
        </span>
      ) : null}
    </>
  );
}
