import type { Comment } from "@switchyard/contract";
import { type KeyboardEvent, useState } from "react";
import { formatAge } from "../../lib/time.ts";
import { MarkdownText } from "../../ui/markdown.tsx";

interface CommentsProps {
  comments: readonly Comment[];
  now: number;
  plain: boolean;
}

/** Comments (N): author, time since posting and the body as markdown. */
export function Comments({ comments, now, plain }: CommentsProps) {
  return (
    <section className="sy-drawer-section" aria-label="Comments">
      <h3>Comments ({comments.length})</h3>
      {comments.length === 0 ? <p className="sy-muted">No comments yet.</p> : null}
      <ul className="sy-comments">
        {comments.map((c) => (
          <li key={c.id}>
            <div className="sy-comment-head">
              <strong>{c.author}</strong> <span className="sy-muted">{formatAge(now - c.created_at)} ago</span>
            </div>
            <div dir="auto">
              <MarkdownText text={c.body} plain={plain} />
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

interface CommentInputProps {
  pending: boolean;
  error: string | null;
  /** Resolves when the comment is stored; the input clears then. */
  onSubmit(body: string): Promise<unknown>;
}

/** The comment input at the foot of the drawer: Enter posts, Shift+Enter adds a line. */
export function CommentInput({ pending, error, onSubmit }: CommentInputProps) {
  const [body, setBody] = useState("");

  function submit() {
    const text = body.trim();
    if (!text || pending) return;
    onSubmit(text).then(
      () => setBody(""),
      () => undefined,
    );
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      submit();
    } else if (event.key === "Escape" && body.trim()) {
      // A draft is not thrown away by Esc: it leaves the box; a second Esc closes the drawer.
      event.preventDefault();
      event.currentTarget.blur();
    }
  }

  return (
    <div className="sy-comment-input">
      <textarea
        className="sy-input"
        aria-label="Add a comment"
        dir="auto"
        rows={2}
        placeholder="Comment (markdown; Enter posts, Shift+Enter for a new line)"
        value={body}
        onChange={(e) => setBody(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <button className="sy-button" type="button" disabled={pending || !body.trim()} onClick={submit}>
        Comment
      </button>
      {error ? (
        <p role="alert" className="sy-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
