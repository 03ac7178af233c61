import "./fleet.css";
import type { FleetFigures } from "@switchyard/contract";
import { useState } from "react";
import { useBoard } from "../../api/board.ts";
import type { BoardViewFilter } from "../../api/board-cards.ts";
import { errorMessage } from "../../api/errors.ts";
import { FLEET_WINDOWS, type FleetWindow, useFleet } from "../../api/fleet.ts";
import { serverNow } from "../../lib/time.ts";
import { GroupTable, QueueTable } from "./fleet-tables.tsx";
import { FleetThroughputView } from "./fleet-throughput.tsx";
import { FleetTimeline } from "./fleet-timeline.tsx";

const WINDOW_LABELS: Readonly<Record<FleetWindow, string>> = {
  hour: "Last hour",
  day: "Last day",
  week: "Last week",
};

export interface FleetPageProps {
  slug: string;
  /** The board view the page is beside: its `GET /board` gives the server's clock. */
  view: BoardViewFilter;
  onOpenTask(id: string): void;
}

/**
 * The fleet page (issue 19): per profile and host, the runs over time, throughput and cycle time,
 * and the queue, from `GET /fleet` over the last hour, day or week. The live stream refreshes it.
 */
export function FleetPage({ slug, view, onOpenTask }: FleetPageProps) {
  const [shown, setShown] = useState<FleetWindow>("day");
  const board = useBoard(slug, view);
  // The window ends at the server's now: the board's, advanced by the time elapsed here since.
  const boardNow = board.data?.now;
  const fetchedAt = board.dataUpdatedAt;
  const fleet = useFleet(slug, shown, boardNow === undefined ? null : () => serverNow(boardNow, fetchedAt, Date.now()));

  return (
    <section className="sy-fleet" aria-label="Fleet">
      <div className="sy-fleet-head">
        <h2>Fleet</h2>
        <fieldset className="sy-fleet-window">
          <legend>Window</legend>
          {(Object.keys(FLEET_WINDOWS) as FleetWindow[]).map((w) => (
            <label key={w}>
              <input type="radio" name="fleet-window" checked={w === shown} onChange={() => setShown(w)} />
              {WINDOW_LABELS[w]}
            </label>
          ))}
        </fieldset>
        {fleet.isFetching && fleet.data ? <span className="sy-muted">Updating…</span> : null}
      </div>
      {fleet.data ? (
        <FleetSections figures={fleet.data} onOpenTask={onOpenTask} />
      ) : fleet.isError ? (
        <p className="sy-fatal" role="alert">
          Failed to load the fleet: {errorMessage(fleet.error, "loading the fleet")}
        </p>
      ) : (
        <p className="sy-loading">Loading fleet…</p>
      )}
    </section>
  );
}

function FleetSections({ figures, onOpenTask }: { figures: FleetFigures; onOpenTask(id: string): void }) {
  const profiles = figures.profiles.map((p) => ({ ...p, kind: "profile" as const }));
  const hosts = figures.hosts.map((h) => ({ ...h, kind: "host" as const }));
  return (
    <>
      <section className="sy-fleet-section" aria-label="Workers">
        <h3>Workers</h3>
        {profiles.length === 0 ? (
          <p className="sy-muted">No profile has run or waits on this board.</p>
        ) : (
          <GroupTable caption="Per profile" groups={profiles} />
        )}
        {hosts.length > 0 ? <GroupTable caption="Per host" groups={hosts} /> : null}
      </section>
      <section className="sy-fleet-section" aria-label="Timeline">
        <h3>Timeline</h3>
        <FleetTimeline
          runs={figures.runs}
          profiles={figures.profiles.map((p) => p.profile)}
          since={figures.since}
          now={figures.now}
          truncated={figures.runs_truncated}
          onOpenTask={onOpenTask}
        />
      </section>
      <section className="sy-fleet-section" aria-label="Throughput">
        <h3>Throughput and cycle time</h3>
        <FleetThroughputView throughput={figures.throughput} hours={(figures.now - figures.since) / 3600} />
      </section>
      <section className="sy-fleet-section" aria-label="Queue">
        <h3>Queue</h3>
        <QueueTable queue={figures.queue} now={figures.now} />
      </section>
    </>
  );
}
