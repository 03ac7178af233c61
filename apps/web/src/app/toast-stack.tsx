import "./toasts.css";
import { useEffect, useRef } from "react";
import { type Notice, useNotice, useNotices } from "../lib/notices.tsx";

/**
 * The page's notifications, bottom left (clear of the drawer): errors are alerts, news is a
 * status. Each one goes by itself after its time, except while the pointer rests on the stack or
 * focus is in it (a keyboard user on its Undo keeps it); the × takes it down at once.
 */
export function ToastStack() {
  const notices = useNotices();
  const stack = useRef<HTMLElement>(null);
  const hovered = useRef(false);
  const held = () => hovered.current || (stack.current?.contains(document.activeElement) ?? false);
  return (
    <section
      ref={stack}
      className="sy-toasts"
      aria-label="Notifications"
      onMouseEnter={() => {
        hovered.current = true;
      }}
      onMouseLeave={() => {
        hovered.current = false;
      }}
    >
      {notices.map((notice) => (
        <Toast key={notice.id} notice={notice} held={held} />
      ))}
    </section>
  );
}

function Toast({ notice, held }: { notice: Notice; held(): boolean }) {
  const { dismiss } = useNotice();
  const isHeld = useRef(held);
  isHeld.current = held;

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const expire = () => {
      if (isHeld.current()) timer = setTimeout(expire, notice.duration / 2);
      else dismiss(notice.id);
    };
    timer = setTimeout(expire, notice.duration);
    return () => clearTimeout(timer);
  }, [notice.id, notice.duration, dismiss]);

  return (
    <div className={`sy-toast sy-toast-${notice.tone}`} role={notice.tone === "error" ? "alert" : "status"}>
      <span className="sy-toast-text">{notice.text}</span>
      {notice.action ? (
        <button
          type="button"
          className="sy-button sy-toast-action"
          onClick={() => {
            dismiss(notice.id);
            notice.action?.run();
          }}
        >
          {notice.action.label}
        </button>
      ) : null}
      <button type="button" className="sy-icon-button" aria-label="Dismiss message" onClick={() => dismiss(notice.id)}>
        ×
      </button>
    </div>
  );
}
