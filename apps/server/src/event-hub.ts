import { type EventsMessage, TaskEvent } from "@switchyard/contract";
import { eventsSince, type Kernel, latestEventId } from "@switchyard/core";

/** Events per message, as the reference's stream sends them (§11). */
export const PAGE_SIZE = 200;

export type EventsListener = (message: EventsMessage) => void;

export interface SubscribeOptions {
  /** Replay every event after this id first (a reconnecting client); default: only new events. */
  since?: number;
  /** Called once when the board's feed ends (the board was removed or replaced, or the hub closed). */
  onEnd?: () => void;
}

/**
 * The live stream of every board the server has open (SPEC §5). Each board with subscribers
 * gets a feed: a kernel of its own, whose commit notification (`k.onCommit`: a commit by this
 * process or any other, noticed by the storage driver) makes the feed read the events after its
 * cursor and hand them to every subscriber. A burst of notifications makes one read, and a
 * feed's reads run one at a time, so every event is delivered once and in order. When the
 * board's storage goes stale (moved, removed or replaced) the feed ends.
 */
export interface EventHub {
  /** Listens to a board's new events (after replaying `since`); resolves to the unsubscribe function. */
  subscribe(board: string, listener: EventsListener, options?: SubscribeOptions): Promise<() => void>;
  /** Reads a board's new events now, if anyone listens (commits notify by themselves; this is "check now"). */
  poke(board: string): Promise<void>;
  /** Ends a board's feed (before the board is removed). */
  forget(board: string): Promise<void>;
  close(): Promise<void>;
}

export interface EventHubOptions {
  /** Opens a board's kernel for its feed (the hub closes it when the feed ends); rejects with a CoreError when it cannot. */
  open: (board: string) => Promise<Kernel>;
  log?: (message: string) => void;
}

interface Subscriber {
  deliver: EventsListener;
  onEnd?: () => void;
}

interface Feed {
  board: string;
  /** The feed's kernel, with the cursor set to the board's latest event; rejects when the board cannot be opened. */
  ready: Promise<Kernel>;
  cursor: number;
  subscribers: Set<Subscriber>;
  /** Subscriptions under way (not yet among `subscribers`): the feed must not end under them. */
  joining: number;
  /** The tail of this feed's reads: each one starts when the one before has finished. */
  chain: Promise<unknown>;
  /** A read is queued and has not started: more notifications are merged into it. */
  queued: boolean;
  ended: boolean;
  closed: Promise<void> | null;
  unlisten: (() => void) | null;
}

/** Events that match the contract; a row this version cannot describe is skipped, not sent. */
function wireEvents(events: TaskEvent[]): TaskEvent[] {
  return events.filter((e) => TaskEvent.safeParse(e).success);
}

export function createEventHub(options: EventHubOptions): EventHub {
  const feeds = new Map<string, Feed>();
  /** Kernels of ended feeds still closing, so that `close` waits for them too. */
  const closing = new Set<Promise<void>>();
  const log = options.log ?? (() => {});

  /** Runs `fn` after the feed's earlier reads, with its kernel. */
  function serial<T>(feed: Feed, fn: (k: Kernel) => Promise<T>): Promise<T> {
    const run = feed.chain.then(async () => fn(await feed.ready));
    feed.chain = run.catch(() => {});
    return run;
  }

  function end(feed: Feed): Promise<void> {
    if (feed.closed) return feed.closed;
    feed.ended = true;
    if (feeds.get(feed.board) === feed) feeds.delete(feed.board);
    feed.unlisten?.();
    feed.unlisten = null;
    const subscribers = [...feed.subscribers];
    feed.subscribers.clear();
    for (const s of subscribers) s.onEnd?.();
    const closed = feed.ready
      .then(
        (k) => k.close(),
        () => {},
      )
      .catch((err) => log(`closing the live stream of board '${feed.board}' failed: ${(err as Error).message}`));
    feed.closed = closed;
    closing.add(closed);
    void closed.finally(() => closing.delete(closed));
    return closed;
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

  /** Hands the events after the feed's cursor to its subscribers, a page at a time (run through `serial`). */
  async function readNew(feed: Feed, k: Kernel): Promise<void> {
    try {
      if (feed.ended) return;
      if (k.stale()) throw new Error("the board file was moved, removed or replaced");
      for (;;) {
        const page = await eventsSince(k, feed.cursor, PAGE_SIZE);
        const last = page.at(-1);
        if (feed.ended || !last) return;
        feed.cursor = last.id;
        broadcast(feed, { events: wireEvents(page), cursor: last.id });
        if (page.length < PAGE_SIZE) return;
      }
    } catch (err) {
      if (feed.ended) return;
      log(`live stream of board '${feed.board}' stopped: ${(err as Error).message}`);
      void end(feed);
    }
  }

  /** A commit was noticed: one read soon, merging the notifications that arrive before it starts. */
  function notified(feed: Feed): void {
    if (feed.queued || feed.ended) return;
    feed.queued = true;
    setImmediate(() => {
      void serial(feed, (k) => {
        feed.queued = false;
        return readNew(feed, k);
      }).catch(() => {});
    });
  }

  function feedOf(board: string): Feed {
    const existing = feeds.get(board);
    if (existing) return existing;
    const opening = async (): Promise<Kernel> => {
      const k = await options.open(board);
      try {
        feed.cursor = await latestEventId(k);
      } catch (err) {
        await k.close();
        throw err;
      }
      if (!feed.ended) feed.unlisten = k.onCommit(() => notified(feed));
      return k;
    };
    const feed: Feed = {
      board,
      ready: opening(),
      cursor: 0,
      subscribers: new Set(),
      joining: 0,
      chain: Promise.resolve(),
      queued: false,
      ended: false,
      closed: null,
      unlisten: null,
    };
    feed.ready.catch(() => {
      // The board could not be opened: the subscribe that asked gets the error, the next one tries afresh.
      feed.ended = true;
      if (feeds.get(board) === feed) feeds.delete(board);
    });
    feeds.set(board, feed);
    return feed;
  }

  function endIfUnused(feed: Feed): void {
    if (!feed.ended && feed.subscribers.size === 0 && feed.joining === 0) void end(feed);
  }

  return {
    async subscribe(board, listener, subscribeOptions = {}) {
      const feed = feedOf(board);
      feed.joining++;
      try {
        return await serial(feed, async (k) => {
          // Catch up to the board, so the first live message continues exactly where the replay ends.
          await readNew(feed, k);
          if (feed.ended) {
            subscribeOptions.onEnd?.();
            return () => {};
          }
          let last = feed.cursor;
          if (subscribeOptions.since !== undefined) {
            last = Math.min(subscribeOptions.since, feed.cursor);
            while (last < feed.cursor) {
              const page = (await eventsSince(k, last, PAGE_SIZE)).filter((e) => e.id <= feed.cursor);
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
            if (feed.subscribers.delete(subscriber)) endIfUnused(feed);
          };
        });
      } finally {
        feed.joining--;
        endIfUnused(feed);
      }
    },
    async poke(board) {
      const feed = feeds.get(board);
      if (feed && !feed.ended) await serial(feed, (k) => readNew(feed, k));
    },
    async forget(board) {
      const feed = feeds.get(board);
      if (feed) await end(feed);
    },
    async close() {
      await Promise.all([...feeds.values()].map(end));
      await Promise.all(closing);
    },
  };
}
