import type { BoardResponse, CreateTaskBody } from "@switchyard/contract";

/** The profile the first-run panel suggests, and the sample task is assigned to. */
export const SAMPLE_PROFILE = "coder";

/** A small task to try the profile with. */
export const SAMPLE_TASK: CreateTaskBody = {
  title: "Sample: write hello.txt",
  body:
    "A first task to try a worker with. Write a file `hello.txt` containing `hello` in your " +
    "workspace, then complete this task with a one-line summary.",
  assignee: SAMPLE_PROFILE,
  priority: 0,
  workspace_kind: "scratch",
  parents: [],
  triage: false,
};

/** At most this many tasks, and the board still counts as just started. */
const NEARLY_EMPTY = 3;

/**
 * Whether to show the first-run panel: the home has no spawnable profile at all (so nothing on
 * any board starts by itself) and this board is empty or nearly so. Not when the server does not
 * say which profiles exist.
 */
export function showFirstRun(board: Pick<BoardResponse, "profiles" | "columns">): boolean {
  if (!board.profiles || board.profiles.length > 0) return false;
  const tasks = board.columns.reduce((n, c) => n + (c.name === "archived" ? 0 : c.tasks.length), 0);
  return tasks <= NEARLY_EMPTY;
}
