import { Dialog } from "../../ui/dialog.tsx";

/**
 * Every key the dashboard answers to (SPEC §7). The task keys act on the focused card, or on the
 * task whose drawer is open.
 */
export const SHORTCUTS: ReadonlyArray<readonly [string, string]> = [
  ["c", "Create a task (with “Create more” to keep the dialog open)"],
  ["/", "Search"],
  ["j / ↓", "Next card in the column; in the drawer, the next task of its column"],
  ["k / ↑", "Previous card in the column; in the drawer, the previous task of its column"],
  ["← / →", "Card in the column to the left / right"],
  ["Enter", "Open the focused card"],
  ["a", "Assign the task (a profile, or any name)"],
  ["p", "Set the task's priority"],
  ["s / m", "Change the task's status (the columns it may move to)"],
  ["e", "Edit the task's title"],
  [". / Ctrl/⌘ K", "Actions for the task, on a focused card or in the drawer"],
  ["Delete / #", "Archive the task (undo for 10 s)"],
  ["Ctrl/⌘ Z", "Undo the last move, assignment or archive (within 10 s)"],
  ["x", "Select the focused card"],
  ["Shift J / K, Shift ↓ / ↑", "Extend the selection down / up"],
  ["Shift click", "Select the cards between the last one and this one"],
  ["Ctrl/⌘ A", "Select every card of the focused card's column"],
  ["Space", "Pick up the focused card; ← → choose a column; Space drops it"],
  ["Esc", "Close the drawer or dialog; clear the selection"],
  ["f", "Fleet page (again: back to the board)"],
  ["?", "This help"],
  ["Ctrl/⌘ K", "Command palette: actions and tasks"],
];

export function ShortcutHelp({ onClose }: { onClose(): void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <dl className="sy-shortcuts">
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys} className="sy-shortcut">
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <div className="sy-form-actions">
        <button type="button" className="sy-button" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
