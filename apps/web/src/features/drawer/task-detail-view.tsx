import type { TaskDetail } from "@switchyard/contract";
import { useBoard, useDashboardConfig } from "../../api/board.ts";
import { moveBody } from "../../api/board-mutations.ts";
import { errorMessage } from "../../api/errors.ts";
import { usePatchTask } from "../../api/task-detail.ts";
import { useNow } from "../../lib/use-now.ts";
import { MarkdownText } from "../../ui/markdown.tsx";
import { BranchDiff } from "./branch-diff.tsx";
import { Comments } from "./comments.tsx";
import { Description } from "./description.tsx";
import { EventList } from "./event-list.tsx";
import { RecoveryPanel } from "./recovery-panel.tsx";
import { RunHistory } from "./run-history.tsx";
import { CommentPanel, DependenciesPanel, HomeChannelsPanel, WorkerLogPanel } from "./side-panels.tsx";
import { StatusActions, type StatusCommand } from "./status-actions.tsx";
import { TaskHead } from "./task-head.tsx";

/** The move a status button asks for, in the board's terms (done carries the summary as result and summary). */
function commandBody(id: string, command: StatusCommand) {
  switch (command.action) {
    case "triage":
      return moveBody({ id, to: "triage" });
    case "ready":
    case "unblock":
      return moveBody({ id, to: "ready" });
    case "block":
      return moveBody({ id, to: "blocked", ...(command.reason ? { reason: command.reason } : {}) });
    case "complete":
      return moveBody({ id, to: "done", summary: command.summary });
    case "archive":
      return moveBody({ id, to: "archived" });
  }
}

interface TaskDetailViewProps {
  slug: string;
  detail: TaskDetail;
  onClose(): void;
}

/** The drawer's sections, in the order of reference §12, for one loaded task. */
export function TaskDetailView({ slug, detail, onClose }: TaskDetailViewProps) {
  const { task } = detail;
  const patch = usePatchTask(slug, task.id);
  // Status commands show their own refusals (status-actions.tsx), apart from field edits.
  const move = usePatchTask(slug, task.id);
  const config = useDashboardConfig();
  // The default view of the board (shared with the board's own query when it shows the same view).
  const board = useBoard(slug, { includeArchived: false });
  const plain = config.data ? !config.data.render_markdown : false;
  const now = Math.floor(useNow() / 1000);
  const candidates = (board.data?.columns ?? []).flatMap((c) => c.tasks.map((t) => ({ id: t.id, title: t.title })));

  return (
    <div className="sy-drawer-body">
      <TaskHead task={task} now={now} onPatch={(p) => patch.mutate(p)} onClose={onClose} />
      <StatusActions
        status={task.status}
        pending={move.isPending}
        onCommand={(command) => move.mutateAsync(commandBody(task.id, command))}
      />
      {patch.error ? (
        <p role="alert" className="sy-error">
          Refused: {errorMessage(patch.error)}
        </p>
      ) : null}
      <RecoveryPanel slug={slug} task={task} assignees={board.data?.assignees ?? []} />
      <HomeChannelsPanel slug={slug} taskId={task.id} />
      <Description body={task.body} plain={plain} onSave={(body) => patch.mutate({ body })} />
      <DependenciesPanel
        slug={slug}
        taskId={task.id}
        parentIds={detail.links.parents}
        childIds={detail.links.children}
        candidates={candidates}
      />
      {task.result ? (
        <section className="sy-drawer-section" aria-label="Result">
          <h3>Result</h3>
          <MarkdownText text={task.result} plain={plain} />
        </section>
      ) : null}
      <Comments comments={detail.comments} now={now} plain={plain} />
      <EventList events={detail.events} now={now} />
      <WorkerLogPanel slug={slug} taskId={task.id} />
      {detail.diff ? <BranchDiff diff={detail.diff} /> : null}
      <RunHistory runs={detail.runs} now={now} />
      <CommentPanel slug={slug} taskId={task.id} />
    </div>
  );
}
