import { type ReactNode, useEffect, useState } from "react";
import { WarningIcon } from "../../ui/icons.tsx";

interface RecoverySectionProps {
  /** Whether the task has active hallucination warnings. */
  warned: boolean;
  children: ReactNode;
}

/**
 * The collapsible Recovery section: its header reads "⚠ Recovery" in amber while warnings are
 * active; it opens by itself when the task has warnings, and again when warnings appear while
 * the drawer is open; otherwise it starts collapsed. Mount it keyed by task id.
 */
export function RecoverySection({ warned, children }: RecoverySectionProps) {
  const [open, setOpen] = useState(warned);

  useEffect(() => {
    if (warned) setOpen(true);
  }, [warned]);

  return (
    <section className={`sy-drawer-section sy-recovery${warned ? " sy-recovery-warned" : ""}`} aria-label="Recovery">
      <h3>
        <button type="button" className="sy-section-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          {warned ? (
            <>
              <WarningIcon label="⚠" /> Recovery
            </>
          ) : (
            "Recovery"
          )}
        </button>
      </h3>
      {open ? children : null}
    </section>
  );
}
