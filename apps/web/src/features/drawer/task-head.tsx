import { LIMITS, MODEL_NAME_MAX, type PatchTaskBody, type TaskDict } from "@switchyard/contract";
import { formatAge } from "../../lib/time.ts";
import { InlineEdit } from "../../ui/inline-edit.tsx";
import { WarningBadge } from "../../ui/warning-badge.tsx";

interface TaskHeadProps {
  task: TaskDict;
  /** Unix seconds, for the rate-limit backoff's countdown. */
  now: number;
  onPatch(patch: PatchTaskBody): void;
  onClose(): void;
}

/** The drawer's head (id, close), its click-to-edit title and the meta rows. */
export function TaskHead({ task, now, onPatch, onClose }: TaskHeadProps) {
  const workspace = task.workspace_path ? `${task.workspace_kind}: ${task.workspace_path}` : task.workspace_kind;
  return (
    // A section like the drawer's others, not a <header>: inside the dialog a header is a second banner landmark.
    <section className="sy-drawer-head" aria-label="Task summary">
      <div className="sy-drawer-head-row">
        <code className="sy-task-id">{task.id}</code>
        {task.warnings ? <WarningBadge warnings={task.warnings} /> : null}
        <button type="button" className="sy-icon-button" aria-label="Close drawer" onClick={onClose}>
          ×
        </button>
      </div>
      <h2 className="sy-drawer-title">
        <InlineEdit label="Title" value={task.title} maxLength={LIMITS.title} onSave={(title) => onPatch({ title })} />
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
            editLabel="Edit assignee"
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
            editLabel="Edit priority"
            type="number"
            value={String(task.priority)}
            onSave={(next) => {
              // The server validates (an integer); its refusal shows in the drawer's error line.
              if (next.trim() !== "") onPatch({ priority: Number(next) });
            }}
          />
        </dd>
        <dt>Max retries</dt>
        <dd>
          <InlineEdit
            label="Max retries"
            editLabel="Edit max retries"
            type="number"
            value={task.max_retries === null ? "" : String(task.max_retries)}
            placeholder="board default"
            display={task.max_retries === null ? "board default" : `gives up after ${task.max_retries} failure(s)`}
            onSave={(next) => {
              // Empty goes back to dispatch.failure_limit; the server validates the number.
              onPatch({ max_retries: next.trim() === "" ? null : Number(next) });
            }}
          />
        </dd>
        <dt>Model</dt>
        <dd>
          <InlineEdit
            label="Model"
            editLabel="Edit model"
            value={task.model_override ?? ""}
            placeholder="profile's model"
            maxLength={MODEL_NAME_MAX}
            display={task.model_override ? <code>{task.model_override}</code> : "profile's model"}
            onSave={(next) => {
              // Empty goes back to the profile's `model`; the server validates the name (one word).
              onPatch({ model_override: next.trim() === "" ? null : next.trim() });
            }}
          />
        </dd>
        {task.retry_after !== null && task.retry_after > now ? (
          <>
            <dt>Backoff</dt>
            <dd>rate-limited; claimable again in {formatAge(task.retry_after - now)}</dd>
          </>
        ) : null}
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
    </section>
  );
}
