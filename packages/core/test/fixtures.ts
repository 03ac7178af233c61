import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, inject } from "vitest";
import { createManualClock, createSequentialIds, type IdSource, type ManualClock } from "../src/clock.ts";
import { CoreError } from "../src/errors.ts";
import { type Kernel, openKernel } from "../src/kernel.ts";
import { boardPaths, DEFAULT_BOARD, type Env, type Home, resolveHome } from "../src/paths.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The test PostgreSQL server's URL (the `core-postgres` project); not provided in the SQLite run. */
    switchyardPostgresUrl: string;
  }
}

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
  /**
   * Another kernel on the same board (same file or schema, same clock), as another process or
   * host would open it; closed after the test.
   */
  reopen(options?: { host?: string; pid?: number }): Promise<Kernel>;
}

/**
 * The PostgreSQL server the `core-postgres` project runs the kernel's rule tests against
 * (vitest.postgres.config.ts); undefined in the SQLite run.
 */
export function testDatabaseUrl(): string | undefined {
  return inject("switchyardPostgresUrl") || undefined;
}

/**
 * A fresh default board with a fixed clock, sequential ids and a fixed host: a temp SQLite file,
 * or under the `core-postgres` project a fresh schema in the test PostgreSQL server.
 */
export async function freshBoard(options: { host?: string; pid?: number; ids?: IdSource } = {}): Promise<TestBoard> {
  const home = tempHome();
  const clock = createManualClock(1_700_000_000);
  const url = testDatabaseUrl();
  const storage = url ? { databaseUrl: url, schema: `test_${randomBytes(6).toString("hex")}` } : {};
  const k = await openKernel(boardPaths(home, DEFAULT_BOARD), {
    clock,
    ids: options.ids ?? createSequentialIds(),
    host: options.host ?? "testhost",
    pid: options.pid ?? 4242,
    ...storage,
  });
  cleanups.push(() => k.close());
  const reopen = async (other: { host?: string; pid?: number } = {}) => {
    const again = await openKernel(boardPaths(home, DEFAULT_BOARD), {
      clock,
      host: other.host ?? "testhost",
      pid: other.pid ?? 4242,
      ...storage,
    });
    cleanups.push(() => again.close());
    return again;
  };
  return { k, home, clock, reopen };
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
