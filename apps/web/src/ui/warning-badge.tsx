import type { Warnings } from "@switchyard/contract";
import { warningBadgeText } from "../lib/warnings.ts";
import { WarningIcon } from "./icons.tsx";

/**
 * The amber ⚠ badge of a task with active warnings (hallucinated cards, unverified completions),
 * on its card and in its drawer; its name says what they are (`lib/warnings.ts`).
 */
export function WarningBadge({ warnings }: { warnings: Warnings }) {
  const text = warningBadgeText(warnings);
  return (
    <span className="sy-warning-badge" title={text} role="img" aria-label={text}>
      <WarningIcon /> {warnings.count}
    </span>
  );
}
