import { type BoardCard, LIMITS, type TaskStatus } from "@switchyard/contract";
import { type FormEvent, useState } from "react";
import { useTextLimit } from "../../lib/use-text-limit.ts";
import { Dialog } from "../../ui/dialog.tsx";
import { PickerDialog, type PickerItem } from "../../ui/picker-dialog.tsx";
import { MoveMenu } from "./move-menu.tsx";

/** The dialogs a single key opens for one task (`a`, `p`, `s`/`m`, `e`, `.`/Ctrl+K). */
export type PickerKind = "assign" | "priority" | "move" | "title" | "actions";

/** What the task actions list (`.`) offers, in order, with the key that does the same. */
export const TASK_ACTIONS: ReadonlyArray<{ kind: TaskActionKind; label: string; shortcut: string }> = [
  { kind: "open", label: "Open", shortcut: "Enter" },
  { kind: "assign", label: "Assign…", shortcut: "a" },
  { kind: "priority", label: "Set priority…", shortcut: "p" },
  { kind: "move", label: "Change status…", shortcut: "s" },
  { kind: "title", label: "Edit title…", shortcut: "e" },
  { kind: "select", label: "Select", shortcut: "x" },
  { kind: "archive", label: "Archive", shortcut: "Delete" },
];
/** What a choice in the task actions list does. */
export type TaskActionKind = Exclude<PickerKind, "actions"> | "open" | "select" | "archive";
/** What a task's single key does: one of its actions, or the actions list itself. */
export type TaskKey = TaskActionKind | "actions";

interface TaskPickerProps {
  kind: PickerKind;
  card: BoardCard;
  /** Known assignees: the spawnable profiles and everyone assigned on this board. */
  profiles: readonly string[];
  onClose(): void;
  onAssign(card: BoardCard, assignee: string | null): void;
  onPriority(card: BoardCard, priority: number): void;
  onMove(card: BoardCard, to: TaskStatus): void;
  /** Resolves to null once saved, or to the reason it was refused. */
  onRename(card: BoardCard, title: string): Promise<string | null>;
  onAction(kind: TaskActionKind, card: BoardCard): void;
}

/** The one dialog open for a task, by kind. */
export function TaskPicker(props: TaskPickerProps) {
  const { kind, card, onClose } = props;
  switch (kind) {
    case "assign":
      return <AssignPicker card={card} profiles={props.profiles} onClose={onClose} onAssign={props.onAssign} />;
    case "priority":
      return <PriorityPicker card={card} onClose={onClose} onPriority={props.onPriority} />;
    case "move":
      return (
        <MoveMenu
          card={card}
          onClose={onClose}
          onChoose={(to) => {
            onClose();
            props.onMove(card, to);
          }}
        />
      );
    case "title":
      return <TitleDialog card={card} onClose={onClose} onRename={props.onRename} />;
    case "actions":
      return (
        <PickerDialog
          title={`Actions for ${card.id}`}
          inputLabel="Search actions"
          placeholder={card.title}
          items={(q) =>
            TASK_ACTIONS.filter((a) => a.label.toLowerCase().includes(q.trim().toLowerCase())).map((a) => ({
              key: a.kind,
              label: a.label,
              detail: a.shortcut,
              run: () => props.onAction(a.kind, card),
            }))
          }
          onClose={onClose}
        />
      );
  }
}

function matches(text: string, query: string): boolean {
  return text.toLowerCase().includes(query.trim().toLowerCase());
}

/** `a`: a known assignee, "Unassign", or whatever name is typed. */
function AssignPicker({
  card,
  profiles,
  onClose,
  onAssign,
}: Pick<TaskPickerProps, "card" | "profiles" | "onClose" | "onAssign">) {
  function items(query: string): PickerItem[] {
    const typed = query.trim();
    const known = profiles
      .filter((p) => matches(p, typed))
      .map((p) => ({
        key: `p:${p}`,
        label: p,
        detail: p === card.assignee ? "current" : undefined,
        run: () => onAssign(card, p),
      }));
    const free =
      typed && !profiles.some((p) => p.toLowerCase() === typed.toLowerCase())
        ? [{ key: "typed", label: `Assign to “${typed}”`, run: () => onAssign(card, typed) }]
        : [];
    const none =
      card.assignee && matches("Unassign", typed)
        ? [{ key: "none", label: "Unassign", run: () => onAssign(card, null) }]
        : [];
    return [...known, ...none, ...free];
  }
  return (
    <PickerDialog
      title={`Assign ${card.id}`}
      inputLabel="Assignee"
      placeholder="A profile or any name…"
      items={items}
      onClose={onClose}
    />
  );
}

/** The priorities offered without typing; any whole number can be typed. Higher runs first. */
const PRIORITIES = [5, 4, 3, 2, 1, 0, -1];

/** `p`: a priority from the list, or the number typed. */
function PriorityPicker({ card, onClose, onPriority }: Pick<TaskPickerProps, "card" | "onClose" | "onPriority">) {
  const label = (n: number) => (n === 0 ? "Priority 0 (none)" : `Priority ${n}`);
  function items(query: string): PickerItem[] {
    const typed = query.trim();
    const listed = PRIORITIES.filter((n) => !typed || String(n).includes(typed) || matches(label(n), typed)).map(
      (n) => ({
        key: String(n),
        label: label(n),
        detail: n === card.priority ? "current" : undefined,
        run: () => onPriority(card, n),
      }),
    );
    const n = Number(typed);
    const free =
      /^-?\d+$/.test(typed) && !PRIORITIES.includes(n)
        ? [{ key: "typed", label: `Priority ${n}`, run: () => onPriority(card, n) }]
        : [];
    return [...free, ...listed];
  }
  return (
    <PickerDialog
      title={`Set priority of ${card.id}`}
      inputLabel="Priority"
      placeholder="Higher runs first; type any whole number…"
      items={items}
      onClose={onClose}
    />
  );
}

/**
 * `e`: the title in a field; Enter saves. The dialog stays until the server has taken it, so a
 * title it refuses is still there to fix, with the reason under it; a paste longer than a title
 * may be is cut, and the dialog says so.
 */
function TitleDialog({ card, onClose, onRename }: Pick<TaskPickerProps, "card" | "onClose" | "onRename">) {
  const [title, setTitle] = useState(card.title);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const limit = useTextLimit("title", LIMITS.title);
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (pending) return;
    if (title.trim() === card.title) return onClose();
    setPending(true);
    const refusal = await onRename(card, title.trim());
    setPending(false);
    if (refusal === null) onClose();
    else setError(refusal);
  }
  return (
    <Dialog title={`Edit title of ${card.id}`} onClose={onClose}>
      <form className="sy-form" onSubmit={submit}>
        <label className="sy-field">
          <span>Title</span>
          <input
            className="sy-input"
            value={title}
            dir="auto"
            maxLength={LIMITS.title}
            aria-invalid={error !== null}
            onChange={(e) => {
              setTitle(e.target.value);
              setError(null);
            }}
            onPaste={limit.onPaste}
            onFocus={(e) => e.currentTarget.select()}
          />
        </label>
        {limit.notice ? (
          <p className="sy-limit-notice" role="status">
            {limit.notice}
          </p>
        ) : null}
        {error ? (
          <p className="sy-form-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="sy-form-actions">
          <button type="submit" className="sy-button sy-button-primary" disabled={pending}>
            {pending ? "Saving…" : "Save"}
          </button>
          <button type="button" className="sy-button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
