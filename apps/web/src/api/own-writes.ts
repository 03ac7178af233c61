import type { BoardResponse, TaskDict, TaskEvent } from "@switchyard/contract";
import type { Query, QueryClient } from "@tanstack/react-query";
import { applyOwnTask, type BoardPatch } from "./apply-events.ts";
import { fetchTaskDetail } from "./board.ts";
import type { BoardViewFilter } from "./board-cards.ts";
import type { Api } from "./client.tsx";
import { boardKeys, boardsKeys } from "./keys.ts";
import { mergeTaskDetail } from "./merge-task.ts";

/**
 * The dashboard's own writes and the live stream meet here. A write shows its
 * effect from its own answer and from its event, whichever comes first, and never refetches
 * the whole board while the stream is live: the event patches the board as any other event
 * does, and a write that did not change a card before the server answered (`optimistic`
 * below) folds the answer in, unless an event for the task is on screen already (then the
 * events are the newer truth). With the stream down, a write refetches the board as before
 * (and the stream's catch-up on reconnect would bring the events anyway).
 */

/** What the live stream of one board view has applied, for the writes made meanwhile. */
interface StreamState {
  view: BoardViewFilter;
  live: boolean;
  /** The newest event applied to the cached board. */
  applied: number;
  /** Per task, the newest event applied to it (bounded: forgotten past `TASKS_REMEMBERED`). */
  lastEventFor: Map<string, number>;
}

const TASKS_REMEMBERED = 10_000;
const streams = new WeakMap<QueryClient, Map<string, StreamState>>();

/** Registers the stream of a board view (one per board shown); `close` unregisters it. */
export function trackStream(
  queryClient: QueryClient,
  slug: string,
  view: BoardViewFilter,
  latest: number,
): {
  setLive(live: boolean): void;
  applied(events: readonly TaskEvent[]): void;
  close(): void;
} {
  let boards = streams.get(queryClient);
  if (!boards) {
    boards = new Map();
    streams.set(queryClient, boards);
  }
  const state: StreamState = { view, live: false, applied: latest, lastEventFor: new Map() };
  boards.set(slug, state);
  return {
    setLive(live) {
      state.live = live;
    },
    applied(events) {
      if (state.lastEventFor.size > TASKS_REMEMBERED) state.lastEventFor.clear();
      for (const e of events) {
        state.applied = Math.max(state.applied, e.id);
        state.lastEventFor.set(e.task_id, Math.max(state.lastEventFor.get(e.task_id) ?? 0, e.id));
      }
    },
    close() {
      if (boards.get(slug) === state) boards.delete(slug);
    },
  };
}

/** Everything cached for the board (or what `which` picks of it), and the board list's counts. */
export function invalidateBoard(queryClient: QueryClient, slug: string, which?: (query: Query) => boolean) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: boardKeys.board(slug), ...(which ? { predicate: which } : {}) }),
    queryClient.invalidateQueries({ queryKey: boardsKeys.list }),
  ]);
}

/** Taken when a write starts: where the live stream was (null: no live stream, refetch after). */
export interface WriteMark {
  since: number | null;
}

export function markWrite(queryClient: QueryClient, slug: string): WriteMark {
  const state = streams.get(queryClient)?.get(slug);
  return { since: state?.live ? state.applied : null };
}

/** What a write's own optimistic change of the board could not tell (from `applyOwnChange`). */
export type Unknowns = Pick<BoardPatch, "refetch" | "progress" | "reload">;

export interface SettledWrite {
  /** The tasks the server answered with, and for a new task the parents it was created with. */
  tasks?: ReadonlyArray<{ task: TaskDict; parents?: readonly string[] }>;
  /** Left over from the optimistic change made before the request. */
  unknowns?: Unknowns;
}

/**
 * After a write succeeded: its answer folded into the shown board (see above), the cards it
 * could not describe refetched one by one, and everything else cached for the board (an open
 * drawer, other filters' boards, the switcher's counts) refreshed as before — but not the shown
 * board itself while its stream is live.
 */
export async function settleOwnWrite(
  api: Api,
  queryClient: QueryClient,
  slug: string,
  mark: WriteMark,
  { tasks = [], unknowns }: SettledWrite = {},
): Promise<unknown> {
  const state = streams.get(queryClient)?.get(slug);
  if (!state?.live || mark.since === null) return invalidateBoard(queryClient, slug);
  const { view } = state;
  const key = boardKeys.view(slug, view);
  const refetch = new Set(unknowns?.refetch ?? []);
  const progress = new Map(unknowns?.progress ?? []);
  let reload = unknowns?.reload ?? false;
  for (const { task, parents } of tasks) {
    // An event for the task reached the board since the write began: it is at least as new.
    if ((state.lastEventFor.get(task.id) ?? 0) > mark.since) continue;
    const board = queryClient.getQueryData<BoardResponse>(key);
    if (!board) continue;
    const patch = applyOwnTask(board, view, task, parents);
    queryClient.setQueryData(key, patch.board);
    for (const id of patch.refetch) refetch.add(id);
    for (const [id, delta] of patch.progress) progress.set(id, (progress.get(id) ?? 0) + delta);
    reload ||= patch.reload;
  }
  const shown = JSON.stringify(key);
  const others = (query: Query) => JSON.stringify(query.queryKey) !== shown;
  const work: Promise<unknown>[] = [invalidateBoard(queryClient, slug, others)];
  if (reload) work.push(queryClient.invalidateQueries({ queryKey: key }));
  else
    for (const id of refetch) {
      work.push(
        fetchTaskDetail(api, slug, id).then(
          (detail) =>
            queryClient.setQueryData<BoardResponse>(key, (board) =>
              board ? mergeTaskDetail(board, detail, view, progress.get(id) ?? 0) : board,
            ),
          () => queryClient.invalidateQueries({ queryKey: key }),
        ),
      );
    }
  return Promise.all(work);
}

/**
 * The callbacks of a write that changes nothing before the server answers: marks where the
 * stream was, settles with `settleOwnWrite` (`answer` picks the tasks out of the server's
 * answer), and after a refusal refreshes everything cached for the board, as before.
 */
export function ownWrite<TData, TVariables>(
  api: Api,
  queryClient: QueryClient,
  slug: string,
  answer?: (data: TData, variables: TVariables) => SettledWrite,
) {
  return {
    onMutate: (): { mark: WriteMark } => ({ mark: markWrite(queryClient, slug) }),
    onSuccess: (data: TData, variables: TVariables, context: { mark: WriteMark } | undefined) =>
      settleOwnWrite(api, queryClient, slug, context?.mark ?? { since: null }, answer?.(data, variables)),
    onError: () => invalidateBoard(queryClient, slug),
  };
}
