import type { BoardCard, BoardResponse } from "@switchyard/contract";
import { formatAge } from "./time.ts";

/** What `/board` says about the dispatcher (all optional: an older server does not say). */
export type DispatchFacts = Pick<BoardResponse, "dispatcher" | "profiles" | "paused_profiles">;

/** "a", "a and b", "a, b and c". */
export function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/**
 * The one-line "why isn't this running?" for ready and todo cards (SPEC §7): unassigned, not
 * spawnable, waiting on parents, its profile paused, waiting out a rate-limit backoff (at `now`,
 * Unix seconds), at capacity, dispatcher off. Null for other cards, and for a ready card the
 * next dispatcher tick will start.
 */
export function whyIdle(
  card: Pick<BoardCard, "status" | "assignee" | "waiting_on"> & Partial<Pick<BoardCard, "retry_after">>,
  facts: DispatchFacts,
  now?: number,
): string | null {
  if (card.status !== "ready" && card.status !== "todo") return null;
  const reasons: string[] = [];
  const waiting = card.waiting_on ?? [];
  if (waiting.length > 0) reasons.push(`Waiting on ${waiting.length === 1 ? "parent" : "parents"} ${joinAnd(waiting)}`);
  const profile = card.assignee === null ? undefined : facts.profiles?.find((p) => p.name === card.assignee);
  if (card.assignee === null) {
    reasons.push("Unassigned");
  } else if (facts.profiles && !profile) {
    reasons.push(`Profile ${card.assignee} is not spawnable (it pulls work with claim)`);
  }
  if (card.status === "ready" && reasons.length === 0) {
    if (facts.paused_profiles?.some((p) => p.profile === card.assignee)) {
      reasons.push(`Profile ${card.assignee} paused after repeated identical failures (Resume it above)`);
    }
    if (card.retry_after && now !== undefined && card.retry_after > now) {
      reasons.push(`Rate-limited: can start again in ${formatAge(card.retry_after - now)}`);
    }
  }
  if (card.status === "ready" && reasons.length === 0) {
    const dispatcher = facts.dispatcher;
    if (dispatcher && !dispatcher.enabled) reasons.push("Dispatcher off");
    if (dispatcher && dispatcher.running >= dispatcher.max_in_progress) {
      reasons.push(`At capacity (${dispatcher.running}/${dispatcher.max_in_progress} running)`);
    } else if (profile && profile.max_in_progress !== null && profile.running >= profile.max_in_progress) {
      reasons.push(`Profile ${profile.name} at capacity (${profile.running}/${profile.max_in_progress} running)`);
    }
  }
  if (reasons.length === 0) {
    return card.status === "todo" ? "No unfinished parents: promoted to ready on the next tick" : null;
  }
  return reasons.join(" · ");
}
