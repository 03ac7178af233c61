import type { Comment } from "@switchyard/contract";
import { CoreError } from "./errors.ts";
import { appendEvent } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { type CommentRow, toComment } from "./rows.ts";
import { requireTask } from "./tasks.ts";

/** Adds a comment; author and body are trimmed and must not be empty. */
export function addComment(k: Kernel, taskId: string, author: string, body: string): Comment {
  const a = author.trim();
  const b = body.trim();
  if (!b) throw new CoreError("invalid_input", "body is required");
  if (!a) throw new CoreError("invalid_input", "author is required");
  return k.write(() => {
    requireTask(k, taskId);
    const id = Number(
      k
        .stmt("INSERT INTO task_comments (task_id, author, body, created_at) VALUES (?, ?, ?, ?)")
        .run(taskId, a, b, k.clock.now()).lastInsertRowid,
    );
    appendEvent(k, taskId, "commented", { author: a, len: b.length });
    return toComment(k.stmt("SELECT * FROM task_comments WHERE id = ?").get(id) as CommentRow);
  });
}

/** A task's comments, oldest first. */
export function listComments(k: Kernel, taskId: string): Comment[] {
  return (
    k.stmt("SELECT * FROM task_comments WHERE task_id = ? ORDER BY created_at, id").all(taskId) as CommentRow[]
  ).map(toComment);
}
