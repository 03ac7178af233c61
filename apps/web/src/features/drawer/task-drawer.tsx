import "./drawer.css";
import { errorMessage } from "../../api/errors.ts";
import { useTaskDetail } from "../../api/task-detail.ts";
import { DrawerShell } from "./drawer-shell.tsx";
import { TaskDetailView } from "./task-detail-view.tsx";

export interface TaskDrawerProps {
  taskId: string;
  /** The board's slug; null means the default board. */
  board: string | null;
  onClose(): void;
}

/**
 * The task drawer (reference §12): a dialog named by the task's title that slides in from the
 * right; Esc and the shade close it. It refreshes itself when the live stream brings events
 * for its task (the stream invalidates the task's query). Everything below it is keyed by the
 * task id, so nothing typed in one task's drawer carries over to another's.
 */
export function TaskDrawer({ taskId, board, onClose }: TaskDrawerProps) {
  const slug = board ?? "default";
  const detail = useTaskDetail(slug, taskId);
  const data = detail.data;
  return (
    <DrawerShell label={data?.task.title ?? taskId} onClose={onClose}>
      {data ? (
        <TaskDetailView key={taskId} slug={slug} detail={data} onClose={onClose} />
      ) : (
        <div className="sy-drawer-placeholder">
          <div className="sy-drawer-head-row">
            <code className="sy-task-id">{taskId}</code>
            <button type="button" className="sy-icon-button" aria-label="Close drawer" onClick={onClose}>
              ×
            </button>
          </div>
          {detail.error ? (
            <p role="alert" className="sy-error">
              {errorMessage(detail.error)}
            </p>
          ) : (
            <p className="sy-muted">Loading task…</p>
          )}
        </div>
      )}
    </DrawerShell>
  );
}
