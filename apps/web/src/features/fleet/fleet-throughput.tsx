import type { FleetThroughput } from "@switchyard/contract";
import { formatDuration } from "../../lib/time.ts";

function bucketTime(start: number): string {
  return new Date(start * 1000).toLocaleString(undefined, {
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** Tasks done per bucket (an hour unless the window is long) as bars, and the cycle time's median and p90. */
export function FleetThroughputView({ throughput, hours }: { throughput: FleetThroughput; hours: number }) {
  const most = Math.max(1, ...throughput.buckets.map((b) => b.done));
  const per = throughput.bucket_seconds === 3600 ? "hour" : `${formatDuration(throughput.bucket_seconds)}`;
  return (
    <div className="sy-fleet-throughput">
      <dl className="sy-fleet-figures">
        <div>
          <dt>Done in the window</dt>
          <dd>{throughput.done}</dd>
        </div>
        <div>
          <dt>Done per hour</dt>
          <dd>{hours > 0 ? (throughput.done / hours).toFixed(1) : "—"}</dd>
        </div>
        <div>
          <dt>Cycle time median</dt>
          <dd>{formatDuration(throughput.cycle_time_seconds.median)}</dd>
        </div>
        <div>
          <dt>Cycle time p90</dt>
          <dd>{formatDuration(throughput.cycle_time_seconds.p90)}</dd>
        </div>
      </dl>
      <ol className="sy-fleet-buckets" aria-label={`Tasks done per ${per}`}>
        {throughput.buckets.map((b) => {
          const label = `${bucketTime(b.start)}: ${b.done} done`;
          return (
            <li key={b.start} title={label} aria-label={label}>
              <span className="sy-fleet-bucket" style={{ height: `${(b.done / most) * 100}%` }} />
            </li>
          );
        })}
      </ol>
    </div>
  );
}
