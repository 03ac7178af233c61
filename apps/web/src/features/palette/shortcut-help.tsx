import { Dialog } from "../../ui/dialog.tsx";

/** Every key the dashboard answers to (SPEC §7). */
export const SHORTCUTS: ReadonlyArray<readonly [string, string]> = [
  ["c", "Create a task"],
  ["/", "Search"],
  ["j / ↓", "Next card in the column"],
  ["k / ↑", "Previous card in the column"],
  ["← / →", "Card in the column to the left / right"],
  ["Enter", "Open the focused card"],
  ["x", "Select the focused card"],
  ["m", "Move the focused card to another column"],
  ["Space", "Pick up the focused card; ← → choose a column; Space drops it"],
  ["Esc", "Close the drawer or dialog; clear the selection"],
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
