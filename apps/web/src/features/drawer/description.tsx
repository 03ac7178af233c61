import { useState } from "react";
import { MarkdownText } from "../../ui/markdown.tsx";

interface DescriptionProps {
  body: string | null;
  plain: boolean;
  onSave(body: string | null): void;
}

/** The task's description as markdown, with edit / Save / Cancel. */
export function Description({ body, plain, onSave }: DescriptionProps) {
  const [draft, setDraft] = useState<string | null>(null);
  return (
    <section className="sy-drawer-section" aria-label="Description">
      <div className="sy-section-head">
        <h3>Description</h3>
        {draft === null ? (
          <button type="button" className="sy-link-button" onClick={() => setDraft(body ?? "")}>
            Edit description
          </button>
        ) : null}
      </div>
      {draft === null ? (
        body ? (
          <div dir="auto">
            <MarkdownText text={body} plain={plain} />
          </div>
        ) : (
          <p className="sy-muted">No description.</p>
        )
      ) : (
        <div className="sy-edit-box">
          <textarea
            className="sy-input"
            aria-label="Description"
            dir="auto"
            rows={8}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
          />
          <div className="sy-button-row">
            <button
              className="sy-button"
              type="button"
              onClick={() => {
                onSave(draft.trim() ? draft : null);
                setDraft(null);
              }}
            >
              Save
            </button>
            <button className="sy-button" type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
