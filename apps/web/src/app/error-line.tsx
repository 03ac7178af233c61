import { useNotice } from "../lib/notices.tsx";

/** The page's error line (reference §12): the latest refusal or warning, until dismissed. */
export function ErrorLine() {
  const { notice, clear } = useNotice();
  if (!notice) return null;
  return (
    <div className={`sy-notice sy-notice-${notice.tone}`} role={notice.tone === "error" ? "alert" : "status"}>
      <span>{notice.text}</span>
      <button type="button" className="sy-icon-button" aria-label="Dismiss message" onClick={clear}>
        ×
      </button>
    </div>
  );
}
