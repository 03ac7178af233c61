import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";
import { type EventsMessage, TaskEvent } from "@switchyard/contract";
import { eventsSince, type Kernel, latestEventId } from "@switchyard/core";
import { fileIdentity } from "./board-pool.ts";

/** Events per message, as the reference's stream sends them (§11). */
export const PAGE_SIZE = 200;

export type EventsListener = (message: EventsMessage) => void;

export interface SubscribeOptions {
  /** Replay every event after this id first (a reconnecting client); default: only new events. */
  since?: number;
  /** Called once when the board's feed ends (the board was removed, or the hub closed). */
  onEnd?: () => void;
}

/**
 * The live stream of every board the server has open (SPEC §5). Each board with subscribers
 * gets a dedicated read connection whose `PRAGMA data_version` is checked: it changes only when
 * another connection (the server's own kernel, the CLI, a worker) commits, and only then are new
 * events read. A check runs as soon as the board file's directory reports a change to the file
 * or its WAL (another process committed), and on a timer besides (a file system without change
 * notifications); `poke` checks at once after the server's own writes.
 */
export interface EventHub {
  /** Listens to a board's new events; returns the unsubscribe function. */
  subscribe(board: string, listener: EventsListener, options?: SubscribeOptions): () => void;
  /** Reads a board's new events now, if anyone listens. */
  poke(board: string): void;
  /** Ends a board's feed (before the board is removed). */
  forget(board: string): void;
  close(): void;
}

export interface EventHubOptions {
  /** Opens a dedicated read connection to a board; throws a CoreError when it cannot. */
  open: (board: string) => Kernel;
  /** How often other processes' commits are looked for. */
  intervalMs?: number;
  log?: (message: string) => void;
}

interface Subscriber {
  deliver: EventsListener;
  onEnd?: () => void;
}

interface Feed {
  k: Kernel;
  /** The board file this feed reads; when the path stops naming it, the feed ends. */
  file: string | null;
  cursor: number;
  version: number;
  subscribers: Set<Subscriber>;
  /** Change notifications for the board file's directory, when the file system offers them. */
  watcher: FSWatcher | null;
  /** A check is queued for the next turn of the event loop (a burst of notifications makes one). */
  queued: boolean;
}

/**
 * Calls `onChange` when the board file or its WAL changes (a commit by any process). Null when
 * the directory cannot be watched; the timer still finds every commit.
 */
function watchBoardFile(path: string, onChange: () => void): FSWatcher | null {
  if (path === ":memory:") return null;
  const names = new Set([basename(path), `${basename(path)}-wal`]);
  try {
    const watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
      if (name === null || names.has(String(name))) onChange();
    });
    watcher.on("error", () => watcher.close());
    return watcher;
  } catch {
    return null;
  }
}

/** Events that match the contract; a row this version cannot describe is skipped, not sent. */
function wireEvents(events: TaskEvent[]): TaskEvent[] {
  return events.filter((e) => TaskEvent.safeParse(e).success);
}

export function createEventHub(options: EventHubOptions): EventHub {
  const feeds = new Map<string, Feed>();
  const log = options.log ?? (() => {});
  let timer: NodeJS.Timeout | null = null;

  function dataVersion(k: Kernel): number {
    return Number(k.db.pragma("data_version", { simple: true }));
  }

  function end(board: string): void {
    const feed = feeds.get(board);
    if (!feed) return;
    feeds.delete(board);
    feed.watcher?.close();
    feed.k.close();
    for (const s of feed.subscribers) s.onEnd?.();
    if (feeds.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  }

  function broadcast(feed: Feed, message: EventsMessage): void {
    for (const s of feed.subscribers) {
      try {
        s.deliver(message);
      } catch (err) {
        log(`event listener failed: ${(err as Error).message}`);
      }
    }
  }

  function check(board: string, feed: Feed): void {
    try {
      if (fileIdentity(feed.k.paths.dbPath) !== feed.file)
        throw new Error("the board file was moved, removed or replaced");
      const version = dataVersion(feed.k);
      if (version === feed.version) return;
      feed.version = version;
      for (;;) {
        const page = eventsSince(feed.k, feed.cursor, PAGE_SIZE);
        const last = page.at(-1);
        if (!last) return;
        feed.cursor = last.id;
        broadcast(feed, { events: wireEvents(page), cursor: last.id });
        if (page.length < PAGE_SIZE) return;
      }
    } catch (err) {
      log(`live stream of board '${board}' stopped: ${(err as Error).message}`);
      end(board);
    }
  }

  function tick(): void {
    for (const [board, feed] of feeds) check(board, feed);
  }

  function feedOf(board: string): Feed {
    let feed = feeds.get(board);
    if (!feed) {
      const k = options.open(board);
      const created: Feed = {
        k,
        file: fileIdentity(k.paths.dbPath),
        cursor: latestEventId(k),
        version: dataVersion(k),
        subscribers: new Set(),
        watcher: null,
        queued: false,
      };
      created.watcher = watchBoardFile(k.paths.dbPath, () => {
        if (created.queued) return;
        created.queued = true;
        setImmediate(() => {
          created.queued = false;
          if (feeds.get(board) === created) check(board, created);
        });
      });
      feed = created;
      feeds.set(board, feed);
      if (!timer) {
        timer = setInterval(tick, options.intervalMs ?? 75);
        timer.unref();
      }
    }
    return feed;
  }

  return {
    subscribe(board, listener, subscribeOptions = {}) {
      const feed = feedOf(board);
      // Catch up to the feed, so the first live message continues exactly where the replay ended.
      check(board, feed);
      let last = feed.cursor;
      if (subscribeOptions.since !== undefined) {
        last = Math.min(subscribeOptions.since, feed.cursor);
        while (last < feed.cursor) {
          const page = eventsSince(feed.k, last, PAGE_SIZE).filter((e) => e.id <= feed.cursor);
          const tail = page.at(-1);
          if (!tail) break;
          last = tail.id;
          listener({ events: wireEvents(page), cursor: last });
        }
        last = feed.cursor;
      }
      const subscriber: Subscriber = {
        deliver(message) {
          const events = message.events.filter((e) => e.id > last);
          last = Math.max(last, message.cursor);
          if (events.length > 0) listener({ events, cursor: message.cursor });
        },
        onEnd: subscribeOptions.onEnd,
      };
      feed.subscribers.add(subscriber);
      return () => {
        const current = feeds.get(board);
        if (!current?.subscribers.delete(subscriber)) return;
        if (current.subscribers.size === 0) end(board);
      };
    },
    poke(board) {
      const feed = feeds.get(board);
      if (feed) check(board, feed);
    },
    forget: end,
    close() {
      for (const board of [...feeds.keys()]) end(board);
    },
  };
}
