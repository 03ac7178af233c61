import { useCallback, useRef } from "react";
import { useNotice } from "../../lib/notices.tsx";

/** How long a move, assignment or archive can be undone (Ctrl/Cmd+Z, or the toast's Undo). */
export const UNDO_WINDOW_MS = 10_000;

interface Entry {
  id: number;
  /** When the change was made (ms). */
  at: number;
  /** The toast that offers it. */
  toast: number;
  /** Puts things back (through the normal API: the kernel decides, a refusal is shown). */
  run(): void;
}

export interface Undo {
  /** Says what was done (`text`, a toast keyed by `key`) and offers Undo for the next 10 s. */
  offer(text: string, key: string, run: () => void): void;
  /** Undoes the latest change still within its 10 s; says so when there is none. */
  undoLast(): void;
}

/**
 * The board's undo: a stack of the last changes made here, each undoable for `UNDO_WINDOW_MS`
 * from its toast's Undo button or with Ctrl/Cmd+Z (the latest first). `now` is the clock (ms).
 */
export function useUndo(now: () => number = Date.now): Undo {
  const notice = useNotice();
  const stack = useRef<Entry[]>([]);
  const seq = useRef(0);
  const clock = useRef(now);
  clock.current = now;

  const fresh = useCallback((e: Entry) => clock.current() - e.at < UNDO_WINDOW_MS, []);

  const take = useCallback((id: number) => {
    const entry = stack.current.find((e) => e.id === id);
    stack.current = stack.current.filter((e) => e.id !== id);
    return entry;
  }, []);

  const offer = useCallback(
    (text: string, key: string, run: () => void) => {
      const id = ++seq.current;
      const toast = notice.show(text, {
        tone: "info",
        key,
        duration: UNDO_WINDOW_MS,
        action: { label: "Undo", run: () => take(id)?.run() },
      });
      stack.current = [...stack.current.filter(fresh), { id, at: clock.current(), toast, run }];
    },
    [notice, take, fresh],
  );

  const undoLast = useCallback(() => {
    const live = stack.current.filter(fresh);
    const last = live.at(-1);
    stack.current = live.slice(0, -1);
    if (!last) {
      notice.show("Nothing to undo: only the last 10 seconds' moves, assignments and archives can be undone.", "info");
      return;
    }
    notice.dismiss(last.toast);
    last.run();
  }, [notice, fresh]);

  return { offer, undoLast };
}
