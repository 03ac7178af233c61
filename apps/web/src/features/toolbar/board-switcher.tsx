import { useState } from "react";
import { useBoards } from "../../api/board.ts";
import { useArchiveBoard } from "../../api/board-mutations.ts";
import { errorMessage } from "../../api/errors.ts";
import { useNotice } from "../../lib/notices.tsx";
import { ConfirmDialog } from "../../ui/confirm-dialog.tsx";

interface BoardSwitcherProps {
  slug: string;
  onSelect(slug: string): void;
  onNewBoard(): void;
}

/**
 * The board switcher (reference §12): with only an empty default board, just "+ New board";
 * otherwise a select of boards (name · total), the task count, "+ New board" and "Archive".
 */
export function BoardSwitcher({ slug, onSelect, onNewBoard }: BoardSwitcherProps) {
  const boards = useBoards();
  const archive = useArchiveBoard();
  const notice = useNotice();
  const [confirming, setConfirming] = useState(false);
  const list = boards.data?.boards ?? [];
  const current = list.find((b) => b.slug === slug);
  const lonely = list.length <= 1 && list.every((b) => b.slug === "default" && b.total === 0);

  return (
    <nav className="sy-switcher" aria-label="Boards">
      {lonely ? null : (
        <>
          <select className="sy-input" aria-label="Board" value={slug} onChange={(e) => onSelect(e.target.value)}>
            {current ? null : <option value={slug}>{slug}</option>}
            {list.map((b) => (
              <option key={b.slug} value={b.slug}>
                {b.icon ? `${b.icon} ` : ""}
                {b.name} · {b.total}
              </option>
            ))}
          </select>
          <span className="sy-muted">{current?.total ?? 0} tasks</span>
        </>
      )}
      <button type="button" className="sy-button" onClick={onNewBoard}>
        + New board
      </button>
      {slug !== "default" && !lonely ? (
        <button type="button" className="sy-button sy-button-quiet" onClick={() => setConfirming(true)}>
          Archive
        </button>
      ) : null}
      {confirming ? (
        <ConfirmDialog
          title={`Archive board ${current?.name ?? slug}?`}
          confirmLabel="Archive board"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            archive.mutate(slug, {
              onSuccess: () => onSelect("default"),
              onError: (error) => notice.show(`Archive failed: ${errorMessage(error)}`),
            });
          }}
        >
          <p>Its tasks stay in its file; the board leaves the list.</p>
        </ConfirmDialog>
      ) : null}
    </nav>
  );
}
