import type { DashboardSettings } from "@switchyard/contract";
import { useMemo } from "react";
import type { BoardViewFilter } from "../api/board-cards.ts";
import type { ToolbarState } from "../features/toolbar/toolbar.tsx";
import type { CardFilter } from "../lib/filter.ts";
import { type UrlFiltersPatch, useUrlState } from "../lib/url-state.ts";

/** What the toolbar shows when the URL says nothing: `GET /config`'s defaults (reference §12). */
function defaultState(defaults: DashboardSettings | undefined): ToolbarState {
  return {
    search: "",
    tenant: defaults?.default_tenant ?? "",
    assignee: "",
    includeArchived: defaults?.include_archived_by_default ?? false,
    lanes: defaults?.lane_by_profile ?? true,
  };
}

/**
 * The toolbar's state and the filters it makes. It lives in the URL (`?q=`, `?tenant=`,
 * `?assignee=`, `?archived=`, `?lanes=`), so a reload or a shared link shows the same view; a
 * value equal to its default is left out. Typing in the search box replaces the history entry;
 * any other change adds one, so Back undoes it.
 */
export function useDashboardState(defaults: DashboardSettings | undefined) {
  const { filters, setFilters } = useUrlState();
  const fallback = defaultState(defaults);
  const state: ToolbarState = {
    search: filters.search ?? fallback.search,
    tenant: filters.tenant ?? fallback.tenant,
    assignee: filters.assignee ?? fallback.assignee,
    includeArchived: filters.includeArchived ?? fallback.includeArchived,
    lanes: filters.lanes ?? fallback.lanes,
  };
  const view = useMemo<BoardViewFilter>(
    () => ({ ...(state.tenant ? { tenant: state.tenant } : {}), includeArchived: state.includeArchived }),
    [state.tenant, state.includeArchived],
  );
  const filter = useMemo<CardFilter>(
    () => ({ search: state.search, assignee: state.assignee }),
    [state.search, state.assignee],
  );
  const update = (patch: Partial<ToolbarState>) => {
    const next: UrlFiltersPatch = {};
    for (const field of Object.keys(patch) as Array<keyof ToolbarState>) {
      const value = patch[field];
      if (value === undefined) continue;
      (next as Record<string, string | boolean | null>)[field] = value === fallback[field] ? null : value;
    }
    const typing = Object.keys(patch).every((field) => field === "search");
    setFilters(next, { replace: typing });
  };
  return { state, view, filter, update };
}
