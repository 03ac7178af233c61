export type ThemeChoice = "light" | "dark" | "system";

const STORAGE_KEY = "switchyard.theme";

export function readTheme(storage: Pick<Storage, "getItem"> = localStorage): ThemeChoice {
  const stored = storage.getItem(STORAGE_KEY);
  return stored === "light" || stored === "dark" ? stored : "system";
}

/** Sets `data-theme` on the root element (CSS follows prefers-color-scheme when it is absent) and remembers it. */
export function applyTheme(
  choice: ThemeChoice,
  root: HTMLElement = document.documentElement,
  storage: Storage = localStorage,
): void {
  if (choice === "system") {
    root.removeAttribute("data-theme");
    storage.removeItem(STORAGE_KEY);
  } else {
    root.setAttribute("data-theme", choice);
    storage.setItem(STORAGE_KEY, choice);
  }
}

/** The next choice of the theme toggle: system → light → dark → system. */
export function nextTheme(choice: ThemeChoice): ThemeChoice {
  return choice === "system" ? "light" : choice === "light" ? "dark" : "system";
}
