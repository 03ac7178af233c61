import type { BoardCard, BoardResponse, TaskStatus } from "@switchyard/contract";
import { useMemo } from "react";
import type { NavColumn } from "../../lib/board-nav.ts";
import { type CardFilter, lanesByProfile, matchesFilter } from "../../lib/filter.ts";
import { serverNow } from "../../lib/time.ts";
import { useNow } from "../../lib/use-now.ts";

export interface BoardModel {
  /** Every card on the board, by id. */
  all: ReadonlyMap<string, BoardCard>;
  present: ReadonlySet<string>;
  /** The columns with only the cards that pass the toolbar's filters. */
  columns: Array<{ status: TaskStatus; cards: BoardCard[] }>;
  /** The shown cards' ids per column, for keyboard focus. */
  nav: NavColumn[];
  /** Profiles a selection can be reassigned to: the spawnable ones and the board's assignees. */
  profiles: string[];
  /** The server's clock, advanced by the time elapsed here since it last said what time it was. */
  now: number;
}

/** What the board shows, derived from the cached `/board` and the client-side filters. */
export function useBoardModel(data: BoardResponse, filter: CardFilter, lanes: boolean): BoardModel {
  const clientNow = useNow();
  const fetchedAt = useMemo(() => (data.now ? Date.now() : 0), [data.now]);
  const derived = useMemo(() => {
    const all = new Map(data.columns.flatMap((c) => c.tasks.map((t) => [t.id, t] as const)));
    const columns = data.columns.map((c) => ({
      status: c.name,
      cards: c.tasks.filter((t) => matchesFilter(t, filter)),
    }));
    return {
      all,
      present: new Set(all.keys()),
      columns,
      // Focus follows what is on screen: lanes reorder the running column.
      nav: columns.map((c) => ({
        status: c.status,
        ids: (lanes && c.status === "running" ? lanesByProfile(c.cards).flatMap((l) => l.cards) : c.cards).map(
          (t) => t.id,
        ),
      })),
      profiles: [...new Set([...(data.profiles ?? []).map((p) => p.name), ...data.assignees])].sort(),
    };
  }, [data, filter, lanes]);
  return { ...derived, now: serverNow(data.now, fetchedAt, clientNow) };
}
