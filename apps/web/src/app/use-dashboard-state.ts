import type { DashboardSettings } from "@switchyard/contract";
import { useMemo, useState } from "react";
import type { BoardViewFilter } from "../api/board-cards.ts";
import type { ToolbarState } from "../features/toolbar/toolbar.tsx";
import type { CardFilter } from "../lib/filter.ts";

/** The toolbar's state, preset from `GET /config` (reference §12), and the filters it makes. */
export function useDashboardState(defaults: DashboardSettings | undefined) {
  const [state, setState] = useState<ToolbarState>(() => ({
    search: "",
    tenant: defaults?.default_tenant ?? "",
    assignee: "",
    includeArchived: defaults?.include_archived_by_default ?? false,
    lanes: defaults?.lane_by_profile ?? true,
  }));
  const view = useMemo<BoardViewFilter>(
    () => ({ ...(state.tenant ? { tenant: state.tenant } : {}), includeArchived: state.includeArchived }),
    [state.tenant, state.includeArchived],
  );
  const filter = useMemo<CardFilter>(
    () => ({ search: state.search, assignee: state.assignee }),
    [state.search, state.assignee],
  );
  return {
    state,
    view,
    filter,
    update: (patch: Partial<ToolbarState>) => setState((s) => ({ ...s, ...patch })),
  };
}
