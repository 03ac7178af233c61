import type { PatchTaskBody, TaskDict } from "@switchyard/contract";
import { InlineEdit } from "../../ui/inline-edit.tsx";
import { WarningBadge } from "../../ui/warning-badge.tsx";

interface TaskHeadProps {
  task: TaskDict;
  onPatch(patch: PatchTaskBody): void;
  onClose(): void;
}

/** The drawer's head (id, close), its click-to-edit title and the meta rows. */
export function TaskHead({ task, onPatch, onClose }: TaskHeadProps) {
  const workspace = task.workspace_path ? `${task.workspace_kind}: ${task.workspace_path}` : task.workspace_kind;
  return (
    <header className="sy-drawer-head">
      <div className="sy-drawer-head-row">
        <code className="sy-task-id">{task.id}</code>
        {task.warnings ? <WarningBadge count={task.warnings.count} /> : null}
        <button type="button" className="sy-icon-button" aria-label="Close drawer" onClick={onClose}>
          ×
        </button>
      </div>
      <h2 className="sy-drawer-title">
        <InlineEdit label="Title" value={task.title} onSave={(title) => onPatch({ title })} />
      </h2>
      <dl className="sy-meta">
        <dt>Status</dt>
        <dd>
          <span className={`sy-status sy-status-${task.status}`}>{task.status}</span>
        </dd>
        <dt>Assignee</dt>
        <dd>
          <InlineEdit
            label="Assignee"
            editLabel={`Edit assignee (${task.assignee ?? "unassigned"})`}
            value={task.assignee ?? ""}
            placeholder="unassigned"
            display={task.assignee ? `@${task.assignee}` : "unassigned"}
            onSave={(next) => onPatch({ assignee: next.trim() || null })}
          />
        </dd>
        <dt>Priority</dt>
        <dd>
          <InlineEdit
            label="Priority"
            editLabel={`Edit priority (${task.priority})`}
            type="number"
            value={String(task.priority)}
            onSave={(next) => {
              // The server validates (an integer); its refusal shows in the drawer's error line.
              if (next.trim() !== "") onPatch({ priority: Number(next) });
            }}
          />
        </dd>
        <dt>Tenant</dt>
        <dd>{task.tenant ?? "—"}</dd>
        <dt>Workspace</dt>
        <dd>
          <code>{workspace}</code>
        </dd>
        <dt>Skills</dt>
        <dd>{task.skills?.length ? task.skills.join(", ") : "—"}</dd>
        <dt>Created by</dt>
        <dd>{task.created_by ?? "—"}</dd>
      </dl>
    </header>
  );
}
