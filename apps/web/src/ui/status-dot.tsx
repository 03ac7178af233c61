import type { TaskStatus } from "@switchyard/contract";
import { COLUMN_META } from "../lib/columns.ts";
import { StatusIcon } from "./icons.tsx";

/**
 * A status's mark (reference §12's coloured dot): an icon whose shape differs by status
 * (`StatusIcon`), so it never relies on colour alone, in the status's colour. Decoration: the
 * column label or move target beside it names the status.
 */
export function StatusDot({ status }: { status: TaskStatus }) {
  return (
    <span className="sy-status-icon" data-status={status} style={{ color: COLUMN_META[status].dot }}>
      <StatusIcon status={status} />
    </span>
  );
}
