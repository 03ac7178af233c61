import type { TaskStatus } from "@switchyard/contract";
import { COLUMN_META } from "../lib/columns.ts";

/** The coloured dot of a status (reference §12). */
export function StatusDot({ status }: { status: TaskStatus }) {
  return <span className="sy-dot" aria-hidden="true" style={{ background: COLUMN_META[status].dot }} />;
}
