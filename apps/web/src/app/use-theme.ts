import { useEffect, useState } from "react";
import { applyTheme, nextTheme, readTheme, type ThemeChoice } from "../lib/theme.ts";

/** The theme choice (system, light, dark), applied to the page and remembered. */
export function useTheme(): [ThemeChoice, () => void] {
  const [theme, setTheme] = useState(readTheme);
  useEffect(() => applyTheme(theme), [theme]);
  return [theme, () => setTheme(nextTheme)];
}
