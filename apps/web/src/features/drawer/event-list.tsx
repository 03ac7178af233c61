import type { TaskEvent } from "@switchyard/contract";
import { useState } from "react";
import { eventSentence } from "../../lib/event-sentences.ts";
import { formatAge } from "../../lib/time.ts";
import { WarningIcon } from "../../ui/icons.tsx";
import { describeHallucination, isHallucinationEvent, newestFirst } from "./history.ts";
import { UnverifiedCallout } from "./unverified-callout.tsx";

const SHOWN = 20;

function EventRow({ event, now }: { event: TaskEvent; now: number }) {
  if (event.kind === "completion_blocked_unverified") return <UnverifiedCallout event={event} now={now} />;
  if (isHallucinationEvent(event)) {
    const { label, phantomIds } = describeHallucination(event);
    return (
      <li className="sy-event sy-event-hallucination" data-kind={event.kind}>
        <div className="sy-event-head">
          <span className="sy-warning-icon">
            <WarningIcon />
          </span>
          <strong>{label}</strong> <span className="sy-muted">{formatAge(now - event.created_at)} ago</span>
        </div>
        <div className="sy-phantom-ids">
          Phantom ids:{" "}
          <ul aria-label="Phantom ids" className="sy-chips">
            {phantomIds.map((id) => (
              <li key={id}>
                <code className="sy-chip">{id}</code>
              </li>
            ))}
          </ul>
        </div>
      </li>
    );
  }
  return (
    <li className="sy-event" data-kind={event.kind}>
      <div className="sy-event-head">
        <span className="sy-event-sentence">{eventSentence(event)}</span>{" "}
        <span className="sy-muted">{formatAge(now - event.created_at)} ago</span>
      </div>
      {event.payload === null ? null : (
        <details className="sy-event-raw">
          <summary>
            Raw <code>{event.kind}</code> payload
          </summary>
          <pre className="sy-event-payload">{JSON.stringify(event.payload)}</pre>
        </details>
      )}
    </li>
  );
}

/**
 * Events (N), newest first; the newest 20 unless expanded. Hallucination events and refused
 * completions stand out (red border, ⚠, a label and the phantom ids or refused claims as chips);
 * the rest read as a sentence (who, what, why: `lib/event-sentences.ts`) with their age, and the
 * raw payload behind a disclosure.
 */
export function EventList({ events, now }: { events: readonly TaskEvent[]; now: number }) {
  const [all, setAll] = useState(false);
  const ordered = newestFirst(events);
  const shown = all ? ordered : ordered.slice(0, SHOWN);
  return (
    <section className="sy-drawer-section" aria-label="Events">
      <h3>Events ({events.length})</h3>
      <ol className="sy-events">
        {shown.map((e) => (
          <EventRow key={e.id} event={e} now={now} />
        ))}
      </ol>
      {ordered.length > SHOWN ? (
        <button type="button" className="sy-link-button" onClick={() => setAll(!all)}>
          {all ? "Show the newest 20" : `Show all ${ordered.length}`}
        </button>
      ) : null}
    </section>
  );
}
