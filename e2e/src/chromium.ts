import { existsSync } from "node:fs";

/** The Chromium the suite drives, and where it came from. */
export interface BrowserChoice {
  /** Undefined means Playwright's own browser. */
  executablePath: string | undefined;
  source: "env" | "system" | "playwright";
}

/** Debian's package (`apt-get install -y chromium`) and the names other distributions use. */
export const SYSTEM_CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium"] as const;

/** Flags these machines need for a headless Chromium (../shared/MACHINE.md). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

export const NO_CHROMIUM_MESSAGE =
  "The e2e suite found no Chromium. Install it with `sudo apt-get install -y chromium` " +
  "(Debian/Ubuntu; .ci/run does this), or set SWITCHYARD_E2E_CHROMIUM=/path/to/chromium.";

interface FindOptions {
  env?: NodeJS.ProcessEnv;
  exists?: (path: string) => boolean;
  /** Where Playwright's own Chromium would be (`chromium.executablePath()`). */
  playwrightChromium?: () => string;
}

/**
 * The browser for the suite: `SWITCHYARD_E2E_CHROMIUM` when set (it must exist), else the
 * system Chromium, else Playwright's own when it is installed. Throws an error that says
 * exactly what to install when there is none.
 */
export function findChromium(options: FindOptions = {}): BrowserChoice {
  const env = options.env ?? process.env;
  const exists = options.exists ?? existsSync;
  const pinned = env.SWITCHYARD_E2E_CHROMIUM?.trim();
  if (pinned) {
    if (!exists(pinned)) throw new Error(`SWITCHYARD_E2E_CHROMIUM=${pinned} does not exist. ${NO_CHROMIUM_MESSAGE}`);
    return { executablePath: pinned, source: "env" };
  }
  const system = SYSTEM_CHROMIUM.find((path) => exists(path));
  if (system) return { executablePath: system, source: "system" };
  let bundled: string | undefined;
  try {
    bundled = options.playwrightChromium?.();
  } catch {
    bundled = undefined;
  }
  if (bundled && exists(bundled)) return { executablePath: undefined, source: "playwright" };
  throw new Error(NO_CHROMIUM_MESSAGE);
}
