import {
  type BoardCard,
  type CreateTaskBody,
  LIMITS,
  type TaskStatus,
  WORKSPACE_KINDS,
  type WorkspaceKind,
} from "@switchyard/contract";
import { type FormEvent, type KeyboardEvent, useId, useState } from "react";
import { COLUMN_META } from "../../lib/columns.ts";
import { splitList } from "../../lib/slug.ts";
import { useTextLimit } from "../../lib/use-text-limit.ts";

interface InlineCreateProps {
  status: TaskStatus;
  /** Every task on the board, for the optional parent. */
  tasks: readonly BoardCard[];
  pending: boolean;
  error: string | null;
  onSubmit(body: CreateTaskBody): void;
  onCancel(): void;
}

/**
 * The form a column's "+" opens (reference §12): title (Enter submits, Esc cancels), assignee,
 * priority, skills, workspace and one optional parent. Only the Triage column creates in triage;
 * elsewhere the kernel decides between ready and todo.
 */
export function InlineCreate({ status, tasks, pending, error, onSubmit, onCancel }: InlineCreateProps) {
  const id = useId();
  const triage = status === "triage";
  const [title, setTitle] = useState("");
  const [assignee, setAssignee] = useState("");
  const [priority, setPriority] = useState("0");
  const [skills, setSkills] = useState("");
  const [kind, setKind] = useState<WorkspaceKind>("scratch");
  const [path, setPath] = useState("");
  const [parent, setParent] = useState("");
  const titleLimit = useTextLimit("title", LIMITS.title);

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!title.trim() || pending) return;
    const list = splitList(skills);
    onSubmit({
      title: title.trim(),
      ...(assignee.trim() ? { assignee: assignee.trim() } : {}),
      priority: Number.parseInt(priority, 10) || 0,
      workspace_kind: kind,
      ...(kind !== "scratch" && path.trim() ? { workspace_path: path.trim() } : {}),
      parents: parent ? [parent] : [],
      triage,
      ...(list.length > 0 ? { skills: list } : {}),
    });
  }

  function onKeyDown(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
    }
  }

  return (
    <form
      className="sy-create"
      aria-label={`New task in ${COLUMN_META[status].label}`}
      onSubmit={submit}
      onKeyDown={onKeyDown}
    >
      <input
        className="sy-input"
        aria-label="Title"
        aria-describedby={id}
        placeholder={triage ? "Rough idea — AI will spec it…" : "Task title"}
        value={title}
        dir="auto"
        onChange={(e) => setTitle(e.target.value)}
        // biome-ignore lint/a11y/noAutofocus: the form opens on request ("+" or `c`) to be typed into at once.
        autoFocus
        maxLength={LIMITS.title}
        onPaste={titleLimit.onPaste}
      />
      {titleLimit.notice ? (
        <p className="sy-limit-notice" role="status">
          {titleLimit.notice}
        </p>
      ) : null}
      <div className="sy-create-row">
        <input
          className="sy-input"
          aria-label="Assignee"
          placeholder={triage ? "specifier" : "assignee"}
          value={assignee}
          onChange={(e) => setAssignee(e.target.value)}
        />
        <input
          className="sy-input sy-input-narrow"
          aria-label="Priority"
          type="number"
          value={priority}
          onChange={(e) => setPriority(e.target.value)}
        />
      </div>
      <input
        className="sy-input"
        aria-label="Skills"
        placeholder="skills, comma-separated"
        value={skills}
        onChange={(e) => setSkills(e.target.value)}
      />
      <div className="sy-create-row">
        <select
          className="sy-input"
          aria-label="Workspace kind"
          value={kind}
          onChange={(e) => setKind(e.target.value as WorkspaceKind)}
        >
          {WORKSPACE_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        {kind !== "scratch" ? (
          <input
            className="sy-input"
            aria-label="Workspace path"
            placeholder="/absolute/path"
            value={path}
            onChange={(e) => setPath(e.target.value)}
          />
        ) : null}
      </div>
      <select className="sy-input" aria-label="Parent" value={parent} onChange={(e) => setParent(e.target.value)}>
        <option value="">— no parent —</option>
        {tasks.map((t) => (
          <option key={t.id} value={t.id}>
            {t.id} · {t.title.slice(0, 60)}
          </option>
        ))}
      </select>
      {error ? (
        <p className="sy-form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="sy-create-row">
        <button type="submit" className="sy-button sy-button-primary" disabled={pending || !title.trim()}>
          {pending ? "Creating…" : "Create"}
        </button>
        <button type="button" className="sy-button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <span id={id} hidden>
        Enter creates the task, Escape cancels.
      </span>
    </form>
  );
}
