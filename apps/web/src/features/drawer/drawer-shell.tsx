import { type ReactNode, useEffect, useRef } from "react";

interface DrawerShellProps {
  /** The dialog's accessible name: the task's title (or its id while loading). */
  label: string;
  onClose(): void;
  children: ReactNode;
}

/**
 * The drawer's frame: a shade that closes it on click, and a dialog sliding in from the right
 * that takes focus when it opens. Esc closes it unless something inside handled the key first
 * (an inline editor cancels its edit with Esc and marks the event handled).
 */
export function DrawerShell({ label, onClose, children }: DrawerShellProps) {
  const dialog = useRef<HTMLElement>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    dialog.current?.focus();
    function onKeyDown(event: KeyboardEvent) {
      if (event.key === "Escape" && !event.defaultPrevented) close.current();
    }
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
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
