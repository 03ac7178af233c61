import { useBoards } from "../api/board.ts";
import type { BoardViewFilter } from "../api/board-cards.ts";
import { CommandPalette, type PaletteAction } from "../features/palette/command-palette.tsx";
import { ShortcutHelp } from "../features/palette/shortcut-help.tsx";
import { NewBoardDialog } from "../features/toolbar/new-board-dialog.tsx";
import type { ToolbarState } from "../features/toolbar/toolbar.tsx";
import type { Command } from "../lib/commands.tsx";
import type { UrlState } from "../lib/url-state.ts";

export type OverlayName = "palette" | "help" | "new-board";

interface OverlaysProps {
  open: OverlayName | null;
  onClose(): void;
  slug: string;
  view: BoardViewFilter;
  url: UrlState;
  state: ToolbarState;
  update(patch: Partial<ToolbarState>): void;
  actions: { refresh(): void; nudge(): void; toggleTheme(): void; showHelp(): void; newBoard(): void };
  run(command: Command): boolean;
}

/** The page's dialogs: new board, command palette, shortcut help. */
export function Overlays({ open, onClose, slug, view, url, state, update, actions, run }: OverlaysProps) {
  const boards = useBoards();
  if (open === "new-board") return <NewBoardDialog onClose={onClose} onSwitch={(s) => url.selectBoard(s)} />;
  if (open === "help") return <ShortcutHelp onClose={onClose} />;
  if (open !== "palette") return null;

  const paletteActions: PaletteAction[] = [
    { id: "create", label: "Create task", shortcut: "c", run: () => run("create-task") },
    { id: "search", label: "Search tasks", shortcut: "/", run: () => run("focus-search") },
    { id: "undo", label: "Undo the last change", shortcut: "Ctrl/⌘ Z", run: () => run("undo") },
    url.page === "fleet"
      ? { id: "page", label: "Show the board", shortcut: "f", run: () => url.showPage("board") }
      : { id: "page", label: "Show the fleet", shortcut: "f", run: () => url.showPage("fleet") },
    { id: "refresh", label: "Refresh board", run: actions.refresh },
    { id: "nudge", label: "Nudge dispatcher", run: actions.nudge },
    {
      id: "lanes",
      label: state.lanes ? "Turn lanes by profile off" : "Turn lanes by profile on",
      run: () => update({ lanes: !state.lanes }),
    },
    {
      id: "archived",
      label: state.includeArchived ? "Hide archived tasks" : "Show archived tasks",
      run: () => update({ includeArchived: !state.includeArchived }),
    },
    { id: "theme", label: "Switch theme", run: actions.toggleTheme },
    { id: "new-board", label: "New board", run: actions.newBoard },
    { id: "help", label: "Keyboard shortcuts", shortcut: "?", run: actions.showHelp },
    ...(boards.data?.boards ?? [])
      .filter((b) => b.slug !== slug)
      .map((b) => ({ id: `board:${b.slug}`, label: `Switch to board ${b.name}`, run: () => url.selectBoard(b.slug) })),
  ];
  return (
    <CommandPalette slug={slug} view={view} actions={paletteActions} onOpenTask={url.openTask} onClose={onClose} />
  );
}
