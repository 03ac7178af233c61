import {
  BoardQuery,
  type Config,
  DashboardConfig,
  type DashboardSettings,
  type DispatcherStatus,
  DispatchQuery,
  GetBoardQuery,
  type ProfileStatus,
} from "@switchyard/contract";
import {
  type BoardView,
  boardStats,
  isCoreError,
  type Kernel,
  knownAssignees,
  listBoards,
  pausedProfiles,
  runningByProfile,
  runProfiles,
} from "@switchyard/core";
import { configPath, modelHint, resolveProfile, spawnableProfiles } from "@switchyard/runtime";
import { Hono } from "hono";
import { boardBody, keptBoardText } from "../board-text.ts";
import type { AppDeps } from "../deps.ts";
import { valid } from "../validate.ts";

/** Running workers on every non-archived board: the caps are global (SPEC §3.5). */
export async function runningEverywhere(deps: AppDeps): Promise<{ total: number; byProfile: Map<string, number> }> {
  const byProfile = new Map<string, number>();
  let total = 0;
  const seen = new Set<string>();
  for (const meta of await listBoards(deps.home, { includeArchived: false })) {
    if (seen.has(meta.db_path)) continue;
    seen.add(meta.db_path);
    const here = await runningByProfile(await deps.boards.kernel(meta.slug));
    total += here.total;
    for (const [p, n] of here.byProfile) byProfile.set(p, (byProfile.get(p) ?? 0) + n);
  }
  return { total, byProfile };
}

/** What the dashboard's "why isn't this running?" line needs beyond the cards. */
async function dispatcherFacts(
  deps: AppDeps,
  k: Kernel,
): Promise<{ dispatcher: DispatcherStatus; profiles: ProfileStatus[]; pull_lanes: string[] } | null> {
  let config: Config;
  try {
    config = deps.config();
  } catch (err) {
    if (isCoreError(err)) return null;
    throw err;
  }
  const running = await runningEverywhere(deps);
  const spawnable = spawnableProfiles(deps.home, config);
  return {
    dispatcher: {
      enabled: deps.dispatcherEnabled,
      max_in_progress: config.dispatch.max_in_progress,
      running: running.total,
    },
    profiles: spawnable.map((name) => ({
      name,
      max_in_progress: resolveProfile(deps.home, config, name)?.max_in_progress ?? null,
      running: running.byProfile.get(name) ?? 0,
    })),
    pull_lanes: (await runProfiles(k)).filter((name) => !spawnable.includes(name)),
  };
}

/**
 * `GET /config` (reference §11): the `dashboard` section. Under a Hermes home the settings sit
 * in `dashboard.kanban`, which is honoured on top.
 */
function dashboardSettings(deps: AppDeps): DashboardSettings {
  const config = deps.config();
  const kanban = config.dashboard.kanban;
  const hermes =
    kanban && typeof kanban === "object" ? DashboardConfig.safeParse({ ...config.dashboard, ...kanban }) : null;
  const d = hermes?.success ? hermes.data : config.dashboard;
  return {
    default_tenant: d.default_tenant,
    lane_by_profile: d.lane_by_profile,
    include_archived_by_default: d.include_archived_by_default,
    render_markdown: d.render_markdown,
    profiles: spawnableProfiles(deps.home, config).map((name) => ({
      name,
      model_hint: modelHint(resolveProfile(deps.home, config, name), name),
    })),
    config_path: configPath(deps.home),
  };
}

/** The board view and what sits around it: stats, assignees, config, dispatch. */
export function boardRoutes(deps: AppDeps) {
  return new Hono()
    .get("/board", valid("query", GetBoardQuery), async (c) => {
      const query = c.req.valid("query");
      const { k } = await deps.boards.open(query.board);
      const now = k.clock.now();
      const view = await keptBoardText(k, {
        tenant: query.tenant || null,
        includeArchived: query.include_archived ?? false,
      });
      const rest = { ...(await dispatcherFacts(deps, k)), paused_profiles: await pausedProfiles(k) };
      // The JSON `c.json` would send for `{ ...boardView(k), ...rest }`, streamed (board-text.ts).
      return c.body(boardBody(view, now, rest), 200, { "content-type": "application/json" }) as unknown as ReturnType<
        typeof c.json<BoardView & typeof rest, 200>
      >;
    })
    .get("/stats", valid("query", BoardQuery), async (c) => {
      const { k } = await deps.boards.open(c.req.valid("query").board);
      return c.json(await boardStats(k), 200);
    })
    .get("/assignees", valid("query", BoardQuery), async (c) => {
      const { k } = await deps.boards.open(c.req.valid("query").board);
      return c.json({ assignees: await knownAssignees(k, spawnableProfiles(deps.home, deps.config())) }, 200);
    })
    .get("/config", valid("query", BoardQuery), (c) => c.json(dashboardSettings(deps), 200))
    .post("/dispatch", valid("query", DispatchQuery), async (c) => {
      const query = c.req.valid("query");
      const slug = await deps.boards.resolve(query.board);
      return c.json(await deps.dispatch(slug, { dryRun: query.dry_run ?? false, max: query.max }), 200);
    });
}
