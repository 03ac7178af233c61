import { type BoardCard, operatorTargets, type TaskStatus } from "@switchyard/contract";
import type { KeyboardEvent } from "react";
import { COLUMN_META } from "../../lib/columns.ts";
import { moveRefusal } from "../../lib/moves.ts";
import { Dialog } from "../../ui/dialog.tsx";
import { StatusDot } from "../../ui/status-dot.tsx";

interface MoveMenuProps {
  card: BoardCard;
  onChoose(to: TaskStatus): void;
  onClose(): void;
}

/** ↓/↑ (and Home/End) move between the enabled targets, as in a menu; Tab still works. */
function onArrows(event: KeyboardEvent<HTMLDivElement>) {
  const buttons = [...event.currentTarget.querySelectorAll<HTMLButtonElement>("button:not(:disabled)")];
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  const step: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: buttons.length - 1 };
  const next = step[event.key];
  if (next === undefined || buttons.length === 0) return;
  event.preventDefault();
  buttons[(next + buttons.length) % buttons.length]?.focus();
}

/**
 * "Move to…" (`s` or `m`): the keyboard's way to change a card's column without dragging. It
 * lists the columns a person may move the card to (the contract's transitions; running is the
 * dispatcher's to set); one the card cannot go to yet (ready while it waits on parents) is
 * shown disabled with the reason.
 */
export function MoveMenu({ card, onChoose, onClose }: MoveMenuProps) {
  const targets = operatorTargets(card.status).map((to) => ({ to, refusal: moveRefusal(card, to) }));
  const refusals = targets.flatMap((t) => (t.refusal ? [t.refusal] : []));
  return (
    <Dialog title={`Move ${card.id} to…`} onClose={onClose}>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the arrows only move focus between the buttons inside. */}
      <div className="sy-move-menu" onKeyDown={onArrows}>
        {targets.map(({ to, refusal }) => (
          <button
            key={to}
            type="button"
            className="sy-button sy-move-target"
            disabled={refusal !== null}
            data-autofocus={to === targets.find((t) => t.refusal === null)?.to ? "" : undefined}
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
