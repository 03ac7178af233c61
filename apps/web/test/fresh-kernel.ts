import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  boardPaths,
  createManualClock,
  createSequentialIds,
  DEFAULT_BOARD,
  type Kernel,
  openKernel,
  resolveHome,
} from "@switchyard/core";
import { onTestFinished } from "vitest";

/**
 * The default board of a fresh temporary home, opened with the kernel (fixed clock, sequential
 * ids, a fixed host): real kernel changes whose events the dashboard's pure functions are
 * checked against. Closed and deleted when the test ends.
 */
export async function freshKernel(): Promise<Kernel> {
  const root = mkdtempSync(join(tmpdir(), "switchyard-web-kernel-"));
  const k = await openKernel(boardPaths(resolveHome({ SWITCHYARD_HOME: root }), DEFAULT_BOARD), {
    clock: createManualClock(1_700_000_000),
    ids: createSequentialIds(),
    host: "testhost",
    pid: 4242,
  });
  onTestFinished(async () => {
    await k.close();
    rmSync(root, { recursive: true, force: true });
  });
  return k;
}
