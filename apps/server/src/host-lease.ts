import type { DispatchService } from "@switchyard/runtime";
import type { BackgroundLoop } from "./main.ts";

/**
 * A dispatcher host's lease on its boards (SPEC §13): a heartbeat at once, then every third of
 * `dispatch.host_lease_seconds`, so one or two missed beats never cost the host its claims.
 * A beat that fails (the database is unreachable) is retried sooner, with a backoff doubling
 * from 1 s up to the regular period. Stopping the loop is a clean stop: the host leaves.
 */

export interface HostLeaseOptions {
  service: Pick<DispatchService, "heartbeat" | "leave" | "host">;
  /** Read at each beat, so a changed `host_lease_seconds` applies without a restart. */
  leaseSeconds: () => number;
  log?: (message: string) => void;
}

export interface HostLease extends BackgroundLoop {
  /** Resolves after the beat in flight, if any (for tests). */
  idle(): Promise<void>;
}

export function startHostLease(options: HostLeaseOptions): HostLease {
  const log = options.log ?? (() => {});
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<void> = Promise.resolve();
  let stopped = false;
  let backoffMs = 0;

  const beat = async () => {
    try {
      await options.service.heartbeat();
      if (backoffMs > 0) log(`host ${options.service.host}: lease renewed again`);
      backoffMs = 0;
    } catch (err) {
      const period = (options.leaseSeconds() * 1000) / 3;
      backoffMs = Math.min(backoffMs === 0 ? 1000 : backoffMs * 2, period);
      log(
        `host ${options.service.host}: could not renew its lease (${(err as Error).message}); retrying in ${Math.round(backoffMs / 1000)}s`,
      );
    }
  };

  function schedule(): void {
    if (stopped) return;
    const delay = backoffMs > 0 ? backoffMs : (options.leaseSeconds() * 1000) / 3;
    timer = setTimeout(() => {
      timer = null;
      current = beat().finally(schedule);
    }, delay);
    timer.unref();
  }

  current = beat().finally(schedule);
  return {
    idle: () => current,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
      await options.service.leave().catch((err) => log(`host ${options.service.host}: leaving failed: ${err.message}`));
    },
  };
}
