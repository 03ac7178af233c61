import type { BlockedReason, EventKind, ReceiptVerdict, TaskEvent, TaskStatus } from "@switchyard/contract";
import { COLUMN_META } from "./columns.ts";
import { formatAge } from "./time.ts";
import { joinAnd } from "./words.ts";

/**
 * Every event kind of the contract as one sentence about its task: who did what, and why when
 * the event says (the drawer's Events, the activity feed). The table is a `Record` over the
 * kinds, so a kind added to the contract fails the typecheck until it has its sentence. Payloads
 * come from boards other programs wrote too, so every key is read as possibly missing.
 */

type EventOf<K extends EventKind> = Extract<TaskEvent, { kind: K }>;
type Sentences = { [K in EventKind]: (event: EventOf<K>) => string };

/** "Ready", "In Progress", …; a status the dashboard does not know, as written. */
function column(status: string | null | undefined): string {
  return status && status in COLUMN_META ? COLUMN_META[status as TaskStatus].label : String(status ?? "?");
}

/** ": text" when there is text, else nothing. */
function because(text: string | null | undefined): string {
  const t = text?.trim();
  return t ? `: ${t}` : "";
}

/** ", back to Ready" (or wherever the kernel put the task), when the event says. */
function backTo(status: string | null | undefined): string {
  return status ? `, back to ${column(status)}` : "";
}

/** ", failure 2", when the event counts failures. */
function failureCount(failures: number | null | undefined): string {
  return typeof failures === "number" ? `, failure ${failures}` : "";
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A verdict on a completion's claim as the dashboard lists it: "commit deadbeef: not_found" ("commit deadbeef" when verified). */
export function verdictText(v: Pick<ReceiptVerdict, "kind" | "claim" | "ok" | "reason">): string {
  return `${v.kind} ${v.claim}${v.ok || !v.reason ? "" : `: ${v.reason}`}`;
}

/** ", uncommitted work saved at refs/…", when a stopped worker's changes were saved (SPEC §12). */
function savedWork(wip: unknown): string {
  const ref = typeof wip === "object" && wip !== null && "ref" in wip ? wip.ref : null;
  return typeof ref === "string" && ref ? `, uncommitted work saved at ${ref}` : "";
}

/**
 * Why a blocked task is blocked, as its card and its events say it: "Blocked by alice: needs
 * the API key", "Worker gave up after 3 failures: <the last error>".
 */
export function blockedSentence(why: BlockedReason): string {
  return why.kind === "gave_up"
    ? `Worker gave up after ${plural(why.failures, "failure")}${because(why.error)}`
    : `Blocked${why.by ? ` by ${why.by}` : ""}${because(why.reason)}`;
}

const SENTENCES: Sentences = {
  created: ({ payload: p }) => {
    const parts = [`Created in ${column(p?.status)}`];
    if (p?.assignee) parts.push(`for ${p.assignee}`);
    if (p?.parents?.length) parts.push(`after ${joinAnd(p.parents)}`);
    if (p?.tenant) parts.push(`(tenant ${p.tenant})`);
    return parts.join(" ");
  },
  promoted: () => "Promoted to Ready: every parent is done",
  claimed: ({ payload: p }) => `Claimed by ${p?.lock ?? "someone"}${p?.run_id ? ` (run #${p.run_id})` : ""}`,
  spawned: ({ payload: p }) => `Worker started${p?.pid ? ` (pid ${p.pid})` : ""}`,
  worker_stopped: ({ payload: p }) =>
    `Worker stopped on ${p?.host ?? "?"}${p?.pid ? ` (pid ${p.pid}${p.sigkill ? ", killed after the grace period" : ""})` : ""}`,
  heartbeat: ({ payload: p }) => `Heartbeat${because(p?.note)}`,
  completed: ({ payload: p }) => {
    const cards = p?.verified_cards?.length ? ` (created ${joinAnd(p.verified_cards)})` : "";
    const receipts = p?.receipts_verified ? ` (${plural(p.receipts_verified, "receipt")} verified)` : "";
    // A waiver's own summary says so already ("Accepted without proof by alice: …").
    const waived = p?.waived && !/without proof/i.test(p?.summary ?? "") ? ", accepted without proof" : "";
    return `Completed${waived}${because(p?.summary)}${cards}${receipts}`;
  },
  completion_blocked_unverified: ({ payload: p }) => {
    const what = p?.phase === "verify" ? "verification failed" : "unverified claims";
    const refused = (p?.refused ?? []).map(verdictText);
    return (
      `Completion refused: ${what}${refused.length > 0 ? ` (${joinAnd(refused)})` : ""}` +
      `${failureCount(p?.failures)}${backTo(p?.status)}`
    );
  },
  verifying: ({ payload: p }) => {
    const commands = (p?.checks ?? []).map((c) => c.command);
    return commands.length > 0
      ? `Completion handed in: the board runs ${joinAnd(commands)} before it counts`
      : "Completion handed in: the board checks it before it counts";
  },
  completion_waived: ({ payload: p }) => `Accepted without proof${p?.by ? ` by ${p.by}` : ""}${because(p?.reason)}`,
  completion_blocked_hallucination: ({ payload: p }) =>
    `Completion refused: it named cards that do not exist (${joinAnd(p?.phantom_cards ?? [])})`,
  suspected_hallucinated_references: ({ payload: p }) =>
    `Mentions cards that do not exist (${joinAnd(p?.phantom_refs ?? [])})${p?.source ? ` in its ${p.source}` : ""}`,
  edited: ({ payload: p }) => (p?.fields?.length ? `Edited its ${joinAnd(p.fields)}` : "Edited"),
  blocked: ({ payload: p }) => blockedSentence({ kind: "blocked", reason: p?.reason ?? null, by: p?.author ?? null }),
  unblocked: () => "Unblocked, back to Ready",
  archived: () => "Archived",
  assigned: ({ payload: p }) => (p?.assignee ? `Assigned to ${p.assignee}` : "Unassigned"),
  linked: ({ payload: p }) =>
    `Now waits on parent ${p?.parent ?? "?"}${p?.child_status === "todo" ? ", so it is back in Todo" : ""}`,
  unlinked: ({ payload: p }) =>
    `No longer waits on ${p?.parent ?? "?"}${p?.child_status === "ready" ? ", so it is Ready" : ""}`,
  commented: ({ payload: p }) => `${p?.author ?? "Someone"} commented (${plural(p?.len ?? 0, "character")})`,
  reprioritized: ({ payload: p }) => `Priority set to ${p?.priority ?? "?"}`,
  status: ({ payload: p }) =>
    p?.parked ? "Parked in Todo by hand: it stays there until someone moves it" : `Moved to ${column(p?.status)}`,
  reclaimed: ({ payload: p }) =>
    p && "manual" in p && p.manual
      ? `Reclaimed by hand${because(typeof p.reason === "string" ? p.reason : null)}${backTo(p.status)}${savedWork(p.wip)}`
      : `Claim expired without a heartbeat${backTo(p?.status)}`,
  crashed: ({ payload: p }) =>
    `Worker crashed${p?.pid ? ` (pid ${p.pid})` : ""}${failureCount(p?.failures)}${backTo(p?.status)}`,
  timed_out: ({ payload: p }) =>
    `Worker stopped after ${formatAge(p?.elapsed_seconds ?? 0)}, over its ${formatAge(p?.limit_seconds ?? 0)} limit` +
    `${p?.sigkill ? " (killed)" : ""}${failureCount(p?.failures)}${backTo(p?.status)}${savedWork(p?.wip)}`,
  spawn_failed: ({ payload: p }) =>
    `Worker could not start${because(p?.error)}${failureCount(p?.failures)}${backTo(p?.status)}`,
  protocol_violation: ({ payload: p }) => {
    const how = p?.signal ? ` (signal ${p.signal})` : typeof p?.exit_code === "number" ? ` (exit ${p.exit_code})` : "";
    return `Worker exited without completing or blocking${how}${failureCount(p?.failures)}${backTo(p?.status)}`;
  },
  gave_up: ({ payload: p }) =>
    blockedSentence({ kind: "gave_up", failures: p?.failures ?? 0, error: p?.error ?? null }),
  rate_limited: ({ payload: p }) =>
    `Rate-limited: waits ${formatAge(p?.delay_seconds ?? 0)} before it can start again` +
    `${(p?.rate_limits ?? 0) > 1 ? ` (${p?.rate_limits} in a row)` : ""}${backTo(p?.status)}`,
  max_retries_set: ({ payload: p }) =>
    typeof p?.max_retries === "number"
      ? `Failure limit set to ${p.max_retries}`
      : "Failure limit back to the board's (dispatch.failure_limit)",
  profile_paused: ({ payload: p }) =>
    `Profile ${p?.profile ?? "?"} paused after ${plural(p?.failures ?? 0, "identical failure")}${because(p?.fingerprint)}`,
  profile_resumed: ({ payload: p }) => `Profile ${p?.profile ?? "?"} resumed${p?.by ? ` by ${p.by}` : ""}`,
};

/** The event as one sentence, e.g. "Blocked by alice: needs the API key". */
export function eventSentence(event: TaskEvent): string {
  const say = SENTENCES[event.kind] as ((event: TaskEvent) => string) | undefined;
  // A kind this dashboard does not know (a newer server): its name, rather than nothing.
  return say ? say(event) : String(event.kind).replaceAll("_", " ");
}
