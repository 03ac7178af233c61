import { randomBytes } from "node:crypto";

/** The kernel's only source of time: integer Unix seconds. */
export interface Clock {
  now(): number;
  /**
   * The same time in milliseconds, when the clock knows it finer than seconds (the system
   * clock does); a host arms its timers with it, so a moment is not missed by up to a second.
   */
  nowMs?(): number;
}

export const systemClock: Clock = {
  now: () => Math.floor(Date.now() / 1000),
  nowMs: () => Date.now(),
};

/** A clock that stands still until moved; for tests. */
export interface ManualClock extends Clock {
  set(seconds: number): void;
  advance(seconds: number): void;
}

export function createManualClock(start = 1_700_000_000): ManualClock {
  let t = start;
  return {
    now: () => t,
    set: (s) => {
      t = s;
    },
    advance: (s) => {
      t += s;
    },
  };
}

/** The kernel's only source of task ids. */
export interface IdSource {
  taskId(): string;
}

/** `t_` plus 8 lowercase hex digits from a cryptographic RNG (reference §2.1). */
export const randomIds: IdSource = {
  taskId: () => `t_${randomBytes(4).toString("hex")}`,
};

/** Sequential ids `t_00000001`, `t_00000002`, …; for tests. */
export function createSequentialIds(start = 1): IdSource {
  let n = start;
  return {
    taskId: () => `t_${(n++).toString(16).padStart(8, "0")}`,
  };
}
