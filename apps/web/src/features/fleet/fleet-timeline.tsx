import type { FleetRun } from "@switchyard/contract";
import { type RunTone, runTone } from "../../lib/run-tone.ts";
import { formatDuration } from "../../lib/time.ts";
import { TONE_MARKS } from "./fleet-words.ts";

const TICKS = [0, 0.25, 0.5, 0.75, 1];
const UNASSIGNED = "unassigned";

interface TimelineProps {
  runs: readonly FleetRun[];
  /** Profiles to give a lane even without runs in the window. */
  profiles: readonly string[];
  since: number;
  now: number;
  truncated: boolean;
  onOpenTask(id: string): void;
}

/** The runs by profile, lanes sorted by name (unassigned last), each lane's runs oldest first. */
export function lanesOf(runs: readonly FleetRun[], profiles: readonly string[]): Array<[string, FleetRun[]]> {
  const lanes = new Map<string, FleetRun[]>(profiles.map((p) => [p, []]));
  for (const run of runs) {
    const lane = run.profile ?? UNASSIGNED;
    const list = lanes.get(lane);
    if (list) list.push(run);
    else lanes.set(lane, [run]);
  }
  return [...lanes.entries()]
    .map(([name, list]): [string, FleetRun[]] => [name, list.sort((a, b) => a.started_at - b.started_at)])
    .sort(([a], [b]) => (a === UNASSIGNED ? 1 : b === UNASSIGNED ? -1 : a.localeCompare(b)));
}

/** What a bar says on hover and to a screen reader: the task, the outcome and how long it ran. */
export function barLabel(run: FleetRun, now: number): string {
  const tone = runTone(run);
  const outcome = run.outcome ?? TONE_MARKS[tone].label;
  const took = formatDuration((run.ended_at ?? now) - run.started_at);
  return `${run.title ?? run.task_id} — ${outcome.replaceAll("_", " ")}, ${took}${run.ended_at === null ? " so far" : ""}`;
}

function Bar({
  run,
  since,
  span,
  now,
  onOpen,
}: {
  run: FleetRun;
  since: number;
  span: number;
  now: number;
  onOpen(): void;
}) {
  const tone: RunTone = runTone(run);
  const start = Math.max(run.started_at, since);
  const end = Math.min(run.ended_at ?? now, now);
  const label = barLabel(run, now);
  return (
    <button
      type="button"
      className={`sy-fleet-bar sy-fleet-bar-${tone}`}
      data-tone={tone}
      data-run-id={run.run_id}
      style={{ left: `${((start - since) / span) * 100}%`, width: `${(Math.max(0, end - start) / span) * 100}%` }}
      title={label}
      aria-label={label}
      onClick={onOpen}
    >
      <span aria-hidden="true">{TONE_MARKS[tone].glyph}</span>
    </button>
  );
}

/**
 * One swimlane per profile, one bar per run from its start to its end (running ones to now),
 * coloured by outcome as the drawer's run history is, with a glyph and a fill pattern per outcome
 * so colour is never the only signal; hover names the task, a click opens its drawer.
 */
export function FleetTimeline({ runs, profiles, since, now, truncated, onOpenTask }: TimelineProps) {
  const span = Math.max(1, now - since);
  const lanes = lanesOf(runs, profiles);
  return (
    <div className="sy-fleet-timeline">
      <ul className="sy-fleet-legend" aria-label="Outcomes">
        {(Object.keys(TONE_MARKS) as RunTone[]).map((tone) => (
          <li key={tone}>
            <span className={`sy-fleet-swatch sy-fleet-bar-${tone}`} aria-hidden="true">
              {TONE_MARKS[tone].glyph}
            </span>
            {TONE_MARKS[tone].label}
          </li>
        ))}
      </ul>
      {runs.length === 0 ? <p className="sy-muted">No runs in this window.</p> : null}
      {truncated ? <p className="sy-muted">Only the newest {runs.length} runs of the window are drawn.</p> : null}
      <ul className="sy-fleet-lanes">
        {lanes.map(([name, laneRuns]) => (
          <li key={name} className="sy-fleet-lane" aria-label={`${name}: ${laneRuns.length} runs`}>
            <span className="sy-fleet-lane-name">{name}</span>
            <div className="sy-fleet-track">
              {laneRuns.map((run) => (
                <Bar
                  key={run.run_id}
                  run={run}
                  since={since}
                  span={span}
                  now={now}
                  onOpen={() => onOpenTask(run.task_id)}
                />
              ))}
            </div>
          </li>
        ))}
      </ul>
      <div className="sy-fleet-axis" aria-hidden="true">
        {TICKS.map((f) => (
          <span key={f} style={{ left: `${f * 100}%` }}>
            {f === 1 ? "now" : `−${formatDuration(Math.round(span * (1 - f)))}`}
          </span>
        ))}
      </div>
    </div>
  );
}
