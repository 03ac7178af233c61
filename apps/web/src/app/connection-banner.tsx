import "./connection.css";
import type { LiveBoard } from "../api/live.ts";

/**
 * Says, across the top of the board, that the live stream is down: while the server cannot be
 * reached (with the attempt under way and a way to try now), and when the stream's auth failed.
 * Nothing while the stream is connecting or live.
 */
export function ConnectionBanner({ live }: { live: LiveBoard }) {
  if (live.state === "reconnecting") {
    const text = `Connection lost — reconnecting… (attempt ${live.attempt})`;
    return (
      <div className="sy-outage">
        <p className="sy-outage-text" role="status" aria-label={text}>
          {text}{" "}
          <span className="sy-outage-note">
            The board shows what it had; what changes meanwhile appears once it is back.
          </span>
        </p>
        <button type="button" className="sy-button" onClick={live.reconnectNow}>
          Reconnect now
        </button>
      </div>
    );
  }
  if (live.state === "auth-failed") {
    const text = "Live updates stopped — reload the page to sign in again.";
    return (
      <div className="sy-outage sy-outage-final">
        <p className="sy-outage-text" role="status" aria-label={text}>
          {text}
        </p>
      </div>
    );
  }
  return null;
}
