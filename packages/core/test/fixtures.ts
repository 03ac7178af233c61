import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { createManualClock, createSequentialIds, type IdSource, type ManualClock } from "../src/clock.ts";
import { CoreError } from "../src/errors.ts";
import { type Kernel, openKernel } from "../src/kernel.ts";
import { boardPaths, DEFAULT_BOARD, type Env, type Home, resolveHome } from "../src/paths.ts";

const cleanups: Array<() => void | Promise<void>> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Runs `fn` after the current test (last registered, first run). */
export function onCleanup(fn: () => void | Promise<void>): void {
  cleanups.push(fn);
}

/** A fresh temporary directory, removed after the test. */
export function tempDir(prefix = "switchyard-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fresh home in a temp dir; `env` adds pins on top of SWITCHYARD_HOME. */
export function tempHome(env: Env = {}): Home {
  return resolveHome({ SWITCHYARD_HOME: tempDir("switchyard-home-"), ...env });
}

export interface TestBoard {
  k: Kernel;
  home: Home;
  clock: ManualClock;
}

/** A fresh default board on a temp file with a fixed clock, sequential ids and a fixed host. */
export async function freshBoard(options: { host?: string; pid?: number; ids?: IdSource } = {}): Promise<TestBoard> {
  const home = tempHome();
  const clock = createManualClock(1_700_000_000);
  const k = await openKernel(boardPaths(home, DEFAULT_BOARD), {
    clock,
    ids: options.ids ?? createSequentialIds(),
    host: options.host ?? "testhost",
    pid: options.pid ?? 4242,
  });
  cleanups.push(() => k.close());
  return { k, home, clock };
}

/** Awaits `fn`, which must refuse with a CoreError, and returns that error for its code and message. */
export async function refusal(fn: () => unknown | Promise<unknown>): Promise<CoreError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof CoreError) return err;
    throw err;
  }
  throw new Error("expected a CoreError refusal, but the call succeeded");
}

/** `refusal` for a synchronous call (pure helpers such as `normalizeSlug`). */
export function refusalSync(fn: () => unknown): CoreError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CoreError) return err;
    throw err;
  }
  throw new Error("expected a CoreError refusal, but the call succeeded");
}
