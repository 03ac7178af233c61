import { useState } from "react";

interface BulkBarProps {
  count: number;
  /** Profiles offered by the reassign select. */
  profiles: readonly string[];
  pending: boolean;
  onReady(): void;
  onComplete(): void;
  onArchive(): void;
  /** A profile, or "" to unassign. */
  onReassign(profile: string): void;
  onClear(): void;
}

const NONE = "__none__";
const UNASSIGN = "__unassign__";

/** The bulk action bar (reference §12): shown while anything is selected. */
export function BulkBar({
  count,
  profiles,
  pending,
  onReady,
  onComplete,
  onArchive,
  onReassign,
  onClear,
}: BulkBarProps) {
  const [target, setTarget] = useState(NONE);
  return (
    <section className="sy-bulk" aria-label="Bulk actions">
      <strong>{count} selected</strong>
      <button type="button" className="sy-button" disabled={pending} onClick={onReady}>
        → ready
      </button>
      <button type="button" className="sy-button" disabled={pending} onClick={onComplete}>
        Complete
      </button>
      <button type="button" className="sy-button" disabled={pending} onClick={onArchive}>
        Archive
      </button>
      <select
        className="sy-input"
        aria-label="Reassign selected tasks to"
        value={target}
        onChange={(e) => setTarget(e.target.value)}
      >
        <option value={NONE}>— reassign —</option>
        <option value={UNASSIGN}>(unassign)</option>
        {profiles.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="sy-button"
        disabled={pending || target === NONE}
        onClick={() => {
          onReassign(target === UNASSIGN ? "" : target);
          setTarget(NONE);
        }}
      >
        Apply
      </button>
      <button type="button" className="sy-button sy-button-quiet" onClick={onClear}>
        Clear
      </button>
    </section>
  );
}
