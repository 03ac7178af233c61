import { type ReactNode, useEffect, useRef } from "react";

interface DrawerShellProps {
  /** The dialog's accessible name: the task's title (or its id while loading). */
  label: string;
  onClose(): void;
  children: ReactNode;
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Keeps Tab and Shift+Tab inside the dialog, as a modal dialog should. */
function trapTab(event: KeyboardEvent, dialog: HTMLElement): void {
  const items = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)];
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) return;
  const active = document.activeElement;
  const inside = active instanceof Node && dialog.contains(active);
  // Another dialog opened over the drawer (the command palette, a confirmation) keeps its own Tab.
  if (!inside && active instanceof Element && active.closest('[role="dialog"], [role="alertdialog"]')) return;
  if (event.shiftKey && (!inside || active === first || active === dialog)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (!inside || active === last)) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * The drawer's frame: a shade that closes it on click, and a modal dialog sliding in from the
 * right that takes focus when it opens, keeps Tab inside itself, and gives focus back when it
 * closes. Esc closes it unless something inside handled the key first (an inline editor cancels
 * its edit with Esc, the comment box keeps its draft; both mark the key handled).
 */
export function DrawerShell({ label, onClose, children }: DrawerShellProps) {
  const dialog = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.current?.focus();
    function onKeyDown(event: KeyboardEvent) {
      if (event.key === "Escape" && !event.defaultPrevented) close.current();
      if (event.key === "Tab" && dialog.current) trapTab(event, dialog.current);
    }
    document.addEventListener("keydown", onKeyDown);
    return () => {
      document.removeEventListener("keydown", onKeyDown);
      // Back to where the drawer was opened from (the card), for keyboard users.
      if (previous?.isConnected) previous.focus();
    };
  }, []);

  return (
    <>
      <div className="sy-drawer-shade" aria-hidden="true" onClick={onClose} />
      {/* A div: ARIA does not allow the dialog role on <aside>. */}
      <div ref={dialog} className="sy-drawer" role="dialog" aria-modal="true" aria-label={label} tabIndex={-1}>
        {children}
      </div>
    </>
  );
}
