import { type BoardCard, LIMITS } from "@switchyard/contract";
import { type FormEvent, type KeyboardEvent, useId, useRef, useState } from "react";
import { useCreateTask } from "../../api/board-mutations.ts";
import { errorMessage } from "../../api/errors.ts";
import { useNotice } from "../../lib/notices.tsx";
import { useTextLimit } from "../../lib/use-text-limit.ts";
import { Dialog } from "../../ui/dialog.tsx";

interface CreateTaskDialogProps {
  slug: string;
  /** Every task on the board, for the parents. */
  tasks: readonly BoardCard[];
  /** Known assignees, suggested as you type. */
  profiles: readonly string[];
  /** Start with "Start in Triage" ticked (`c` pressed on a Triage card). */
  triage: boolean;
  onClose(): void;
}

/**
 * `c`: a new task in a dialog: title (Enter creates), description, assignee, priority, parents,
 * and whether it starts in Triage; the kernel puts it in ready, or todo while a parent is
 * unfinished. With "Create more" ticked the dialog stays open, emptied of title and description
 * and keeping the rest, for the next one. A refusal shows under the form and keeps what was typed.
 */
export function CreateTaskDialog({ slug, tasks, profiles, triage: startTriage, onClose }: CreateTaskDialogProps) {
  const create = useCreateTask(slug);
  const notice = useNotice();
  const listId = useId();
  const titleRef = useRef<HTMLInputElement>(null);
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [assignee, setAssignee] = useState("");
  const [priority, setPriority] = useState("0");
  const [parents, setParents] = useState<string[]>([]);
  const [triage, setTriage] = useState(startTriage);
  const [more, setMore] = useState(false);
  const titleLimit = useTextLimit("title", LIMITS.title);

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!title.trim() || create.isPending) return;
    create.mutate(
      {
        title: title.trim(),
        ...(body.trim() ? { body } : {}),
        ...(assignee.trim() ? { assignee: assignee.trim() } : {}),
        priority: Number.parseInt(priority, 10) || 0,
        workspace_kind: "scratch",
        parents,
        triage,
      },
      {
        onSuccess: (result) => {
          const id = result.task.id;
          notice.show(result.warning ? `Created ${id}, but: ${result.warning}` : `Created ${id}.`, {
            tone: "info",
            key: `task:${id}`,
          });
          if (!more) return onClose();
          setTitle("");
          setBody("");
          titleLimit.clear();
          titleRef.current?.focus();
        },
      },
    );
  }

  // Ctrl/Cmd+Enter creates from any field, the description included.
  function onKeyDown(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key === "Enter" && (event.metaKey || event.ctrlKey)) submit(event);
  }

  return (
    <Dialog title="New task" onClose={onClose}>
      <form className="sy-form" aria-label="New task" onSubmit={submit} onKeyDown={onKeyDown}>
        <label className="sy-field">
          <span>Title</span>
          <input
            ref={titleRef}
            className="sy-input"
            value={title}
            dir="auto"
            maxLength={LIMITS.title}
            placeholder={triage ? "Rough idea — AI will spec it…" : "Task title"}
            onChange={(e) => setTitle(e.target.value)}
            onPaste={titleLimit.onPaste}
          />
        </label>
        {titleLimit.notice ? (
          <p className="sy-limit-notice" role="status">
            {titleLimit.notice}
          </p>
        ) : null}
        <label className="sy-field">
          <span>Description</span>
          <textarea className="sy-input" rows={3} dir="auto" value={body} onChange={(e) => setBody(e.target.value)} />
        </label>
        <div className="sy-create-row">
          <label className="sy-field">
            <span>Assignee</span>
            <input
              className="sy-input"
              list={listId}
              value={assignee}
              placeholder="unassigned"
              onChange={(e) => setAssignee(e.target.value)}
            />
            <datalist id={listId}>
              {profiles.map((p) => (
                <option key={p} value={p} />
              ))}
            </datalist>
          </label>
          <label className="sy-field">
            <span>Priority</span>
            <input
              className="sy-input sy-input-narrow"
              type="number"
              value={priority}
              onChange={(e) => setPriority(e.target.value)}
            />
          </label>
        </div>
        <label className="sy-field">
          <span>Parents</span>
          <select
            className="sy-input"
            multiple
            size={Math.min(4, Math.max(2, tasks.length))}
            value={parents}
            onChange={(e) => setParents([...e.target.selectedOptions].map((o) => o.value))}
          >
            {tasks.map((t) => (
              <option key={t.id} value={t.id}>
                {t.id} · {t.title.slice(0, 60)}
              </option>
            ))}
          </select>
        </label>
        <label className="sy-check">
          <input type="checkbox" checked={triage} onChange={(e) => setTriage(e.target.checked)} /> Start in Triage
        </label>
        {create.error ? (
          <p className="sy-form-error" role="alert">
            {errorMessage(create.error, "creating the task")}
          </p>
        ) : null}
        <div className="sy-form-actions">
          <button type="submit" className="sy-button sy-button-primary" disabled={create.isPending || !title.trim()}>
            {create.isPending ? "Creating…" : "Create"}
          </button>
          <button type="button" className="sy-button" onClick={onClose}>
            Cancel
          </button>
          <label className="sy-check">
            <input type="checkbox" checked={more} onChange={(e) => setMore(e.target.checked)} /> Create more
          </label>
        </div>
      </form>
    </Dialog>
  );
}
