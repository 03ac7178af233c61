import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef } from "react";

interface DialogProps {
  /** The dialog's heading, which is also its accessible name. */
  title: string;
  onClose(): void;
  children: ReactNode;
  className?: string;
}

const FOCUSABLE = 'input, select, textarea, button, [href], [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog: takes focus (the first field, or the element marked `data-autofocus`), keeps
 * Tab inside, closes on Esc or a click on the shade, and gives focus back when it closes.
 */
export function Dialog({ title, onClose, children, className }: DialogProps) {
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const node = box.current;
    const first = node?.querySelector<HTMLElement>("[data-autofocus]") ?? node?.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? node)?.focus();
    return () => {
      if (previous?.isConnected) previous.focus();
    };
  }, []);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      onClose();
      return;
    }
    if (event.key !== "Tab" || !box.current) return;
    const items = [...box.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
      (el) => !el.hasAttribute("disabled"),
    );
    const first = items[0];
    const last = items.at(-1);
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  return (
    <div className="sy-dialog-layer">
      <div className="sy-dialog-shade" aria-hidden="true" onClick={onClose} />
      <div
        ref={box}
        className={`sy-dialog${className ? ` ${className}` : ""}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <h2 id={titleId} className="sy-dialog-title">
          {title}
        </h2>
        {children}
      </div>
    </div>
  );
}
