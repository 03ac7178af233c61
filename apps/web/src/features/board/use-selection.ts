import { useCallback, useMemo, useState } from "react";

export interface Selection {
  /** Selected ids that are still on the board. */
  ids: string[];
  has(id: string): boolean;
  /** Ctrl/Cmd-click and the checkbox: toggle one card, keep the rest. */
  toggle(id: string): void;
  /** Shift-click: toggle one card and drop every other selection (reference §12). */
  toggleOnly(id: string): void;
  keep(ids: readonly string[]): void;
  clear(): void;
}

export function useSelection(present: ReadonlySet<string>): Selection {
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const toggle = useCallback((id: string) => {
    setChosen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);
  const toggleOnly = useCallback((id: string) => setChosen((prev) => new Set(prev.has(id) ? [] : [id])), []);
  const keep = useCallback((ids: readonly string[]) => setChosen(new Set(ids)), []);
  const clear = useCallback(() => setChosen(new Set()), []);
  const ids = useMemo(() => [...chosen].filter((id) => present.has(id)), [chosen, present]);
  const has = useCallback((id: string) => chosen.has(id) && present.has(id), [chosen, present]);
  return { ids, has, toggle, toggleOnly, keep, clear };
}
