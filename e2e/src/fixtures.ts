import { test as base, expect } from "@playwright/test";
import { type ConfigInput, type Switchyard, startDemo, startSwitchyard } from "./switchyard.ts";

export interface Launcher {
  /** Boots a server on a fresh home with this config; the fixture stops it after the test. */
  start(config: ConfigInput): Promise<Switchyard>;
  /** Boots `switchyard serve --demo`; the fixture stops it after the test. */
  demo(): Promise<Switchyard>;
}

/**
 * `switchyard`: starts servers for one test and, afterwards, attaches their output to the
 * report, stops them and checks that no server or worker process is left.
 */
export const test = base.extend<{ switchyard: Launcher }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
  switchyard: async ({}, use, testInfo) => {
    const started: Switchyard[] = [];
    const track = (server: Switchyard) => {
      started.push(server);
      return server;
    };
    await use({
      start: async (config) => track(await startSwitchyard(config)),
      demo: async () => track(await startDemo()),
    });
    const problems: string[] = [];
    for (const server of started) {
      await testInfo.attach("server.log", { body: server.serverLog(), contentType: "text/plain" });
      await server.stop().catch((err: Error) => problems.push(err.message));
    }
    if (problems.length > 0) throw new Error(problems.join("\n"));
  },
});

export { expect };
