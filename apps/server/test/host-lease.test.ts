import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startHostLease } from "../src/host-lease.ts";

/** The host's lease loop (SPEC §13): beats every third of the lease, retries a failed beat with a backoff, leaves on stop. */

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function fakeService(failures: number) {
  const beats: number[] = [];
  let left = failures;
  let leaves = 0;
  return {
    beats,
    leaves: () => leaves,
    service: {
      host: "h1",
      async heartbeat() {
        beats.push(Date.now());
        if (left > 0) {
          left--;
          throw new Error("the database is unreachable");
        }
      },
      async leave() {
        leaves++;
      },
    },
  };
}

describe("startHostLease", () => {
  it("beats at once and then every third of the lease", async () => {
    const fake = fakeService(0);
    const lease = startHostLease({ service: fake.service, leaseSeconds: () => 30 });
    await lease.idle();
    expect(fake.beats).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(fake.beats).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fake.beats.map((t) => t - (fake.beats[0] as number))).toEqual([0, 10_000, 20_000]);
    await lease.stop();
    expect(fake.leaves()).toBe(1);
  });

  it("retries a failed beat after 1 s, doubling up to the regular period, and says so", async () => {
    const fake = fakeService(5);
    const log: string[] = [];
    const lease = startHostLease({ service: fake.service, leaseSeconds: () => 12, log: (m) => log.push(m) });
    await lease.idle();
    await vi.advanceTimersByTimeAsync(60_000);
    const gaps = fake.beats.slice(1).map((t, i) => t - (fake.beats[i] as number));
    // 1 s, 2 s, 4 s, then capped at the period (4 s for a 12 s lease), then the regular period.
    expect(gaps.slice(0, 6)).toEqual([1_000, 2_000, 4_000, 4_000, 4_000, 4_000]);
    expect(log[0]).toMatch(/host h1: could not renew its lease \(the database is unreachable\); retrying in 1s/);
    expect(log).toContain("host h1: lease renewed again");
    await lease.stop();
  });

  it("stops beating when stopped, then leaves once", async () => {
    const fake = fakeService(0);
    const lease = startHostLease({ service: fake.service, leaseSeconds: () => 3 });
    await lease.idle();
    await lease.stop();
    const count = fake.beats.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fake.beats).toHaveLength(count);
    expect(fake.leaves()).toBe(1);
  });
});
