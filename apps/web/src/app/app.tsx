import type { DashboardSettings } from "@switchyard/contract";
import { lazy, Suspense, useState } from "react";
import { useDashboardConfig } from "../api/board.ts";
import { ActivityFeed } from "../features/activity/activity-feed.tsx";
import { AttentionStrip } from "../features/attention/attention-strip.tsx";
import { PausedProfiles } from "../features/attention/paused-profiles.tsx";
import { BoardPage } from "../features/board/board-page.tsx";
import { FirstRunPanel } from "../features/first-run/first-run-panel.tsx";
import { BoardSwitcher } from "../features/toolbar/board-switcher.tsx";
import { Toolbar } from "../features/toolbar/toolbar.tsx";
import { useCommand, useRunCommand } from "../lib/commands.tsx";
import { type PageView, pageSearch, type UrlState, useUrlState } from "../lib/url-state.ts";
import { ConnectionBanner } from "./connection-banner.tsx";
import { type OverlayName, Overlays } from "./overlays.tsx";
import { ToastStack } from "./toast-stack.tsx";
import { useBoardConnection } from "./use-board-connection.ts";
import { useDashboardState } from "./use-dashboard-state.ts";
import { useHotkeys } from "./use-hotkeys.ts";
import { useDensity, useTheme } from "./use-theme.ts";

// The drawer (and its markdown renderer) loads when a task is first opened, keeping the board's bundle lean.
const TaskDrawer = lazy(() => import("../features/drawer/task-drawer.tsx").then((m) => ({ default: m.TaskDrawer })));
// The fleet page and its charts load when it is first shown: the board's JavaScript does not carry them.
const FleetPage = lazy(() => import("../features/fleet/fleet-page.tsx").then((m) => ({ default: m.FleetPage })));

const PAGES: ReadonlyArray<readonly [PageView, string]> = [
  ["board", "Board"],
  ["fleet", "Fleet"],
];

/** The Board and Fleet tabs: links (`?view=fleet`), so a new tab or a shared link works too. */
function PageTabs({ page, onShow }: { page: PageView; onShow(page: PageView): void }) {
  return (
    <nav className="sy-views" aria-label="Pages">
      {PAGES.map(([p, label]) => (
        <a
          key={p}
          href={pageSearch(window.location.search, p) || window.location.pathname}
          className={`sy-button${p === page ? " sy-button-on" : ""}`}
          aria-current={p === page ? "page" : undefined}
          onClick={(event) => {
            if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
            event.preventDefault();
            onShow(p);
          }}
        >
          {label}
        </a>
      ))}
    </nav>
  );
}

/** The dashboard: reads `/config` once (reference §12), then shows the board named by the URL. */
export function App() {
  const url = useUrlState();
  const config = useDashboardConfig();
  if (config.isPending) return <p className="sy-loading">Loading board…</p>;
  return <Dashboard url={url} defaults={config.data} />;
}

/**
 * Layout, top to bottom (reference §12): board switcher, new-board dialog, attention strip, first-run panel,
 * toolbar, bulk bar, columns, the task drawer when `?task=` is set, and the notifications.
 */
function Dashboard({ url, defaults }: { url: UrlState; defaults: DashboardSettings | undefined }) {
  const { state, view, filter, update } = useDashboardState(defaults);
  const slug = url.board;
  const connection = useBoardConnection(url, view);
  const [theme, toggleTheme] = useTheme();
  const [density, toggleDensity] = useDensity();
  const [overlay, setOverlay] = useState<OverlayName | null>(null);
  const [activityOpen, setActivityOpen] = useState(false);
  const run = useRunCommand();
  useCommand("toggle-fleet", () => url.showPage(url.page === "fleet" ? "board" : "fleet"));

  useHotkeys({
    run,
    togglePalette: () => setOverlay((o) => (o === "palette" ? null : "palette")),
    showHelp: () => setOverlay("help"),
    drawerOpen: url.task !== null,
    paletteOpen: overlay === "palette",
  });

  const actions = {
    refresh: connection.refresh,
    nudge: connection.nudge,
    toggleTheme,
    showHelp: () => setOverlay("help"),
    newBoard: () => setOverlay("new-board"),
  };

  return (
    <div className="sy-app">
      <header className="sy-header">
        <h1 className="sy-brand">Switchyard</h1>
        <BoardSwitcher slug={slug} onSelect={url.selectBoard} onNewBoard={actions.newBoard} />
        <PageTabs page={url.page} onShow={url.showPage} />
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
      <ConnectionBanner live={connection.live} />
      <PausedProfiles slug={slug} view={view} onOpenTask={url.openTask} />
      <AttentionStrip slug={slug} view={view} onOpenTask={url.openTask} />
      {url.page === "fleet" ? (
        <main className="sy-main">
          <Suspense fallback={<p className="sy-loading">Loading fleet…</p>}>
            <FleetPage slug={slug} view={view} onOpenTask={url.openTask} />
          </Suspense>
        </main>
      ) : (
        <>
          <FirstRunPanel slug={slug} view={view} />
          <Toolbar
            state={state}
            onChange={update}
            tenants={connection.board.data?.tenants ?? []}
            assignees={connection.board.data?.assignees ?? []}
            live={connection.live}
            theme={theme}
            density={density}
            onToggleDensity={toggleDensity}
            onToggleTheme={actions.toggleTheme}
            onNudge={actions.nudge}
            nudging={connection.nudging}
            onRefresh={actions.refresh}
            activityOpen={activityOpen}
            onToggleActivity={() => setActivityOpen((open) => !open)}
          />
          <main className="sy-main">
            <BoardPage
              slug={slug}
              view={view}
              filter={filter}
              lanes={state.lanes}
              openTaskId={url.task}
              onOpenTask={url.openTask}
            />
          </main>
        </>
      )}
      {activityOpen ? (
        <ActivityFeed slug={slug} view={view} onOpenTask={url.openTask} onClose={() => setActivityOpen(false)} />
      ) : null}
      {url.task ? (
        <Suspense fallback={null}>
          <TaskDrawer taskId={url.task} board={slug} onClose={url.closeTask} />
        </Suspense>
      ) : null}
      <ToastStack />
    </div>
  );
}
