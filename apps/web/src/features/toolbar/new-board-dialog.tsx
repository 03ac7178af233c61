import { type FormEvent, useState } from "react";
import { useCreateBoard } from "../../api/board-mutations.ts";
import { errorMessage } from "../../api/errors.ts";
import { titleCaseSlug, toSlugInput } from "../../lib/slug.ts";
import { Dialog } from "../../ui/dialog.tsx";

interface NewBoardDialogProps {
  onClose(): void;
  /** Called with the new board's slug when "Switch to this board" is checked. */
  onSwitch(slug: string): void;
}

/** The new-board dialog (reference §12): slug, name, description, icon, switch. */
export function NewBoardDialog({ onClose, onSwitch }: NewBoardDialogProps) {
  const create = useCreateBoard();
  const [slug, setSlug] = useState("");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [icon, setIcon] = useState("");
  const [switchTo, setSwitchTo] = useState(true);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!slug || create.isPending) return;
    create.mutate(
      {
        slug,
        name: name.trim() || titleCaseSlug(slug),
        description: description.trim(),
        icon: icon.trim(),
        switch: false,
      },
      {
        onSuccess: (result) => {
          onClose();
          if (switchTo) onSwitch(result.board.slug);
        },
      },
    );
  }

  return (
    <Dialog title="New board" onClose={onClose}>
      <form className="sy-form" onSubmit={submit}>
        <label className="sy-field">
          <span>Slug</span>
          <input
            className="sy-input"
            value={slug}
            required
            placeholder="my-project"
            onChange={(e) => setSlug(toSlugInput(e.target.value))}
          />
        </label>
        <label className="sy-field">
          <span>Display name</span>
          <input
            className="sy-input"
            value={name}
            placeholder={slug ? titleCaseSlug(slug) : "My Project"}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label className="sy-field">
          <span>Description</span>
          <input className="sy-input" value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <label className="sy-field">
          <span>Icon</span>
          <input className="sy-input" value={icon} maxLength={4} onChange={(e) => setIcon(e.target.value)} />
        </label>
        <label className="sy-check">
          <input type="checkbox" checked={switchTo} onChange={(e) => setSwitchTo(e.target.checked)} />
          Switch to this board
        </label>
        {create.error ? (
          <p className="sy-form-error" role="alert">
            {errorMessage(create.error)}
          </p>
        ) : null}
        <div className="sy-form-actions">
          <button type="submit" className="sy-button sy-button-primary" disabled={!slug || create.isPending}>
            Create board
          </button>
          <button type="button" className="sy-button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
