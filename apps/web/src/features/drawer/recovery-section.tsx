import type { TaskDict, TaskEvent } from "@switchyard/contract";
import { type ReactNode, useEffect, useState } from "react";
import { blockedSentence } from "../../lib/event-sentences.ts";
import { WarningIcon } from "../../ui/icons.tsx";
import { newestFirst } from "./history.ts";

/**
 * Why a task needs recovering, when it does besides warnings: the dispatcher gave up on it (it
 * is blocked by `gave_up`), or its worker failed two times or more in a row (the failure
 * counter, which a completion or an unblock resets). Null otherwise.
 */
export function recoveryAttention(
  task: Pick<TaskDict, "status" | "spawn_failures">,
  events: readonly TaskEvent[],
): string | null {
  if (task.status === "blocked") {
    const block = newestFirst(events).find((e) => e.kind === "blocked" || e.kind === "gave_up");
    if (block?.kind === "gave_up") {
      return blockedSentence({ kind: "gave_up", failures: block.payload.failures, error: null });
    }
  }
  if (task.spawn_failures >= 2) return `Its worker failed ${task.spawn_failures} times in a row`;
  return null;
}

interface RecoverySectionProps {
  /** Whether the task has active warnings (hallucinated cards, unverified completions). */
  warned: boolean;
  /** Why else the task needs recovering (`recoveryAttention`), or null. */
  attention?: string | null;
  children: ReactNode;
}

/**
 * The collapsible Recovery section: its header reads "⚠ Recovery" in amber while warnings are
 * active or the task is failing (with why, beside it); it opens by itself when the task has
 * warnings, gave up or keeps failing, and again when one of these appears while the drawer is
 * open; otherwise it starts collapsed. Mount it keyed by task id.
 */
export function RecoverySection({ warned, attention = null, children }: RecoverySectionProps) {
  const alarmed = warned || attention !== null;
  const [open, setOpen] = useState(alarmed);

  useEffect(() => {
    if (warned) setOpen(true);
  }, [warned]);
  useEffect(() => {
    if (attention !== null) setOpen(true);
  }, [attention]);

  return (
    <section className={`sy-drawer-section sy-recovery${alarmed ? " sy-recovery-warned" : ""}`} aria-label="Recovery">
      <h3>
        <button type="button" className="sy-section-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          {alarmed ? (
            <>
              <WarningIcon label="⚠" /> Recovery
            </>
          ) : (
            "Recovery"
          )}
        </button>
      </h3>
      {attention !== null ? <p className="sy-recovery-why">{attention}</p> : null}
      {open ? children : null}
    </section>
  );
}
