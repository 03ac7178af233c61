import { setImmediate as nextTurn } from "node:timers/promises";
import {
  type BoardText,
  type BoardViewOptions,
  boardText,
  cardJson,
  type Kernel,
  latestEventId,
} from "@switchyard/core";

/**
 * The board view the server keeps (issue 18, decision 023): `GET /board` of an unchanged board
 * serves the cards it built last time (the kernel's `boardText`), with their ages at the time of
 * the request, instead of reading and serialising every row again. Any commit to the board (this
 * process's, or another's as the driver notices it) drops the board's views, and so does a new
 * event that arrived before that notice (the view remembers the latest event id it was built
 * at); the next request builds it again. The response is streamed in chunks, with a turn of the
 * event loop between them, so a big board does not stall the requests around it.
 */

/** Cards per chunk of the response body (about 1 MB of JSON with the bench's cards). */
const CARDS_PER_CHUNK = 1_000;
/** Views kept per board (one per tenant filter and archived switch in use). */
const VIEWS_PER_BOARD = 4;

interface Kept {
  /** Commits noticed since the board was first served; a view built across one is not kept. */
  commits: number;
  views: Map<string, BoardText>;
  /**
   * Views being built, with the commit count they started at: a request arriving meanwhile
   * waits for that build instead of starting its own (a burst of requests after a write builds
   * the board once, not once each: time and memory), unless a commit came since it started.
   */
  building: Map<string, { commits: number; view: Promise<BoardText> }>;
}

const kept = new WeakMap<Kernel, Kept>();

function keptFor(k: Kernel): Kept {
  let entry = kept.get(k);
  if (!entry) {
    const fresh: Kept = { commits: 0, views: new Map(), building: new Map() };
    k.onCommit(() => {
      fresh.commits++;
      fresh.views.clear();
      fresh.building.clear();
    });
    kept.set(k, fresh);
    entry = fresh;
  }
  return entry;
}

/** The board's view for these options: the kept one when nothing was committed since, else built now. */
export async function keptBoardText(k: Kernel, options: BoardViewOptions): Promise<BoardText> {
  const entry = keptFor(k);
  const key = `${options.includeArchived ? 1 : 0}:${options.tenant ?? ""}`;
  const view = entry.views.get(key);
  if (view && view.latest_event_id === (await latestEventId(k))) return view;
  const inFlight = entry.building.get(key);
  if (inFlight && inFlight.commits === entry.commits) {
    // As for a kept view: an event newer than the build means a commit it may not show.
    const shared = await inFlight.view;
    if (shared.latest_event_id === (await latestEventId(k))) return shared;
  }
  const commits = entry.commits;
  const building = boardText(k, options);
  entry.building.set(key, { commits, view: building });
  try {
    const built = await building;
    if (entry.commits === commits) {
      entry.views.delete(key);
      if (entry.views.size >= VIEWS_PER_BOARD) entry.views.delete(entry.views.keys().next().value as string);
      entry.views.set(key, built);
    }
    return built;
  } finally {
    if (entry.building.get(key)?.view === building) entry.building.delete(key);
  }
}

/**
 * The body of `GET /board`: exactly `JSON.stringify({ ...view, now, ...rest })` of the board
 * `boardView` gives at `now`, as UTF-8 chunks produced one at a time as the reader asks for them.
 */
export function boardBody(view: BoardText, now: number, rest: Record<string, unknown>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const after = JSON.stringify(rest);
  let columnAt = 0;
  let cardAt = 0;
  let started = false;
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (done) return;
        // Let timers, sockets and other requests run between chunks.
        if (started) await nextTurn();
        let text = started ? "" : '{"columns":[';
        started = true;
        let cards = 0;
        while (columnAt < view.columns.length && cards < CARDS_PER_CHUNK) {
          const column = view.columns[columnAt] as BoardText["columns"][number];
          if (cardAt === 0) text += `${columnAt > 0 ? "," : ""}{"name":${JSON.stringify(column.name)},"tasks":[`;
          for (; cardAt < column.cards.length && cards < CARDS_PER_CHUNK; cardAt++, cards++) {
            text += `${cardAt > 0 ? "," : ""}${cardJson(column.cards[cardAt] as (typeof column.cards)[number], now)}`;
          }
          if (cardAt === column.cards.length) {
            text += "]}";
            columnAt++;
            cardAt = 0;
          }
        }
        if (columnAt === view.columns.length) {
          text +=
            `],"tenants":${JSON.stringify(view.tenants)},"assignees":${JSON.stringify(view.assignees)}` +
            `,"latest_event_id":${view.latest_event_id},"now":${now}` +
            (after === "{}" ? "}" : `,${after.slice(1)}`);
          done = true;
        }
        controller.enqueue(encoder.encode(text));
        if (done) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}
