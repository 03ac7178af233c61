import type { DashboardSettings } from "@switchyard/contract";
import { lazy, Suspense, useEffect, useState } from "react";
import { useBoard, useDashboardConfig } from "../api/board.ts";
import { useNudgeDispatcher, useRefreshBoard } from "../api/board-mutations.ts";
import { ApiRequestError, errorMessage } from "../api/errors.ts";
import { AUTH_FAILED_MESSAGE, useLiveBoard } from "../api/live.ts";
import { AttentionStrip } from "../features/attention/attention-strip.tsx";
import { BoardPage } from "../features/board/board-page.tsx";
import { BoardSwitcher } from "../features/toolbar/board-switcher.tsx";
import { Toolbar } from "../features/toolbar/toolbar.tsx";
import { useRunCommand } from "../lib/commands.tsx";
import { useNotice } from "../lib/notices.tsx";
import { applyTheme, nextTheme, readTheme } from "../lib/theme.ts";
import { DEFAULT_BOARD, type UrlState, useUrlState } from "../lib/url-state.ts";
import { ErrorLine } from "./error-line.tsx";
import { type OverlayName, Overlays } from "./overlays.tsx";
import { useDashboardState } from "./use-dashboard-state.ts";
import { useHotkeys } from "./use-hotkeys.ts";

// The drawer (and its markdown renderer) loads when a task is first opened, keeping the board's bundle lean.
const TaskDrawer = lazy(() => import("../features/drawer/task-drawer.tsx").then((m) => ({ default: m.TaskDrawer })));

/** The dashboard: reads `/config` once (reference §12), then shows the board named by the URL. */
export function App() {
  const url = useUrlState();
  const config = useDashboardConfig();
  if (config.isPending) return <p className="sy-loading">Loading board…</p>;
  return <Dashboard url={url} defaults={config.data} />;
}

/**
 * Layout, top to bottom (reference §12): board switcher, new-board dialog, attention strip,
 * toolbar, bulk bar, error line, columns, and the task drawer when `?task=` is set.
 */
function Dashboard({ url, defaults }: { url: UrlState; defaults: DashboardSettings | undefined }) {
  const { state, view, filter, update } = useDashboardState(defaults);
  const slug = url.board;
  const board = useBoard(slug, view);
  const live = useLiveBoard(slug, view, board.isSuccess && !board.isPlaceholderData);
  const nudge = useNudgeDispatcher(slug);
  const refresh = useRefreshBoard(slug);
  const notice = useNotice();
  const [theme, setTheme] = useState(readTheme);
  const [overlay, setOverlay] = useState<OverlayName | null>(null);
  const run = useRunCommand();

  useHotkeys({
    run,
    togglePalette: () => setOverlay((o) => (o === "palette" ? null : "palette")),
    showHelp: () => setOverlay("help"),
  });

  useEffect(() => applyTheme(theme), [theme]);
  useEffect(() => {
    if (live === "auth-failed") notice.show(AUTH_FAILED_MESSAGE);
  }, [live, notice.show]);
  // A remembered board that has gone away: back to default (reference §12).
  const missing = board.error instanceof ApiRequestError && board.error.code === "board_not_found";
  useEffect(() => {
    if (missing && slug !== DEFAULT_BOARD) url.selectBoard(DEFAULT_BOARD, { replace: true });
  }, [missing, slug, url.selectBoard]);

  const actions = {
    refresh: () => void refresh(),
    nudge: () => nudge.mutate(undefined, { onError: (error) => notice.show(`Nudge failed: ${errorMessage(error)}`) }),
    toggleTheme: () => setTheme(nextTheme),
    showHelp: () => setOverlay("help"),
    newBoard: () => setOverlay("new-board"),
  };

  return (
    <div className="sy-app">
      <header className="sy-header">
        <h1 className="sy-brand">Switchyard</h1>
        <BoardSwitcher slug={slug} onSelect={url.selectBoard} onNewBoard={actions.newBoard} />
        <button
          type="button"
          className="sy-button sy-button-quiet"
          aria-label="Keyboard shortcuts"
          onClick={actions.showHelp}
        >
          ?
        </button>
      </header>
      <Overlays
        open={overlay}
        onClose={() => setOverlay(null)}
        slug={slug}
        view={view}
        url={url}
        state={state}
        update={update}
        actions={actions}
        run={run}
      />
      <AttentionStrip slug={slug} view={view} onOpenTask={url.openTask} />
      <Toolbar
        state={state}
        onChange={update}
        tenants={board.data?.tenants ?? []}
        assignees={board.data?.assignees ?? []}
        live={live}
        theme={theme}
        onToggleTheme={actions.toggleTheme}
        onNudge={actions.nudge}
        nudging={nudge.isPending}
        onRefresh={actions.refresh}
      />
      <ErrorLine />
      <main className="sy-main">
        <BoardPage slug={slug} view={view} filter={filter} lanes={state.lanes} onOpenTask={url.openTask} />
      </main>
      {url.task ? (
        <Suspense fallback={null}>
          <TaskDrawer taskId={url.task} board={slug} onClose={url.closeTask} />
        </Suspense>
      ) : null}
    </div>
  );
}
