import { type KeyboardEvent, useId, useMemo, useState } from "react";
import { useBoard } from "../../api/board.ts";
import type { BoardViewFilter } from "../../api/board-cards.ts";
import { Dialog } from "../../ui/dialog.tsx";

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

interface Item {
  key: string;
  label: string;
  detail?: string;
  run(): void;
}

const MAX_TASKS = 30;

/** Cmd/Ctrl+K: run an action or open a task by typing part of its name, id or assignee. */
export function CommandPalette({ slug, view, actions, onOpenTask, onClose }: CommandPaletteProps) {
  const board = useBoard(slug, view);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const listId = useId();

  const items = useMemo<Item[]>(() => {
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
  }, [query, actions, board.data, onOpenTask]);

  const current = Math.min(active, Math.max(items.length - 1, 0));

  function choose(item: Item | undefined) {
    if (!item) return;
    onClose();
    item.run();
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      setActive((current + 1) % Math.max(items.length, 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive((current - 1 + items.length) % Math.max(items.length, 1));
    } else if (event.key === "Enter") {
      event.preventDefault();
      choose(items[current]);
    }
  }

  return (
    <Dialog title="Command palette" onClose={onClose} className="sy-palette">
      <input
        className="sy-input"
        role="combobox"
        aria-label="Search actions and tasks"
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={items[current] ? `${listId}-${current}` : undefined}
        placeholder="Type an action or a task…"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
      />
      <div id={listId} role="listbox" aria-label="Actions and tasks" className="sy-palette-list">
        {items.length === 0 ? <p className="sy-muted">Nothing matches.</p> : null}
        {items.map((item, i) => (
          <div
            key={item.key}
            id={`${listId}-${i}`}
            role="option"
            tabIndex={-1}
            aria-selected={i === current}
            className={`sy-palette-item${i === current ? " sy-palette-item-active" : ""}`}
            onMouseEnter={() => setActive(i)}
            onClick={() => choose(item)}
            onKeyDown={(e) => {
              if (e.key === "Enter") choose(item);
            }}
          >
            <span>{item.label}</span>
            {item.detail ? <span className="sy-muted">{item.detail}</span> : null}
          </div>
        ))}
      </div>
    </Dialog>
  );
}
