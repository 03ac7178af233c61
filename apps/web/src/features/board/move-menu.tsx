import type { BoardCard, TaskStatus } from "@switchyard/contract";
import { COLUMN_META } from "../../lib/columns.ts";
import { Dialog } from "../../ui/dialog.tsx";
import { StatusDot } from "../../ui/status-dot.tsx";

/** Where the keyboard's "move" (m) offers to send a card; running is the dispatcher's to set. */
const TARGETS: readonly TaskStatus[] = ["triage", "todo", "ready", "blocked", "done", "archived"];

interface MoveMenuProps {
  card: BoardCard;
  onChoose(to: TaskStatus): void;
  onClose(): void;
}

/** "Move to…": the keyboard's way to change a card's column without dragging. */
export function MoveMenu({ card, onChoose, onClose }: MoveMenuProps) {
  return (
    <Dialog title={`Move ${card.id} to…`} onClose={onClose}>
      <div className="sy-move-menu">
        {TARGETS.filter((t) => t !== card.status).map((to) => (
          <button key={to} type="button" className="sy-button sy-move-target" onClick={() => onChoose(to)}>
            <StatusDot status={to} /> {COLUMN_META[to].label}
          </button>
        ))}
      </div>
    </Dialog>
  );
}
