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

/** How tightly the board packs its cards: comfortable (the default) or compact. */
export type Density = "comfortable" | "compact";

const DENSITY_KEY = "switchyard.density";

export function readDensity(storage: Pick<Storage, "getItem"> = localStorage): Density {
  return storage.getItem(DENSITY_KEY) === "compact" ? "compact" : "comfortable";
}

/** Sets `data-density` on the root element (absent means comfortable) and remembers it. */
export function applyDensity(
  density: Density,
  root: HTMLElement = document.documentElement,
  storage: Storage = localStorage,
): void {
  if (density === "compact") {
    root.setAttribute("data-density", "compact");
    storage.setItem(DENSITY_KEY, "compact");
  } else {
    root.removeAttribute("data-density");
    storage.removeItem(DENSITY_KEY);
  }
}
