import type { BoardCard, BoardResponse } from "@switchyard/contract";
import { blockedSentence } from "./event-sentences.ts";
import { formatAge } from "./time.ts";
import { joinAnd } from "./words.ts";

/** What `/board` says about the dispatcher (all optional: an older server does not say). */
export type DispatchFacts = Pick<BoardResponse, "dispatcher" | "profiles" | "paused_profiles" | "pull_lanes">;

/** What a card must tell for its line (the optional parts: an older server does not say). */
export type IdleCard = Pick<BoardCard, "status" | "assignee" | "waiting_on"> &
  Partial<Pick<BoardCard, "retry_after" | "parked" | "link_counts" | "blocked_reason">>;

/** The longest blocked reason a card shows; the drawer's events hold all of it. */
const CARD_LINE_MAX = 160;

/**
 * Why a blocked card is blocked (the board's `blocked_reason`): who blocked it and why, or the
 * give-up with its last error; and its profile, when the dispatcher paused it. Null when the
 * server does not say.
 */
function whyBlocked(card: IdleCard, facts: DispatchFacts): string | null {
  const reasons: string[] = [];
  if (card.blocked_reason) {
    const sentence = blockedSentence(card.blocked_reason);
    reasons.push(sentence.length > CARD_LINE_MAX ? `${sentence.slice(0, CARD_LINE_MAX - 1)}…` : sentence);
  }
  if (card.assignee !== null && facts.paused_profiles?.some((p) => p.profile === card.assignee)) {
    reasons.push(`Profile ${card.assignee} paused after repeated identical failures (Resume it above)`);
  }
  return reasons.length > 0 ? reasons.join(" · ") : null;
}

/**
 * Why an assignee that is no spawnable profile does not start: a pull lane (it has taken work
 * with `claim` on this board) or no profile at all. Null when it is a profile, or the server
 * does not say.
 */
export function profileProblem(assignee: string, facts: DispatchFacts): string | null {
  if (!facts.profiles || facts.profiles.some((p) => p.name === assignee)) return null;
  if (!facts.pull_lanes) return `Profile ${assignee} is not spawnable (it pulls work with claim)`;
  if (facts.pull_lanes.includes(assignee)) return `${assignee} is a pull lane: it takes work with switchyard claim`;
  return `No profile named ${assignee}: add it to config.yaml, or take the task with switchyard claim`;
}

/**
 * Whether the kernel will promote this todo card by itself (the transition table's `promote`
 * with `not_parked`, decision 015): it waits on parents and no person parked it. A todo card
 * with no parents, or one a person parked, stays until someone moves it.
 */
function waitsOnParents(card: IdleCard): boolean {
  return card.parked !== true && (card.link_counts?.parents ?? 1) > 0;
}

/**
 * The one-line "why isn't this running?" for ready and todo cards (SPEC §7): parked in todo,
 * unassigned, a pull lane or no such profile, waiting on parents, its profile paused, waiting
 * out a rate-limit backoff (at `now`, Unix seconds), at capacity, dispatcher off; and for a
 * blocked card, why it is blocked. Null for other cards, and for a ready card the next
 * dispatcher tick will start.
 */
export function whyIdle(card: IdleCard, facts: DispatchFacts, now?: number): string | null {
  if (card.status === "blocked") return whyBlocked(card, facts);
  if (card.status !== "ready" && card.status !== "todo") return null;
  const reasons: string[] = [];
  const waiting = card.waiting_on ?? [];
  if (card.status === "todo" && !waitsOnParents(card)) reasons.push("Parked in Todo: it stays until someone moves it");
  if (waiting.length > 0) reasons.push(`Waiting on ${waiting.length === 1 ? "parent" : "parents"} ${joinAnd(waiting)}`);
  const profile = card.assignee === null ? undefined : facts.profiles?.find((p) => p.name === card.assignee);
  const problem = card.assignee === null ? null : profileProblem(card.assignee, facts);
  if (card.assignee === null) {
    reasons.push("Unassigned");
  } else if (problem) {
    reasons.push(problem);
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
