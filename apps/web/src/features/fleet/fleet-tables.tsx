import {
  FLEET_FAILURE_KINDS,
  type FleetHost,
  type FleetProfile,
  type FleetQueue,
  type FleetSpread,
} from "@switchyard/contract";
import { formatAge, formatDuration } from "../../lib/time.ts";
import { FAILURE_LABELS, formatRate, QUEUE_REASONS } from "./fleet-words.ts";

type Group = (FleetProfile & { kind: "profile" }) | (FleetHost & { kind: "host" });

function state(group: Group): string {
  if (group.kind === "profile") return group.paused ? "paused" : "—";
  if (group.expired === null) return "no lease";
  return group.expired ? "expired" : "—";
}

function running(group: Group): string {
  return group.cap === null ? String(group.running) : `${group.running} / ${group.cap}`;
}

function Spread({ spread, which }: { spread: FleetSpread; which: "median" | "p90" }) {
  return <td>{formatDuration(spread[which])}</td>;
}

/**
 * Per profile or per host: running now against the cap, paused (expired), runs and tasks done in
 * the window, run duration median and p90, and each failure kind as count and rate per ended run.
 */
export function GroupTable({ caption, groups }: { caption: string; groups: readonly Group[] }) {
  const who = groups[0]?.kind === "host" ? "Host" : "Profile";
  return (
    <table className="sy-fleet-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{who}</th>
          <th scope="col">Running / cap</th>
          <th scope="col">{who === "Host" ? "Lease" : "Paused"}</th>
          <th scope="col">Runs ended</th>
          <th scope="col">Done</th>
          <th scope="col">Median run</th>
          <th scope="col">p90 run</th>
          {FLEET_FAILURE_KINDS.map((kind) => (
            <th scope="col" key={kind}>
              {FAILURE_LABELS[kind]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => {
          const name = g.kind === "profile" ? g.profile : g.host;
          return (
            <tr key={name} data-group={name}>
              <th scope="row">{name}</th>
              <td>{running(g)}</td>
              <td>{state(g)}</td>
              <td>{g.runs}</td>
              <td>{g.done}</td>
              <Spread spread={g.duration_seconds} which="median" />
              <Spread spread={g.duration_seconds} which="p90" />
              {FLEET_FAILURE_KINDS.map((kind) => (
                <td key={kind} className={g.failures[kind].count > 0 ? "sy-fleet-failing" : undefined}>
                  {formatRate(g.failures[kind])}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function reason(q: FleetQueue, now: number): string {
  if (q.reason === null) return "—";
  if (q.reason === "rate_limited" && q.next_retry_at !== null)
    return `${QUEUE_REASONS.rate_limited} (next retry in ${formatAge(q.next_retry_at - now)})`;
  return QUEUE_REASONS[q.reason];
}

/** Ready tasks waiting per assignee, the oldest one's age and why they wait. */
export function QueueTable({ queue, now }: { queue: readonly FleetQueue[]; now: number }) {
  if (queue.length === 0) return <p className="sy-muted">No ready task is waiting.</p>;
  return (
    <table className="sy-fleet-table">
      <caption>Ready tasks waiting</caption>
      <thead>
        <tr>
          <th scope="col">Profile</th>
          <th scope="col">Ready</th>
          <th scope="col">Rate-limited</th>
          <th scope="col">Oldest waiting</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {queue.map((q) => (
          <tr key={q.profile ?? ""} data-group={q.profile ?? "unassigned"}>
            <th scope="row">{q.profile ?? "unassigned"}</th>
            <td>{q.ready}</td>
            <td>{q.rate_limited}</td>
            <td>{formatDuration(q.oldest_age_seconds)}</td>
            <td>{reason(q, now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
