import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addComment, assignTask, claimTask, createTask, editTask, openBoard, resolveHome } from "@switchyard/core";
import { startServer } from "@switchyard/server";
import { render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createApi, type LiveSocket } from "../src/api/client.tsx";
import { App } from "../src/app/app.tsx";
import { createQueryClient, Providers } from "../src/app/providers.tsx";
import { boardFetches, boardHarness, card, column } from "./board-harness.tsx";

async function live() {
  await waitFor(() => expect(screen.getByRole("status", { name: "Live updates: Live" })).toBeInTheDocument());
}

describe("live refresh", () => {
  it("updates the right card from a WebSocket event without reloading the board", async () => {
    const h = await boardHarness();
    const a = await h.seed("Card A", { assignee: "alice" });
    await h.seed("Card B", { assignee: "alice" });
    h.renderApp();
    await screen.findByRole("article", { name: "Card A" });
    await live();
    const fetches = boardFetches(h.requests);
    const requestsBefore = h.requests.length;

    // Another process (the CLI, a worker) writes to the board.
    await assignTask(h.k, a.id, "bob");
    await waitFor(() => expect(within(card("Card A")).getByText("@bob")).toBeInTheDocument());
    expect(within(card("Card B")).getByText("@alice")).toBeInTheDocument();
    expect(boardFetches(h.requests)).toBe(fetches);
    // An assignment says everything about itself: nothing was fetched at all.
    expect(h.requests.slice(requestsBefore)).toEqual([]);
  });

  it("moves a card between columns from the stream: a claim shows it running", async () => {
    const h = await boardHarness();
    const t = await h.seed("Claim me", { assignee: "alice" });
    h.renderApp();
    await screen.findByRole("article", { name: "Claim me" });
    await live();
    const fetches = boardFetches(h.requests);
    await claimTask(h.k, t.id, { ttl: 600 });
    await within(column("In Progress")).findByRole("article", { name: "Claim me" });
    expect(within(card("Claim me")).getByText("claim 10m left")).toBeInTheDocument();
    expect(boardFetches(h.requests)).toBe(fetches);
  });

  it("refetches only the card an event cannot describe (an edited title), never the whole board", async () => {
    const h = await boardHarness();
    const t = await h.seed("Old title");
    await h.seed("Bystander");
    h.renderApp();
    await screen.findByRole("article", { name: "Old title" });
    await live();
    const fetches = boardFetches(h.requests);
    await editTask(h.k, t.id, { title: "New title" });
    await screen.findByRole("article", { name: "New title" });
    expect(boardFetches(h.requests)).toBe(fetches);
    expect(h.requests.filter((r) => r.path.startsWith("/tasks/"))).toEqual([{ method: "GET", path: `/tasks/${t.id}` }]);
  });

  it("applies a burst of events (25 comments and a new card) without reloading the board", async () => {
    const h = await boardHarness();
    const t = await h.seed("Busy card");
    h.renderApp();
    await screen.findByRole("article", { name: "Busy card" });
    await live();
    const fetches = boardFetches(h.requests);
    for (let i = 0; i < 25; i++) await addComment(h.k, t.id, "worker", `note ${i}`);
    const born = (await createTask(h.k, { title: "Born elsewhere", assignee: "carol" })).task;
    await screen.findByRole("article", { name: "Born elsewhere" });
    await waitFor(() => expect(within(card("Busy card")).getByTitle("25 comment(s)")).toBeInTheDocument());
    expect(boardFetches(h.requests)).toBe(fetches);
    expect(h.requests.filter((r) => r.path.startsWith("/tasks/")).map((r) => r.path)).toEqual([`/tasks/${born.id}`]);
    expect(screen.getByRole("combobox", { name: "Assignee" })).toHaveTextContent("carol");
  });

  it("reconnects after a dropped connection from the last cursor, and gets what it missed", async () => {
    const h = await boardHarness();
    const t = await h.seed("Offline edit");
    h.renderApp();
    await screen.findByRole("article", { name: "Offline edit" });
    await live();
    const first = h.sockets[0];
    if (!first) throw new Error("no socket opened");
    const cursor = Number((await h.k.db.get<{ id: number }>("SELECT MAX(id) AS id FROM task_events", []))?.id);
    first.drop(1006);
    await assignTask(h.k, t.id, "dave");
    await waitFor(() => expect(h.sockets).toHaveLength(2));
    expect(h.sockets[1]?.url.searchParams.get("since")).toBe(String(cursor));
    await waitFor(() => expect(within(card("Offline edit")).getByText("@dave")).toBeInTheDocument());
    await live();
  });

  it("opens a new stream for the board switched to", async () => {
    const h = await boardHarness();
    await h.seed("On default");
    await h.makeBoard("ops");
    await h.seedOn("ops", "On ops");
    window.history.replaceState(null, "", "/?board=ops");
    h.renderApp();
    await screen.findByRole("article", { name: "On ops" });
    await waitFor(() => expect(h.sockets.at(-1)?.url.searchParams.get("board")).toBe("ops"));
    await createTask(await h.kernel("ops"), { title: "Later on ops" });
    await screen.findByRole("article", { name: "Later on ops" });
  });
});

describe("live refresh against the real server", () => {
  it("shows the auth message and stops reconnecting when the server closes the stream with 1008", async () => {
    const root = mkdtempSync(join(tmpdir(), "switchyard-web-live-"));
    const home = resolveHome({ SWITCHYARD_HOME: root });
    const k = await openBoard(home);
    await createTask(k, { title: "Guarded task" });
    await k.close();
    const server = await startServer({
      home,
      host: "127.0.0.1",
      port: 0,
      token: "s3cret",
      dispatch: false,
      webRoot: null,
      log: () => {},
    });
    const opened: string[] = [];
    const openSocket = (url: string): LiveSocket => {
      opened.push(url);
      // No token: as if the browser's cookie had expired.
      const ws = new WebSocket(url);
      const socket: LiveSocket = {
        onopen: null,
        onmessage: null,
        onclose: null,
        onerror: null,
        close: (code, reason) => ws.close(code, reason),
      };
      ws.on("open", () => socket.onopen?.());
      ws.on("message", (data) => socket.onmessage?.({ data: String(data) }));
      ws.on("close", (code, reason) => socket.onclose?.({ code, reason: String(reason) }));
      ws.on("error", () => socket.onerror?.());
      return socket;
    };
    const authorized = (input: string | URL | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      headers.set("authorization", "Bearer s3cret");
      const { signal: _signal, ...rest } = init ?? {};
      return fetch(String(input), { ...rest, headers });
    };
    const api = createApi({
      baseUrl: server.url,
      fetch: authorized as typeof fetch,
      openSocket,
      reconnectDelay: () => 10,
    });
    const queryClient = createQueryClient();
    try {
      render(
        <Providers api={api} queryClient={queryClient}>
          <App />
        </Providers>,
      );
      await screen.findByRole("article", { name: "Guarded task" });
      expect(await screen.findByText(/^WebSocket auth failed — reload the page/)).toBeInTheDocument();
      expect(screen.getByRole("status", { name: "Live updates: Offline" })).toBeInTheDocument();
      // A reconnect would come 10 ms after a close; well past that, there has been none.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(opened).toHaveLength(1);
    } finally {
      queryClient.clear();
      await server.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
