import { type ReactNode, useEffect, useRef } from "react";

interface DrawerShellProps {
  /** The dialog's accessible name: the task's title (or its id while loading). */
  label: string;
  onClose(): void;
  children: ReactNode;
}

/**
 * The drawer's frame: a shade that closes it on click, and a dialog sliding in from the right
 * that takes focus when it opens and gives it back when it closes. Esc closes it unless something
 * inside handled the key first (an inline editor cancels its edit with Esc and marks it handled).
 */
export function DrawerShell({ label, onClose, children }: DrawerShellProps) {
  const dialog = useRef<HTMLElement>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.current?.focus();
    function onKeyDown(event: KeyboardEvent) {
      if (event.key === "Escape" && !event.defaultPrevented) close.current();
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
      <aside ref={dialog} className="sy-drawer" role="dialog" aria-modal="true" aria-label={label} tabIndex={-1}>
        {children}
      </aside>
    </>
  );
}
