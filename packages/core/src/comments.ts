import type { Comment } from "@switchyard/contract";
import { CoreError } from "./errors.ts";
import { appendEvent } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { type CommentRow, toComment } from "./rows.ts";
import { requireTask } from "./tasks.ts";

/** Inserts a comment and its `commented` event; the caller holds the write and has checked the task. */
export async function insertComment(k: Kernel, taskId: string, author: string, body: string): Promise<Comment> {
  const row = await k.db.get<CommentRow>(
    "INSERT INTO task_comments (task_id, author, body, created_at) VALUES (?, ?, ?, ?) RETURNING *",
    [taskId, author, body, k.clock.now()],
  );
  await appendEvent(k, taskId, "commented", { author, len: body.length });
  if (!row) throw new CoreError("internal", `the comment on ${taskId} could not be read back`);
  return toComment(row);
}

/** Adds a comment; author and body are trimmed and must not be empty. */
export async function addComment(k: Kernel, taskId: string, author: string, body: string): Promise<Comment> {
  const a = author.trim();
  const b = body.trim();
  if (!b) throw new CoreError("invalid_input", "body is required");
  if (!a) throw new CoreError("invalid_input", "author is required");
  return k.write(async (k) => {
    await requireTask(k, taskId);
    return insertComment(k, taskId, a, b);
  });
}

/** A task's comments, oldest first. */
export async function listComments(k: Kernel, taskId: string): Promise<Comment[]> {
  return (
    await k.db.all<CommentRow>("SELECT * FROM task_comments WHERE task_id = ? ORDER BY created_at, id", [taskId])
  ).map(toComment);
}
