import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Locator, Page } from "@playwright/test";
import { SCREENSHOTS_OUT } from "./paths.ts";

/**
 * Saves `<name>.png` (see `SCREENSHOTS_OUT`: the docs' folder when refreshing them): the page
 * (or one part of it), with animations finished and the caret hidden, so the docs show exactly
 * what the demo saw.
 */
export async function screenshot(target: Page | Locator, name: string): Promise<string> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`screenshot names are kebab-case: ${name}`);
  mkdirSync(SCREENSHOTS_OUT, { recursive: true });
  const path = join(SCREENSHOTS_OUT, `${name}.png`);
  await target.screenshot({ path, animations: "disabled", caret: "hide" });
  return path;
}
