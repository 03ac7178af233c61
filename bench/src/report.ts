/** One benchmark figure: a JSON line on stdout (SPEC §10). */
export interface Figure {
  figure: string;
  value: number;
  unit: string;
  /** The same work done by bare better-sqlite3 statements in the same run, or null when none fits. */
  baseline: number | null;
  /** `value / baseline`, or null without a baseline. */
  ratio: number | null;
  [detail: string]: unknown;
}

/** Rounds to `digits` decimals (figures are read by people; sub-microsecond digits are noise). */
export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** The q-quantile (0..1) of some samples, by the nearest-rank method. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new Error("quantile of no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

export function p95(samples: readonly number[]): number {
  return quantile(samples, 0.95);
}

/** Builds a figure with its ratio to the baseline. */
export function figure(
  name: string,
  value: number,
  unit: string,
  baseline: number | null,
  details: Record<string, unknown> = {},
): Figure {
  return {
    figure: name,
    value: round(value),
    unit,
    baseline: baseline === null ? null : round(baseline),
    ratio: baseline === null || baseline === 0 ? null : round(value / baseline, 2),
    ...details,
  };
}

/** Milliseconds since an arbitrary origin, with sub-millisecond precision. */
export function nowMs(): number {
  return performance.now();
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Runs `fn` `reps` times after `warmup` unmeasured runs; returns each run's milliseconds. */
export async function sample(reps: number, fn: () => unknown, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = nowMs();
    await fn();
    out.push(nowMs() - t);
  }
  return out;
}

/**
 * Like `sample`, for work that needs an unmeasured set-up each time: `fn` does its set-up, times
 * its own measured part and returns the milliseconds.
 */
export async function sampleTimed(reps: number, fn: () => number | Promise<number>, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) out.push(await fn());
  return out;
}

/** Progress for the person watching; stdout carries only the figures. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
