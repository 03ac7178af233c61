import { type BoardCard, operatorTargets, type TaskStatus } from "@switchyard/contract";
import { COLUMN_META } from "../../lib/columns.ts";
import { moveRefusal } from "../../lib/moves.ts";
import { Dialog } from "../../ui/dialog.tsx";
import { StatusDot } from "../../ui/status-dot.tsx";

interface MoveMenuProps {
  card: BoardCard;
  onChoose(to: TaskStatus): void;
  onClose(): void;
}

/**
 * "Move to…": the keyboard's way to change a card's column without dragging. It lists the
 * columns a person may move the card to (the contract's transitions; running is the
 * dispatcher's to set); one the card cannot go to yet (ready while it waits on parents) is
 * shown disabled with the reason.
 */
export function MoveMenu({ card, onChoose, onClose }: MoveMenuProps) {
  const targets = operatorTargets(card.status).map((to) => ({ to, refusal: moveRefusal(card, to) }));
  const refusals = targets.flatMap((t) => (t.refusal ? [t.refusal] : []));
  return (
    <Dialog title={`Move ${card.id} to…`} onClose={onClose}>
      <div className="sy-move-menu">
        {targets.map(({ to, refusal }) => (
          <button
            key={to}
            type="button"
            className="sy-button sy-move-target"
            disabled={refusal !== null}
            title={refusal ?? undefined}
            onClick={() => onChoose(to)}
          >
            <StatusDot status={to} /> {COLUMN_META[to].label}
          </button>
        ))}
        {refusals.map((text) => (
          <p key={text} className="sy-muted">
            {text}
          </p>
        ))}
      </div>
    </Dialog>
  );
}
