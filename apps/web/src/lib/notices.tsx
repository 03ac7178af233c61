import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from "react";

export type NoticeTone = "error" | "info";

/** A button on a notice (Undo), which also dismisses it. */
export interface NoticeAction {
  label: string;
  run(): void;
}

export interface NoticeOptions {
  tone?: NoticeTone;
  /**
   * What the notice is about (e.g. `task:t_1`): a later notice with the same key replaces it, and
   * `resolve(key)` takes it down, so a later success never leaves an old error up.
   */
  key?: string;
  action?: NoticeAction;
  /** How long it stays, in ms; by default `NOTICE_DURATION` of its tone. */
  duration?: number;
}

export interface Notice {
  id: number;
  text: string;
  tone: NoticeTone;
  key: string | null;
  action: NoticeAction | null;
  duration: number;
}

/** Errors stay a few seconds longer than news; both wait while the pointer or focus is on them. */
export const NOTICE_DURATION: Readonly<Record<NoticeTone, number>> = { info: 6000, error: 10_000 };

/** The most notices shown at once; a new one pushes the oldest out. */
export const MAX_NOTICES = 4;

export interface NoticeApi {
  /** Shows a notice (an error unless told otherwise) and returns its id. */
  show(text: string, options?: NoticeTone | NoticeOptions): number;
  dismiss(id: number): void;
  /** Takes down the notice shown under `key`, if any. */
  resolve(key: string): void;
  clear(): void;
}

const ApiContext = createContext<NoticeApi | null>(null);
const ListContext = createContext<readonly Notice[]>([]);

/**
 * The page's one notification surface: a stack of toasts (refusals, failures, news, Undo). The
 * functions are stable, so showing a notice re-renders only the stack.
 */
export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<readonly Notice[]>([]);
  const next = useRef(1);

  const show = useCallback((text: string, options: NoticeTone | NoticeOptions = {}) => {
    const o = typeof options === "string" ? { tone: options } : options;
    const tone = o.tone ?? "error";
    const notice: Notice = {
      id: next.current++,
      text,
      tone,
      key: o.key ?? null,
      action: o.action ?? null,
      duration: o.duration ?? NOTICE_DURATION[tone],
    };
    setNotices((list) =>
      [...list.filter((n) => notice.key === null || n.key !== notice.key), notice].slice(-MAX_NOTICES),
    );
    return notice.id;
  }, []);
  const dismiss = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);
  const resolve = useCallback((key: string) => setNotices((list) => list.filter((n) => n.key !== key)), []);
  const clear = useCallback(() => setNotices([]), []);
  const api = useMemo(() => ({ show, dismiss, resolve, clear }), [show, dismiss, resolve, clear]);

  return (
    <ApiContext.Provider value={api}>
      <ListContext.Provider value={notices}>{children}</ListContext.Provider>
    </ApiContext.Provider>
  );
}

/** Shows and takes down notices. */
export function useNotice(): NoticeApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error("NoticeProvider is missing");
  return api;
}

/** The notices up now, oldest first (for the stack that shows them). */
export function useNotices(): readonly Notice[] {
  return useContext(ListContext);
}
