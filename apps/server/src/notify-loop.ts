import type { Notifier } from "@switchyard/runtime";
import type { BackgroundLoop } from "./main.ts";

/**
 * The notifier inside the server (SPEC §9, reference §13): one delivery pass every
 * `notify.interval_seconds` (default 5). Passes never overlap: the next one is scheduled when
 * the last has finished, so a slow receiver delays notifications instead of piling up sends.
 */

export interface NotifyLoopOptions {
  notifier: Notifier;
  intervalSeconds: number;
  log?: (message: string) => void;
}

export interface NotifyLoop extends BackgroundLoop {
  /** Resolves after the pass in flight, if any (for tests). */
  idle(): Promise<void>;
}

export function startNotifyLoop(options: NotifyLoopOptions): NotifyLoop {
  const log = options.log ?? (() => {});
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<void> = Promise.resolve();
  let stopped = false;

  const pass = async () => {
    try {
      await options.notifier.tick();
    } catch (err) {
      log(`notify: delivery pass failed: ${(err as Error).message}`);
    }
  };

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      current = pass().finally(schedule);
    }, options.intervalSeconds * 1000);
  }

  schedule();

  return {
    idle: () => current,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await current;
    },
  };
}
