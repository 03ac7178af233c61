import { WarningIcon } from "./icons.tsx";

function warningText(count: number): string {
  return `${count} hallucination event(s) since last clean completion`;
}

/** The amber ⚠ badge of a task with active hallucination warnings (on its card and in its drawer). */
export function WarningBadge({ count }: { count: number }) {
  return (
    <span className="sy-warning-badge" title={warningText(count)} role="img" aria-label={warningText(count)}>
      <WarningIcon /> {count}
    </span>
  );
}
