import type { WorkerLog } from "@switchyard/contract";
import { formatBytes } from "../../lib/bytes.ts";

interface WorkerLogViewProps {
  log: WorkerLog | undefined;
  /** The tail the drawer asks for, for the truncation note. */
  tailBytes: number;
  loading: boolean;
  error: string | null;
  onRefresh(): void;
}

/** The worker log's tail with a refresh button and a note when only the tail is shown. */
export function WorkerLogView({ log, tailBytes, loading, error, onRefresh }: WorkerLogViewProps) {
  return (
    <section className="sy-drawer-section" aria-label="Worker log">
      <div className="sy-section-head">
        <h3>Worker log{log?.exists ? ` (${formatBytes(log.size_bytes)})` : ""}</h3>
        <button type="button" className="sy-link-button" disabled={loading} onClick={onRefresh}>
          Refresh log
        </button>
      </div>
      {error ? (
        <p role="alert" className="sy-error">
          {error}
        </p>
      ) : null}
      {log && !log.exists ? <p className="sy-muted">No worker log yet.</p> : null}
      {log?.exists && log.truncated ? (
        <p className="sy-muted">
          Showing only the last {formatBytes(tailBytes)}; the full log is at <code>{log.path}</code>.
        </p>
      ) : null}
      {log?.exists ? (
        // A named region that takes focus, so the keyboard can scroll a long log.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus to be scrolled by keyboard (WCAG 2.1.1)
        <section className="sy-log" tabIndex={0} aria-label="Worker log output">
          <pre>{log.content}</pre>
        </section>
      ) : null}
    </section>
  );
}
