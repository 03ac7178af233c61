import { TASK_STATUSES, type TaskStatus } from "./status.ts";

/**
 * The state machine of a task as data (SPEC §3, reference §2.3): every way a task changes
 * status, who may make it happen, and the guards that must hold, by name. The kernel refuses
 * any move that no row allows and checks the named guards; the dashboard reads the same rows
 * to decide which drop targets to offer and what it may show before the server answers.
 */

/** Who asks for a move. */
export const ACTORS = [
  /** A person at the dashboard or the CLI, or an orchestrator acting on someone else's task. */
  "operator",
  /** The worker of a task, on its own task (its run id is checked). */
  "worker",
  /** The dispatcher: claims, stale claims, crashes, timeouts, give-ups. */
  "dispatcher",
  /** The kernel itself, as a consequence of another change (a parent finished, a link was added). */
  "kernel",
] as const;
export type Actor = (typeof ACTORS)[number];

/**
 * Named conditions a transition needs besides its from-status. The kernel checks each one
 * (`parents_satisfied` in SQL, `current_run` against the task's run); the dashboard checks
 * what the card tells it (`parents_satisfied` from `waiting_on`) and leaves the rest to the server.
 */
export const GUARDS = [
  /** Every parent is done or archived. */
  "parents_satisfied",
  /** Some parent is neither done nor archived. */
  "parents_unfinished",
  /**
   * The todo task waits on its parents rather than being parked there by a person (SPEC §3.13,
   * decision 015): a person's move to todo while no parent is unfinished parks it
   * (`tasks.parked`), and only a person moves it on. A todo task with no parents waits on nothing,
   * so the dispatcher's full pass leaves it too.
   */
  "not_parked",
  /** A worker's call comes from the task's current run (SPEC §3.2). */
  "current_run",
  /** The task is not held by a claim. */
  "unclaimed",
  /** Every card in `created_cards` checks out (the gate, reference §7). */
  "cards_verified",
  /** The failure counter reached its limit (SPEC §3.4). */
  "failure_limit_reached",
  /** The failure counter is still below its limit. */
  "failure_limit_not_reached",
] as const;
export type Guard = (typeof GUARDS)[number];

/** The commands that move tasks; each names the kernel command that performs it. */
export const TRANSITION_ACTIONS = [
  "claim",
  "complete",
  "block",
  "unblock",
  "archive",
  "set_status",
  "promote",
  "demote",
  "requeue",
  "give_up",
] as const;
export type TransitionAction = (typeof TRANSITION_ACTIONS)[number];

export interface Transition {
  action: TransitionAction;
  from: readonly TaskStatus[];
  to: TaskStatus;
  by: readonly Actor[];
  guards: readonly Guard[];
}

const ALL = TASK_STATUSES;
const LIVE = TASK_STATUSES.filter((s) => s !== "archived");

/** Every transition of a task. Order matters only for reading: the first row that fits wins. */
export const TRANSITIONS: readonly Transition[] = [
  { action: "claim", from: ["ready"], to: "running", by: ["dispatcher", "worker", "operator"], guards: ["unclaimed"] },
  {
    action: "complete",
    from: ["running", "ready", "blocked"],
    to: "done",
    by: ["operator", "worker"],
    guards: ["current_run", "cards_verified"],
  },
  { action: "block", from: ["running", "ready"], to: "blocked", by: ["operator", "worker"], guards: ["current_run"] },
  { action: "unblock", from: ["blocked"], to: "ready", by: ["operator"], guards: ["parents_satisfied"] },
  { action: "archive", from: LIVE, to: "archived", by: ["operator"], guards: [] },
  // The dashboard's direct writes (reference `_set_status_direct`); running is never set directly.
  { action: "set_status", from: ALL, to: "triage", by: ["operator"], guards: [] },
  // Parks the task unless a parent is unfinished (then it waits on its parents: `not_parked`).
  { action: "set_status", from: ALL, to: "todo", by: ["operator"], guards: [] },
  { action: "set_status", from: ALL, to: "ready", by: ["operator"], guards: ["parents_satisfied"] },
  // Consequences the kernel draws itself.
  { action: "promote", from: ["todo"], to: "ready", by: ["kernel"], guards: ["parents_satisfied", "not_parked"] },
  { action: "demote", from: ["ready"], to: "todo", by: ["kernel"], guards: ["parents_unfinished"] },
  // A run that ends without finishing (reclaim, stale claim, crash, timeout, protocol violation).
  {
    action: "requeue",
    from: ["running"],
    to: "ready",
    by: ["operator", "dispatcher"],
    guards: ["parents_satisfied", "failure_limit_not_reached"],
  },
  {
    action: "requeue",
    from: ["running"],
    to: "todo",
    by: ["operator", "dispatcher"],
    guards: ["parents_unfinished", "failure_limit_not_reached"],
  },
  { action: "give_up", from: ["running"], to: "blocked", by: ["dispatcher"], guards: ["failure_limit_reached"] },
];

/** The rows that let `actor` move a task from `from` to `to`. */
export function transitionsFor(from: TaskStatus, to: TaskStatus, actor: Actor): Transition[] {
  return TRANSITIONS.filter((t) => t.to === to && t.from.includes(from) && t.by.includes(actor));
}

/** True when some row lets `action` start from `from` (and end at `to`, when given). */
export function allows(action: TransitionAction, from: TaskStatus, to?: TaskStatus): boolean {
  return TRANSITIONS.some((t) => t.action === action && t.from.includes(from) && (to === undefined || t.to === to));
}

/**
 * The move a person asks for by dragging a card or setting a status (PATCH, bulk): the action
 * that performs it, or null when no row lets an operator make it. Blocked -> ready is an unblock
 * (which resets the failure counter); any other -> ready is a direct write.
 */
export function operatorMove(from: TaskStatus, to: TaskStatus): Transition | null {
  const rows = transitionsFor(from, to, "operator").filter((t) => t.action !== "requeue" && t.action !== "claim");
  return rows[0] ?? null;
}

/** Other statuses an operator may move a task to from `from` (the dashboard's drop targets). */
export function operatorTargets(from: TaskStatus): TaskStatus[] {
  return TASK_STATUSES.filter((to) => to !== from && operatorMove(from, to) !== null);
}

/** A parent in one of these statuses no longer holds its children back (SPEC §3.6). */
export const SATISFYING_STATUSES = ["done", "archived"] as const satisfies readonly TaskStatus[];

/** True when a parent with this status counts as finished for its children. */
export function satisfiesChildren(status: string): boolean {
  return (SATISFYING_STATUSES as readonly string[]).includes(status);
}

/** Statuses whose tasks are still waiting to run, so an unfinished parent holds them back. */
export const WAITING_STATUSES = ["triage", "todo", "ready"] as const satisfies readonly TaskStatus[];
