import { type KeyboardEvent, useId, useState } from "react";
import { Dialog } from "./dialog.tsx";

export interface PickerItem {
  key: string;
  label: string;
  /** Shown beside the label, muted (a shortcut, an id). */
  detail?: string;
  run(): void;
}

interface PickerDialogProps {
  title: string;
  /** The search field's accessible name. */
  inputLabel: string;
  placeholder?: string;
  /** The list's accessible name (the title by default). */
  listLabel?: string;
  /** The choices for what is typed so far, best first. */
  items(query: string): readonly PickerItem[];
  onClose(): void;
  className?: string;
}

/**
 * A dialog with a search field over a list of choices (the command palette, the assign and
 * priority pickers): typing filters, ↑/↓ move, Enter runs the highlighted choice and closes.
 */
export function PickerDialog({
  title,
  inputLabel,
  placeholder,
  listLabel,
  items,
  onClose,
  className,
}: PickerDialogProps) {
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const listId = useId();
  const shown = items(query);
  const current = Math.min(active, Math.max(shown.length - 1, 0));

  function choose(item: PickerItem | undefined) {
    if (!item) return;
    onClose();
    item.run();
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    const count = Math.max(shown.length, 1);
    if (event.key === "ArrowDown") {
      event.preventDefault();
      setActive((current + 1) % count);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive((current - 1 + count) % count);
    } else if (event.key === "Enter") {
      event.preventDefault();
      choose(shown[current]);
    }
  }

  return (
    <Dialog title={title} onClose={onClose} className={`sy-palette${className ? ` ${className}` : ""}`}>
      <input
        className="sy-input"
        role="combobox"
        aria-label={inputLabel}
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={shown[current] ? `${listId}-${current}` : undefined}
        aria-autocomplete="list"
        placeholder={placeholder}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
      />
      <div id={listId} role="listbox" aria-label={listLabel ?? title} className="sy-palette-list">
        {shown.length === 0 ? <p className="sy-muted">Nothing matches.</p> : null}
        {shown.map((item, i) => (
          <div
            key={item.key}
            id={`${listId}-${i}`}
            role="option"
            tabIndex={-1}
            aria-selected={i === current}
            className={`sy-palette-item${i === current ? " sy-palette-item-active" : ""}`}
            onMouseEnter={() => setActive(i)}
            onClick={() => choose(item)}
            onKeyDown={(e) => {
              if (e.key === "Enter") choose(item);
            }}
          >
            <span>{item.label}</span>
            {item.detail ? <span className="sy-muted">{item.detail}</span> : null}
          </div>
        ))}
      </div>
    </Dialog>
  );
}
