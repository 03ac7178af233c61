import type { BoardCard, BoardResponse, TaskDict, TaskEvent, TaskStatus } from "@switchyard/contract";
import { satisfiesChildren } from "@switchyard/contract";
import { addSorted, type BoardViewFilter, canWait, isStatus, NO_CLAIM, regroup } from "./board-cards.ts";

/** Where a reclaim sent a task before the kernel said so on the event (older boards, Hermes): back to ready. */
const REQUEUED_FROM: readonly TaskStatus[] = ["running", "ready", "blocked"];

/** The cached board after a burst of events, and what the events could not tell. */
export interface BoardPatch {
  board: BoardResponse;
  /** Tasks with fields no event carries (a new card's title, a result, a new claim expiry): refetch each. */
  refetch: Set<string>;
  /** Children that crossed the done line: their parents' progress moves by this much once their links are known. */
  progress: Map<string, number>;
  /** Something no single task can tell (e.g. which children wait on a task that left done): refetch the board once. */
  reload: boolean;
}

/** A mutable working copy of the board: cards by id, and what changed. */
class Draft {
  readonly cards = new Map<string, BoardCard>();
  readonly refetch = new Set<string>();
  readonly progress = new Map<string, number>();
  reload = false;
  tenants: string[];
  assignees: string[];
  latest: number;
  dispatcher: BoardResponse["dispatcher"];
  profiles: BoardResponse["profiles"];
  paused: BoardResponse["paused_profiles"];

  constructor(
    readonly base: BoardResponse,
    readonly view: BoardViewFilter,
  ) {
    for (const column of base.columns) for (const card of column.tasks) this.cards.set(card.id, card);
    this.tenants = base.tenants;
    this.assignees = base.assignees;
    this.latest = base.latest_event_id;
    this.dispatcher = base.dispatcher;
    this.profiles = base.profiles;
    this.paused = base.paused_profiles;
  }

  /** Keeps the running counts behind "at capacity" in step as cards enter or leave running. */
  countRunning(assignee: string | null, delta: number): void {
    if (this.dispatcher)
      this.dispatcher = { ...this.dispatcher, running: Math.max(0, this.dispatcher.running + delta) };
    if (this.profiles && assignee !== null) {
      this.profiles = this.profiles.map((p) =>
        p.name === assignee ? { ...p, running: Math.max(0, p.running + delta) } : p,
      );
    }
  }

  patch(id: string, changes: Partial<BoardCard>): BoardCard | undefined {
    const card = this.cards.get(id);
    if (!card) return undefined;
    const next = { ...card, ...changes };
    this.cards.set(id, next);
    return next;
  }

  /** Moves a card to another status, keeping its relatives' waits and progress in step. */
  setStatus(id: string, status: TaskStatus, changes: Partial<BoardCard> = {}): void {
    const card = this.cards.get(id);
    if (!card) {
      // A card this view does not hold may have just become visible (e.g. unarchived): ask for it.
      this.refetch.add(id);
      return;
    }
    const was = card.status;
    if ((was === "running") !== (status === "running")) this.countRunning(card.assignee, status === "running" ? 1 : -1);
    if (status === "archived" && !this.view.includeArchived) this.cards.delete(id);
    else
      this.patch(id, {
        ...changes,
        status,
        ...(canWait(status) ? {} : { waiting_on: undefined }),
        // Only a todo task is parked, and only a blocked one has a reason (the events that put it there say).
        ...(status === "todo" ? {} : { parked: false }),
        ...(status === "blocked" ? {} : { blocked_reason: undefined }),
      });
    const wasDone = was === "done";
    const isDone = status === "done";
    if (wasDone !== isDone && card.link_counts.parents > 0) {
      this.progress.set(id, (this.progress.get(id) ?? 0) + (isDone ? 1 : -1));
      this.refetch.add(id);
    }
    if (!satisfiesChildren(was) && satisfiesChildren(status)) this.unblockChildren(id);
    if (satisfiesChildren(was) && !satisfiesChildren(status) && card.link_counts.children > 0) this.reload = true;
  }

  /**
   * A run ended without finishing (reclaim, crash, timeout, …) and the task went back where the
   * kernel put it: ready, or todo while a parent is unfinished, which parent the event does not say.
   */
  requeue(id: string, status: TaskStatus, changes: Partial<BoardCard>): void {
    const was = this.cards.get(id)?.status;
    this.setStatus(id, status, changes);
    if (status === "todo" && was !== "todo") this.refetch.add(id);
  }

  /** One more active warning of `kind` on a task (the active-vs-stale rule: until its next completed or edited event). */
  warn(id: string, kind: string, at: number): void {
    const w = this.cards.get(id)?.warnings;
    this.patch(id, {
      warnings: {
        count: (w?.count ?? 0) + 1,
        kinds: { ...w?.kinds, [kind]: (w?.kinds[kind] ?? 0) + 1 },
        latest_at: Math.max(w?.latest_at ?? 0, at),
      },
    });
  }

  /** A task became done or archived: no card waits on it any more. */
  unblockChildren(id: string): void {
    for (const card of this.cards.values()) {
      if (card.waiting_on?.includes(id)) {
        const rest = card.waiting_on.filter((p) => p !== id);
        this.patch(card.id, { waiting_on: rest.length > 0 ? rest : undefined });
      }
    }
  }

  /**
   * An edge was added (+1) or removed (-1). `childStatus` is where the kernel left the child; an
   * event without it (older boards, Hermes) lets the patcher draw the consequence itself: a ready
   * child of an unfinished parent waits again (todo).
   */
  link(parentId: string, childId: string, delta: 1 | -1, childStatus: TaskStatus | undefined): void {
    const parent = this.cards.get(parentId);
    const child = this.cards.get(childId);
    if (!parent || !child) {
      // One side is outside this view, so whether the child waits on it is unknown.
      this.reload = true;
      return;
    }
    const childDone = child.status === "done" ? 1 : 0;
    const total = parent.link_counts.children + delta;
    const done = (parent.progress?.done ?? 0) + delta * childDone;
    this.patch(parentId, {
      link_counts: { ...parent.link_counts, children: total },
      progress: total > 0 ? { done, total } : null,
    });
    const holds = delta === 1 && !satisfiesChildren(parent.status);
    const status = childStatus ?? (holds && child.status === "ready" ? "todo" : child.status);
    if (status !== child.status) this.setStatus(childId, status);
    const waits = new Set(this.cards.get(childId)?.waiting_on ?? []);
    if (holds && canWait(status)) waits.add(parentId);
    if (delta === -1) waits.delete(parentId);
    this.patch(childId, {
      link_counts: { ...child.link_counts, parents: child.link_counts.parents + delta },
      waiting_on: waits.size > 0 ? [...waits].sort() : undefined,
    });
  }

  apply(event: TaskEvent): void {
    this.latest = Math.max(this.latest, event.id);
    const id = event.task_id;
    const at = event.created_at;
    switch (event.kind) {
      case "created": {
        // A card already here came from the dashboard's own create, which counted it in its parents.
        if (this.cards.has(id)) return;
        // The toolbar's lists cover the whole board, whatever this view filters.
        this.assignees = addSorted(this.assignees, event.payload.assignee);
        this.tenants = addSorted(this.tenants, event.payload.tenant);
        if (this.view.tenant && event.payload.tenant !== this.view.tenant) return;
        this.refetch.add(id);
        for (const parentId of event.payload.parents) {
          const parent = this.cards.get(parentId);
          if (!parent) continue;
          const total = parent.link_counts.children + 1;
          this.patch(parentId, {
            link_counts: { ...parent.link_counts, children: total },
            progress: { done: parent.progress?.done ?? 0, total },
          });
        }
        return;
      }
      case "promoted":
        this.setStatus(id, "ready");
        return;
      case "claimed": {
        const started = this.cards.get(id)?.started_at ?? at;
        this.setStatus(id, "running", {
          claim_lock: event.payload.lock,
          claim_expires: event.payload.expires,
          current_run_id: event.payload.run_id,
          started_at: started,
          retry_after: null,
        });
        return;
      }
      case "spawned":
        this.patch(id, { worker_pid: event.payload.pid });
        return;
      case "heartbeat":
        // The heartbeat extended the claim by a TTL the event does not carry (SPEC §3.1).
        this.patch(id, { last_heartbeat_at: at });
        this.refetch.add(id);
        return;
      case "completed":
        // The result's text is not in the event.
        this.setStatus(id, "done", { ...NO_CLAIM, completed_at: at, spawn_failures: 0, warnings: undefined });
        this.refetch.add(id);
        return;
      case "completion_blocked_hallucination":
      case "suspected_hallucinated_references":
        this.warn(id, event.kind, at);
        return;
      case "completion_blocked_unverified": {
        this.warn(id, event.kind, at);
        // Refused at the completion call (phase receipts), the task is unchanged; refused by the
        // board's own check (phase verify), it went back where the kernel put it, a failure counted.
        const { status, failures } = event.payload;
        if (status) {
          this.requeue(id, status, { ...NO_CLAIM, ...(failures !== undefined ? { spawn_failures: failures } : {}) });
          this.refetch.add(id);
        }
        return;
      }
      case "verifying":
        // The completion was handed in: the task stays running on its run while the board checks
        // it, its worker is expected to exit and its claim no longer expires.
        this.patch(id, { worker_pid: null, claim_expires: null });
        return;
      case "completion_waived":
        // The `completed` event that follows moves the task and clears its warnings.
        return;
      case "edited":
        // Which fields changed, and to what, is not in the event.
        this.patch(id, { warnings: undefined });
        this.refetch.add(id);
        return;
      case "blocked":
        this.setStatus(id, "blocked", {
          ...NO_CLAIM,
          blocked_reason: { kind: "blocked", reason: event.payload?.reason ?? null, by: event.payload?.author ?? null },
        });
        return;
      case "unblocked":
        this.setStatus(id, "ready", { ...NO_CLAIM, spawn_failures: 0, retry_after: null });
        return;
      case "archived":
        this.setStatus(id, "archived", NO_CLAIM);
        return;
      case "assigned": {
        const card = this.cards.get(id);
        if (card?.status === "running") {
          this.countRunning(card.assignee, -1);
          this.countRunning(event.payload.assignee, 1);
        }
        this.patch(id, { assignee: event.payload.assignee });
        this.assignees = addSorted(this.assignees, event.payload.assignee);
        return;
      }
      case "linked":
        this.link(event.payload.parent, event.payload.child, 1, event.payload.child_status);
        return;
      case "unlinked":
        this.link(event.payload.parent, event.payload.child, -1, event.payload.child_status);
        return;
      case "commented": {
        const card = this.cards.get(id);
        if (card) this.patch(id, { comment_count: card.comment_count + 1 });
        return;
      }
      case "reprioritized":
        this.patch(id, { priority: event.payload.priority });
        return;
      case "status": {
        const status = event.payload.status;
        if (!isStatus(status)) {
          this.reload = true;
          return;
        }
        this.setStatus(id, status, {
          ...(status === "running" ? {} : NO_CLAIM),
          ...(status === "todo" ? { parked: event.payload.parked === true } : {}),
        });
        // A demoted child waits again on a parent this event does not name.
        if (status === "todo") this.refetch.add(id);
        return;
      }
      case "reclaimed": {
        const card = this.cards.get(id);
        const guess = card && REQUEUED_FROM.includes(card.status) ? "ready" : card?.status;
        const next = event.payload.status ?? guess;
        if (next) this.requeue(id, next, NO_CLAIM);
        return;
      }
      case "spawn_failed":
        this.requeue(id, event.payload.status ?? "ready", {
          ...NO_CLAIM,
          spawn_failures: event.payload.failures,
          last_spawn_error: event.payload.error,
        });
        return;
      case "crashed":
      case "timed_out":
      case "protocol_violation":
        // Back for another try (ready, when an older event does not say); the error text is not in the event.
        this.requeue(id, event.payload.status ?? "ready", NO_CLAIM);
        this.refetch.add(id);
        return;
      case "gave_up":
        this.setStatus(id, "blocked", {
          ...NO_CLAIM,
          spawn_failures: event.payload.failures,
          last_spawn_error: event.payload.error,
          blocked_reason: { kind: "gave_up", failures: event.payload.failures, error: event.payload.error },
        });
        return;
      case "rate_limited":
        // Not a failure: back where the kernel put it, not claimable before `retry_after`.
        this.requeue(id, event.payload.status, { ...NO_CLAIM, retry_after: event.payload.retry_after });
        return;
      case "max_retries_set":
        this.patch(id, { max_retries: event.payload.max_retries });
        return;
      case "profile_paused": {
        const { profile, fingerprint, failures } = event.payload;
        const others = (this.paused ?? []).filter((p) => p.profile !== profile);
        this.paused = [...others, { profile, fingerprint, failures, paused_at: at, task_id: id }].sort((a, b) =>
          a.profile < b.profile ? -1 : a.profile > b.profile ? 1 : 0,
        );
        return;
      }
      case "profile_resumed":
        this.paused = (this.paused ?? []).filter((p) => p.profile !== event.payload.profile);
        return;
      case "worker_stopped":
        // The run had already ended; its task's card moved with that event.
        return;
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
      }
    }
  }

  /**
   * The dashboard's own change to a card, drawn as the kernel's event would draw it: an assignee
   * moves a running card between the running counts, a new status goes through `setStatus` (its
   * relatives' waits and progress, the running counts). The event that follows finds the card
   * already there and changes nothing twice.
   */
  change(id: string, status: TaskStatus | undefined, fields: Partial<BoardCard>): void {
    const card = this.cards.get(id);
    if (!card) return;
    if (fields.assignee !== undefined && fields.assignee !== card.assignee && card.status === "running") {
      this.countRunning(card.assignee, -1);
      this.countRunning(fields.assignee, 1);
    }
    if (fields.assignee) this.assignees = addSorted(this.assignees, fields.assignee);
    this.patch(id, fields);
    if (status !== undefined && status !== card.status)
      this.setStatus(id, status, status === "running" ? {} : NO_CLAIM);
  }

  result(): BoardResponse {
    const columns = regroup(this.base, this.cards.values());
    return {
      ...this.base,
      columns,
      tenants: this.tenants,
      assignees: this.assignees,
      latest_event_id: this.latest,
      ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      ...(this.profiles ? { profiles: this.profiles } : {}),
      ...(this.paused ? { paused_profiles: this.paused } : {}),
    };
  }
}

/**
 * Applies a burst of live events to the cached board (the one place that does): patches every
 * card the events describe, and says what they could not tell so the caller refetches just that.
 */
export function applyEvents(board: BoardResponse, events: readonly TaskEvent[], view: BoardViewFilter): BoardPatch {
  const draft = new Draft(board, view);
  for (const event of events) {
    if (event.id > board.latest_event_id) draft.apply(event);
  }
  return { board: draft.result(), refetch: draft.refetch, progress: draft.progress, reload: draft.reload };
}

/**
 * A change the dashboard itself makes to a card (an optimistic move or edit), with the same
 * consequences an event for it would have on the rest of the board. What it cannot tell (a
 * parent's progress once the card crosses the done line, children that wait again) comes back
 * in `refetch`/`progress`/`reload`, as from `applyEvents`.
 */
export function applyOwnChange(
  board: BoardResponse,
  view: BoardViewFilter,
  id: string,
  status: TaskStatus | undefined,
  fields: Partial<BoardCard> = {},
): BoardPatch {
  const draft = new Draft(board, view);
  draft.change(id, status, fields);
  return { board: draft.result(), refetch: draft.refetch, progress: draft.progress, reload: draft.reload };
}

/**
 * The task as the server answered one of the dashboard's own writes (`PATCH /tasks/:id`,
 * `POST /tasks`), folded into the cached board: an existing card takes every field of the
 * answer (its status through `applyOwnChange`); a new one (`parents`: the ones it was created
 * with) is added as its `created` event would add it, counted in its parents, so that the event,
 * when it comes, finds it there and adds nothing.
 */
export function applyOwnTask(
  board: BoardResponse,
  view: BoardViewFilter,
  task: TaskDict,
  parents: readonly string[] = [],
): BoardPatch {
  const draft = new Draft(board, view);
  const card = draft.cards.get(task.id);
  const visible = (view.includeArchived || task.status !== "archived") && (!view.tenant || task.tenant === view.tenant);
  if (card) {
    const { status, ...fields } = task;
    draft.change(task.id, status, fields);
    if (!visible) draft.cards.delete(task.id);
  } else if (visible) {
    const waiting = canWait(task.status)
      ? parents.filter((p) => {
          const parent = draft.cards.get(p);
          return parent ? !satisfiesChildren(parent.status) : false;
        })
      : [];
    draft.cards.set(task.id, {
      ...task,
      link_counts: { parents: parents.length, children: 0 },
      comment_count: 0,
      progress: null,
      ...(waiting.length > 0 ? { waiting_on: waiting } : {}),
    });
    draft.assignees = addSorted(draft.assignees, task.assignee);
    draft.tenants = addSorted(draft.tenants, task.tenant);
    for (const parentId of parents) {
      const parent = draft.cards.get(parentId);
      if (!parent) continue;
      const total = parent.link_counts.children + 1;
      draft.patch(parentId, {
        link_counts: { ...parent.link_counts, children: total },
        progress: { done: parent.progress?.done ?? 0, total },
      });
    }
  }
  return { board: draft.result(), refetch: draft.refetch, progress: draft.progress, reload: draft.reload };
}
