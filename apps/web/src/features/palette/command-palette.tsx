import { useBoard } from "../../api/board.ts";
import type { BoardViewFilter } from "../../api/board-cards.ts";
import { PickerDialog, type PickerItem } from "../../ui/picker-dialog.tsx";

export interface PaletteAction {
  id: string;
  label: string;
  /** The key that does the same, shown beside it. */
  shortcut?: string;
  run(): void;
}

interface CommandPaletteProps {
  slug: string;
  view: BoardViewFilter;
  actions: readonly PaletteAction[];
  onOpenTask(id: string): void;
  onClose(): void;
}

const MAX_TASKS = 30;

/**
 * Cmd/Ctrl+K: run an action or open a task by typing part of its name, id or assignee. (On a
 * focused card or in the drawer, Cmd/Ctrl+K and `.` open the same list scoped to that task: the
 * board's task actions.)
 */
export function CommandPalette({ slug, view, actions, onOpenTask, onClose }: CommandPaletteProps) {
  const board = useBoard(slug, view);

  function items(query: string): PickerItem[] {
    const q = query.trim().toLowerCase();
    const matchedActions = actions
      .filter((a) => !q || a.label.toLowerCase().includes(q))
      .map((a) => ({ key: `action:${a.id}`, label: a.label, detail: a.shortcut, run: a.run }));
    const tasks = (board.data?.columns ?? [])
      .flatMap((c) => c.tasks)
      .filter((t) => !q || [t.id, t.title, t.assignee ?? ""].some((f) => f.toLowerCase().includes(q)))
      .slice(0, MAX_TASKS)
      .map((t) => ({
        key: `task:${t.id}`,
        label: t.title,
        detail: `${t.id} · ${t.status}`,
        run: () => onOpenTask(t.id),
      }));
    return [...matchedActions, ...tasks];
  }

  return (
    <PickerDialog
      title="Command palette"
      inputLabel="Search actions and tasks"
      listLabel="Actions and tasks"
      placeholder="Type an action or a task…"
      items={items}
      onClose={onClose}
    />
  );
}
