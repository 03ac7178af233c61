import type { BoardViewFilter } from "./board-cards.ts";

/**
 * Every query key of the dashboard. A board's keys all start with `["board", slug]`, so one
 * invalidation reaches everything cached for that board (the drawer's task queries included:
 * they live under `boardKeys.task(slug, id)`).
 */
export const boardKeys = {
  all: ["board"] as const,
  board: (slug: string) => ["board", slug] as const,
  view: (slug: string, view: BoardViewFilter) =>
    ["board", slug, "view", { tenant: view.tenant ?? "", includeArchived: view.includeArchived }] as const,
  tasks: (slug: string) => ["board", slug, "task"] as const,
  task: (slug: string, id: string) => ["board", slug, "task", id] as const,
  /** The fleet figures of every window (`fleetWindow`): what the live stream refreshes. */
  fleets: (slug: string) => ["board", slug, "fleet"] as const,
  fleet: (slug: string, span: string) => ["board", slug, "fleet", span] as const,
};

export const boardsKeys = {
  list: ["boards"] as const,
};

export const configKeys = {
  dashboard: ["config"] as const,
};
