import { useEffect, useState } from "react";
import {
  applyDensity,
  applyTheme,
  type Density,
  nextTheme,
  readDensity,
  readTheme,
  type ThemeChoice,
} from "../lib/theme.ts";

/** The theme choice (system, light, dark), applied to the page and remembered. */
export function useTheme(): [ThemeChoice, () => void] {
  const [theme, setTheme] = useState(readTheme);
  useEffect(() => applyTheme(theme), [theme]);
  return [theme, () => setTheme(nextTheme)];
}

/** The board's density (comfortable or compact), applied to the page and remembered like the theme. */
export function useDensity(): [Density, () => void] {
  const [density, setDensity] = useState(readDensity);
  useEffect(() => applyDensity(density), [density]);
  return [density, () => setDensity((d) => (d === "compact" ? "comfortable" : "compact"))];
}
