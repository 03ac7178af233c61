import { useCallback, useMemo, useState } from "react";

export interface Selection {
  /** Selected ids that are still on the board. */
  ids: string[];
  has(id: string): boolean;
  /** Ctrl/Cmd-click, the checkbox and `x`: toggle one card, keep the rest; a range starts there. */
  toggle(id: string): void;
  /** Where the next range starts (the card focus or a plain click last landed on). */
  anchorAt(id: string): void;
  /**
   * Shift-click and Shift+j/k: select the run of `order` (a column's cards as shown) from the
   * anchor to `to`, on top of what was selected when the range began. An anchor outside `order`
   * (another column) starts the range at `from`, or at `to` itself.
   */
  extend(to: string, order: readonly string[], from?: string | null): void;
  /** Exactly these (Ctrl/Cmd+A on a column; a bulk action's failures). */
  keep(ids: readonly string[]): void;
  clear(): void;
}

interface State {
  chosen: ReadonlySet<string>;
  /** Where a range starts, and what was selected before it. */
  anchor: { id: string; base: ReadonlySet<string> } | null;
}

function between(order: readonly string[], a: string, b: string): string[] {
  const i = order.indexOf(a);
  const j = order.indexOf(b);
  return order.slice(Math.min(i, j), Math.max(i, j) + 1);
}

export function useSelection(present: ReadonlySet<string>): Selection {
  const [state, setState] = useState<State>({ chosen: new Set(), anchor: null });
  const toggle = useCallback((id: string) => {
    setState(({ chosen }) => {
      const next = new Set(chosen);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return { chosen: next, anchor: { id, base: next } };
    });
  }, []);
  const anchorAt = useCallback((id: string) => {
    setState((s) => (s.anchor?.id === id ? s : { chosen: s.chosen, anchor: { id, base: s.chosen } }));
  }, []);
  const extend = useCallback((to: string, order: readonly string[], from: string | null = null) => {
    if (!order.includes(to)) return;
    setState(({ chosen, anchor }) => {
      const start =
        anchor && order.includes(anchor.id) ? anchor : { id: from && order.includes(from) ? from : to, base: chosen };
      return { chosen: new Set([...start.base, ...between(order, start.id, to)]), anchor: start };
    });
  }, []);
  const keep = useCallback((ids: readonly string[]) => setState({ chosen: new Set(ids), anchor: null }), []);
  const clear = useCallback(() => setState({ chosen: new Set(), anchor: null }), []);
  const { chosen } = state;
  const ids = useMemo(() => [...chosen].filter((id) => present.has(id)), [chosen, present]);
  const has = useCallback((id: string) => chosen.has(id) && present.has(id), [chosen, present]);
  return { ids, has, toggle, anchorAt, extend, keep, clear };
}
