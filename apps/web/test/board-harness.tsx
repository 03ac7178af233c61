import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Task } from "@switchyard/contract";
import {
  boardPaths,
  createBoard,
  createManualClock,
  createSequentialIds,
  createTask,
  DEFAULT_BOARD,
  type Home,
  type Kernel,
  type ManualClock,
  type NewTask,
  openKernel,
  resolveHome,
} from "@switchyard/core";
import { configPath, createDispatchService, loadConfig } from "@switchyard/runtime";
import { createApp, createBoardPool, createEventHub } from "@switchyard/server";
import type { QueryClient } from "@tanstack/react-query";
import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach } from "vitest";
import { type Api, createApi, type LiveSocket } from "../src/api/client.tsx";
import { App } from "../src/app/app.tsx";
import { createQueryClient, Providers } from "../src/app/providers.tsx";

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

export const START = 1_700_000_000;

export interface RecordedRequest {
  method: string;
  path: string;
}

/** One socket the dashboard opened on the live stream. */
export interface OpenedSocket {
  url: URL;
  socket: LiveSocket;
  /** Drops the connection the way a network failure would. */
  drop(code?: number): void;
}

export interface BoardHarness {
  /** The temp home the server serves. */
  home: Home;
  /**
   * The default board's kernel: the connection (and manual clock) the server uses. Opening is
   * async and nothing is opened before a test asks (a test may break the board file first), so
   * this is the kernel the last `seed` or `kernel("default")` got; before either, it throws.
   */
  readonly k: Kernel;
  /** A board's kernel, as the server has it open (opened now if it is not). */
  kernel(board: string): Promise<Kernel>;
  clock: ManualClock;
  api: Api;
  queryClient: QueryClient;
  /** Every HTTP request the dashboard made, in order. */
  requests: RecordedRequest[];
  /** The full URL of each of `requests`, query included, in the same order. */
  urls: URL[];
  sockets: OpenedSocket[];
  /** Holds back the requests that match until the returned function is called. */
  hold(match: (request: RecordedRequest) => boolean): () => void;
  /** Fails the requests that match as fetch does when no answer comes back, until the returned function is called. */
  cutOff(match: (request: RecordedRequest) => boolean): () => void;
  /**
   * The server goes away until the returned function is called: open streams drop (1006), new
   * ones close before they open, and every request fails as fetch does with no answer.
   */
  outage(): () => void;
  seed(title: string, fields?: Omit<NewTask, "title">): Promise<Task>;
  seedOn(board: string, title: string, fields?: Omit<NewTask, "title">): Promise<Task>;
  /** Creates another board in the home, as `switchyard boards create` would. */
  makeBoard(slug: string, name?: string): Promise<void>;
  renderApp(): ReturnType<typeof render>;
}

export interface HarnessOptions {
  /** The home's config.yaml. */
  config?: string;
  /** Whether the server says its dispatcher loop runs. */
  dispatcherEnabled?: boolean;
  /** The live stream's wait before each reconnect (10 ms by default). */
  reconnectDelay?: (attempt: number) => number;
}

/**
 * The real server app (`createApp`) on a fresh temp home with a manual clock, the real kernel
 * and SQLite, and the dashboard's typed client routed to it in process. The live stream is the
 * server's real event hub; only its WebSocket transport is replaced by an in-process socket.
 */
export async function boardHarness(options: HarnessOptions = {}): Promise<BoardHarness> {
  const root = mkdtempSync(join(tmpdir(), "switchyard-web-board-"));
  const home = resolveHome({ SWITCHYARD_HOME: root });
  if (options.config !== undefined) writeFileSync(configPath(home), options.config);
  const clock = createManualClock(START);
  const boards = createBoardPool(home, { clock, ids: createSequentialIds(), host: "testhost", pid: 4242 });
  const hub = createEventHub({ open: (slug) => openKernel(boardPaths(home, slug), { clock, pollMs: 20 }) });
  const service = createDispatchService({
    home,
    config: loadConfig(home),
    watchWorkers: false,
    clock,
    host: "testhost",
  });
  const app = createApp({
    home,
    boards,
    hub,
    config: () => loadConfig(home),
    clock,
    dispatch: (board, { dryRun, max }) => service.tick(board, { dryRun, maxSpawn: max }),
    dispatcherEnabled: options.dispatcherEnabled ?? false,
    security: { allowedHosts: [], token: null },
    webRoot: null,
  });

  const requests: RecordedRequest[] = [];
  const urls: URL[] = [];
  const holds: Array<{ match: (r: RecordedRequest) => boolean; gate: Promise<void> }> = [];
  const cuts = new Set<(r: RecordedRequest) => boolean>();
  let down = false;
  const fetchViaApp = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const recorded = { method: init?.method ?? "GET", path: url.pathname.replace("/api/plugins/kanban", "") };
    requests.push(recorded);
    urls.push(url);
    for (const hold of holds) if (hold.match(recorded)) await hold.gate;
    for (const cut of cuts) if (cut(recorded)) throw new TypeError("Failed to fetch");
    if (down) throw new TypeError("Failed to fetch");
    const { signal: _signal, ...rest } = init ?? {};
    return app.request(url.toString(), rest);
  }) as typeof fetch;
  const hold = (match: (r: RecordedRequest) => boolean) => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    holds.push({ match, gate });
    return release;
  };

  const sockets: OpenedSocket[] = [];
  const openSocket = (raw: string): LiveSocket => {
    const url = new URL(raw);
    let unsubscribe: (() => void) | null = null;
    let closed = false;
    const socket: LiveSocket = {
      onopen: null,
      onmessage: null,
      onclose: null,
      onerror: null,
      close() {
        closed = true;
        unsubscribe?.();
      },
    };
    setTimeout(async () => {
      if (closed) return;
      if (down) {
        // No server: the browser reports a failed connection as a close without an open.
        closed = true;
        socket.onclose?.({ code: 1006, reason: "" });
        return;
      }
      socket.onopen?.();
      try {
        const stop = await hub.subscribe(
          await boards.resolve(url.searchParams.get("board")),
          (message) => socket.onmessage?.({ data: JSON.stringify(message) }),
          { since: Number(url.searchParams.get("since") ?? 0) },
        );
        // The dashboard may have closed the socket while the replay was read.
        if (closed) stop();
        else unsubscribe = stop;
      } catch (err) {
        // As the server's route does: the stream failed, so the socket closes with 1011.
        socket.onclose?.({ code: 1011, reason: (err as Error).message });
      }
    }, 0);
    sockets.push({
      url,
      socket,
      drop(code = 1006) {
        if (closed) return;
        socket.close();
        socket.onclose?.({ code, reason: "dropped" });
      },
    });
    return socket;
  };

  const api = createApi({
    baseUrl: "http://localhost",
    fetch: fetchViaApp,
    openSocket,
    reconnectDelay: options.reconnectDelay ?? (() => 10),
  });
  const queryClient = createQueryClient();
  cleanups.push(async () => {
    queryClient.clear();
    await hub.close();
    await boards.close();
    rmSync(root, { recursive: true, force: true });
  });
  let defaultKernel: Kernel | null = null;
  const kernel = async (board: string) => {
    const k = await boards.kernel(board);
    if (board === DEFAULT_BOARD) defaultKernel = k;
    return k;
  };

  return {
    home,
    get k() {
      if (!defaultKernel) throw new Error('the default board is not open yet: seed it, or `await h.kernel("default")`');
      return defaultKernel;
    },
    kernel,
    clock,
    api,
    queryClient,
    requests,
    urls,
    sockets,
    hold,
    cutOff: (match) => {
      cuts.add(match);
      return () => cuts.delete(match);
    },
    outage: () => {
      down = true;
      for (const s of [...sockets]) s.drop(1006);
      return () => {
        down = false;
      };
    },
    seed: async (title, fields = {}) => (await createTask(await kernel(DEFAULT_BOARD), { title, ...fields })).task,
    seedOn: async (board, title, fields = {}) => (await createTask(await kernel(board), { title, ...fields })).task,
    makeBoard: async (slug, name) => {
      await createBoard(home, slug, name ? { name } : {}, { now: clock.now(), clock });
    },
    renderApp: () =>
      render(
        <Providers api={api} queryClient={queryClient}>
          <App />
        </Providers>,
      ),
  };
}

/** A column, found the way a person (or Playwright) would: the region named by its label. */
export function column(label: string): HTMLElement {
  return screen.getByRole("region", { name: label });
}

/** A card, by its title. */
export function card(title: string, within_: HTMLElement = document.body): HTMLElement {
  return within(within_).getByRole("article", { name: title });
}

/** The value of a row of the drawer's head (a `<dt>` named `term` and its `<dd>`). */
export function metaRow(dialog: HTMLElement, term: string): HTMLElement {
  const dt = within(dialog)
    .getAllByRole("term")
    .find((el) => el.textContent === term);
  const dd = dt?.nextElementSibling;
  if (!(dd instanceof HTMLElement)) throw new Error(`no meta row ${term}`);
  return dd;
}

const COLUMNS = ["triage", "todo", "ready", "running", "blocked", "done", "archived"];

/**
 * jsdom lays nothing out, so drag and drop has no geometry: this gives columns and cards the
 * places they would have on screen (columns 300 px apart, cards stacked in them). A column is
 * as tall as its cards, as on screen: a 100 px head, 100 px per card (an empty column keeps one
 * slot for its "no tasks" line), at most 1000 px.
 */
export function layOutBoard(): () => void {
  const original = Element.prototype.getBoundingClientRect;
  const originalScroll = Element.prototype.scrollIntoView;
  const rect = (left: number, top: number, width: number, height: number) =>
    ({
      left,
      top,
      width,
      height,
      right: left + width,
      bottom: top + height,
      x: left,
      y: top,
      toJSON: () => ({}),
    }) as DOMRect;
  Element.prototype.getBoundingClientRect = function (this: Element): DOMRect {
    // The drag overlay starts exactly over the card being dragged.
    if (this.classList.contains("sy-card-overlay") || this.querySelector(":scope > .sy-card-overlay")) {
      const dragged = document.querySelector(".sy-card-dragging");
      if (dragged) return dragged.getBoundingClientRect();
    }
    const col = this.closest("[data-column]");
    const index = col ? COLUMNS.indexOf(col.getAttribute("data-column") ?? "") : -1;
    if (!col || index < 0) return original.call(this);
    if (this === col) {
      const cards = col.querySelectorAll("[data-task-id]").length;
      return rect(index * 300, 0, 280, Math.min(1000, 100 + Math.max(1, cards) * 100));
    }
    const cardEl = this.closest("[data-task-id]");
    if (cardEl) {
      const row = [...col.querySelectorAll("[data-task-id]")].indexOf(cardEl);
      return rect(index * 300 + 10, 100 + row * 100, 260, 90);
    }
    return original.call(this);
  };
  Element.prototype.scrollIntoView = () => {};
  // A column's scrolling body is 800 x 280 px and a card 100 px tall (what the virtualised list measures).
  const size = (name: "clientHeight" | "clientWidth" | "offsetHeight", className: string, value: number) => {
    const base =
      Object.getOwnPropertyDescriptor(Element.prototype, name) ??
      Object.getOwnPropertyDescriptor(HTMLElement.prototype, name);
    const owner = Object.getOwnPropertyDescriptor(Element.prototype, name) ? Element.prototype : HTMLElement.prototype;
    Object.defineProperty(owner, name, {
      configurable: true,
      get(this: Element) {
        return this.classList.contains(className) ? value : (base?.get?.call(this) ?? 0);
      },
    });
    return () => {
      if (base) Object.defineProperty(owner, name, base);
    };
  };
  const restores = [
    size("clientHeight", "sy-column-body", 800),
    size("clientWidth", "sy-column-body", 280),
    size("offsetHeight", "sy-card-item", 100),
  ];
  return () => {
    Element.prototype.getBoundingClientRect = original;
    Element.prototype.scrollIntoView = originalScroll;
    for (const r of restores) r();
  };
}

/** How many times the dashboard fetched the whole board. */
export function boardFetches(requests: readonly RecordedRequest[]): number {
  return requests.filter((r) => r.method === "GET" && r.path === "/board").length;
}

/** Picks a card up with the keyboard, carries it `steps` columns right (or left), and drops it. */
export async function carry(title: string, steps: number): Promise<void> {
  const user = userEvent.setup();
  act(() => card(title).focus());
  await user.keyboard(" ");
  const key = steps > 0 ? "{ArrowRight}" : "{ArrowLeft}";
  for (let i = 0; i < Math.abs(steps); i++) await user.keyboard(key);
  await user.keyboard(" ");
}
