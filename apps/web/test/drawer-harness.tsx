import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Task } from "@switchyard/contract";
import {
  boardPaths,
  configPath,
  createManualClock,
  createSequentialIds,
  createTask,
  type Kernel,
  loadConfig,
  type ManualClock,
  type NewTask,
  openKernel,
  resolveHome,
  type WorkerRef,
} from "@switchyard/core";
import { createApp, createBoardPool, createEventHub } from "@switchyard/server";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach } from "vitest";
import { type Api, ApiProvider, createApi } from "../src/api/client.tsx";
import { TaskDrawer } from "../src/features/drawer/task-drawer.tsx";

const cleanups: Array<() => void> = [];

afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

export interface DrawerHarness {
  /** The default board's kernel: the same connection (and manual clock) the app uses. */
  readonly k: Kernel;
  clock: ManualClock;
  /** The dashboard's API, talking to the real Hono app in process. */
  api: Api;
  queryClient: QueryClient;
  /** Workers a reclaim or reassign asked the server to stop. */
  stopped: WorkerRef[];
  /** Creates a task on the default board with the kernel (created by "user" unless said). */
  seed(title: string, fields?: Omit<NewTask, "title">): Task;
  /** Renders the drawer of a task; `rerender` switches it to another task, as the shell does. */
  renderDrawer(taskId: string, onClose?: () => void): ReturnType<typeof render> & { showTask(id: string): void };
}

/**
 * The real server app (`createApp`) on a fresh temp home, with a manual clock and sequential
 * ids, and the dashboard's typed client routed to it in process; `config` becomes the home's
 * config.yaml. Nothing is mocked: requests go through the server's validation, kernel and SQLite.
 */
export function drawerHarness(options: { config?: string } = {}): DrawerHarness {
  const root = mkdtempSync(join(tmpdir(), "switchyard-web-"));
  const home = resolveHome({ SWITCHYARD_HOME: root });
  if (options.config !== undefined) writeFileSync(configPath(home), options.config);
  const clock = createManualClock(1_700_000_000);
  const boards = createBoardPool(home, { clock, ids: createSequentialIds(), host: "testhost", pid: 4242 });
  const hub = createEventHub({ open: (slug) => openKernel(boardPaths(home, slug), { clock }), intervalMs: 20 });
  const stopped: WorkerRef[] = [];
  const app = createApp({
    home,
    boards,
    hub,
    config: () => loadConfig(home),
    clock,
    dispatch: async () => {
      throw new Error("the drawer never dispatches");
    },
    dispatcherEnabled: false,
    stopWorker: (worker) => stopped.push(worker),
    security: { allowedHosts: [], token: null },
    webRoot: null,
  });
  const fetchViaApp = (async (input: string | URL | Request, init?: RequestInit) =>
    app.request(input instanceof Request ? input : String(input), init)) as typeof fetch;
  const api = createApi({ baseUrl: "http://localhost", fetch: fetchViaApp });
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, gcTime: Number.POSITIVE_INFINITY }, mutations: { retry: false } },
  });
  cleanups.push(() => {
    queryClient.clear();
    hub.close();
    boards.close();
    rmSync(root, { recursive: true, force: true });
  });

  function wrap(node: ReactNode) {
    return (
      <QueryClientProvider client={queryClient}>
        <ApiProvider api={api}>{node}</ApiProvider>
      </QueryClientProvider>
    );
  }

  return {
    get k() {
      return boards.kernel("default");
    },
    clock,
    api,
    queryClient,
    stopped,
    seed(title, fields = {}) {
      return createTask(boards.kernel("default"), { title, ...fields }).task;
    },
    renderDrawer(taskId, onClose = () => undefined) {
      const result = render(wrap(<TaskDrawer taskId={taskId} board={null} onClose={onClose} />));
      return Object.assign(result, {
        showTask(id: string) {
          result.rerender(wrap(<TaskDrawer taskId={id} board={null} onClose={onClose} />));
        },
      });
    },
  };
}
