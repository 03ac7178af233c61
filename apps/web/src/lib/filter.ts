import type { BoardCard } from "@switchyard/contract";

export interface CardFilter {
  /** Free text over id, title, assignee and tenant (client-side, reference §12). */
  search: string;
  /** An assignee name, "" for everyone (client-side). */
  assignee: string;
}

export const NO_FILTER: CardFilter = { search: "", assignee: "" };

/** Whether a card passes the toolbar's client-side filters. */
export function matchesFilter(card: BoardCard, filter: CardFilter): boolean {
  if (filter.assignee && card.assignee !== filter.assignee) return false;
  const q = filter.search.trim().toLowerCase();
  if (!q) return true;
  return [card.id, card.title, card.assignee ?? "", card.tenant ?? ""].some((field) => field.toLowerCase().includes(q));
}

/** Running cards grouped by assignee, lanes sorted by name, "(unassigned)" for none (reference §12). */
export function lanesByProfile(cards: readonly BoardCard[]): Array<{ name: string; cards: BoardCard[] }> {
  const lanes = new Map<string, BoardCard[]>();
  for (const card of cards) {
    const name = card.assignee ?? "(unassigned)";
    const lane = lanes.get(name) ?? [];
    lane.push(card);
    lanes.set(name, lane);
  }
  return [...lanes.keys()].sort().map((name) => ({ name, cards: lanes.get(name) ?? [] }));
}
