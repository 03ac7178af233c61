import {
  type BoardCard,
  type BoardResponse,
  TASK_STATUSES,
  type TaskStatus,
  WAITING_STATUSES,
} from "@switchyard/contract";

/** What the cached board shows: the server-side filters it was fetched with. */
export interface BoardViewFilter {
  tenant?: string;
  includeArchived: boolean;
}

export const NO_CLAIM = { claim_lock: null, claim_expires: null, worker_pid: null, current_run_id: null } as const;

/** Whether a card in this status can wait on parents (the contract's `WAITING_STATUSES`): only such cards carry `waiting_on`. */
export function canWait(status: TaskStatus): boolean {
  return WAITING_STATUSES.some((s) => s === status);
}

export function isStatus(value: string): value is TaskStatus {
  return (TASK_STATUSES as readonly string[]).includes(value);
}

/**
 * The server's card order (reference §11): priority DESC, then created_at, then insertion order
 * (`seq`, the row's rowid), so tasks created in the same second keep their creation order.
 */
export function compareCards(a: BoardCard, b: BoardCard): number {
  return b.priority - a.priority || a.created_at - b.created_at || a.seq - b.seq;
}

export function addSorted(list: readonly string[], value: string | null | undefined): string[] {
  if (!value || list.includes(value)) return [...list];
  return [...list, value].sort();
}

/** The cards back in the board's columns, each column in the server's order; an unknown status lands in todo. */
export function regroup(board: BoardResponse, cards: Iterable<BoardCard>): BoardResponse["columns"] {
  const columns = board.columns.map((column) => ({ name: column.name, tasks: [] as BoardCard[] }));
  const byName = new Map(columns.map((c) => [c.name, c]));
  for (const card of cards) (byName.get(card.status) ?? byName.get("todo"))?.tasks.push(card);
  for (const column of columns) column.tasks.sort(compareCards);
  return columns;
}
