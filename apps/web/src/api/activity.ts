import type { TaskEvent } from "@switchyard/contract";
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useSyncExternalStore } from "react";

/** The most events the activity feed keeps per board; older ones fall off the end. */
export const ACTIVITY_LIMIT = 200;
/** How many of a board's latest events the stream replays when it first opens, for the feed to start with. */
export const ACTIVITY_BACKLOG = 50;

/**
 * A board's recent events, newest first, as the live stream delivered them (the stream's
 * opening replay included). Heartbeats are left out: a busy fleet sends one a minute per worker
 * and they say nobody did anything.
 */
export interface ActivityLog {
  /** Newest first, at most `ACTIVITY_LIMIT`, each event once. */
  readonly events: readonly TaskEvent[];
  /** The id of the newest event seen (heartbeats included), 0 before any. */
  readonly newest: number;
  add(events: readonly TaskEvent[]): void;
  subscribe(listener: () => void): () => void;
}

function createActivityLog(): ActivityLog {
  let events: readonly TaskEvent[] = [];
  let newest = 0;
  const listeners = new Set<() => void>();
  return {
    get events() {
      return events;
    },
    get newest() {
      return newest;
    },
    add(incoming) {
      const fresh = incoming.filter((e) => e.kind !== "heartbeat" && !events.some((known) => known.id === e.id));
      newest = Math.max(newest, ...incoming.map((e) => e.id));
      if (fresh.length === 0) return;
      events = [...fresh, ...events].sort((a, b) => b.id - a.id).slice(0, ACTIVITY_LIMIT);
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The logs live as long as the query cache they sit beside (a test's client, or the page's). */
const logs = new WeakMap<QueryClient, Map<string, ActivityLog>>();

/** The activity log of one board (made empty on first use). */
export function activityLog(queryClient: QueryClient, slug: string): ActivityLog {
  let boards = logs.get(queryClient);
  if (!boards) {
    boards = new Map();
    logs.set(queryClient, boards);
  }
  let log = boards.get(slug);
  if (!log) {
    log = createActivityLog();
    boards.set(slug, log);
  }
  return log;
}

/** A board's recent events, newest first, kept up to date by the live stream (no polling). */
export function useActivity(slug: string): readonly TaskEvent[] {
  const log = activityLog(useQueryClient(), slug);
  return useSyncExternalStore(log.subscribe, () => log.events);
}
