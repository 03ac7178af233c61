import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";

export type NoticeTone = "error" | "info";

export interface Notice {
  text: string;
  tone: NoticeTone;
}

interface NoticeState {
  notice: Notice | null;
  show(text: string, tone?: NoticeTone): void;
  clear(): void;
}

const NoticeContext = createContext<NoticeState | null>(null);

/** The page's one error line (reference §12 layout, item 6): the latest message wins. */
export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notice, setNotice] = useState<Notice | null>(null);
  const show = useCallback((text: string, tone: NoticeTone = "error") => setNotice({ text, tone }), []);
  const clear = useCallback(() => setNotice(null), []);
  const value = useMemo(() => ({ notice, show, clear }), [notice, show, clear]);
  return <NoticeContext.Provider value={value}>{children}</NoticeContext.Provider>;
}

export function useNotice(): NoticeState {
  const state = useContext(NoticeContext);
  if (!state) throw new Error("NoticeProvider is missing");
  return state;
}
