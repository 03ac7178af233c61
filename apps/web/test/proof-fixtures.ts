import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { CheckResult } from "@switchyard/contract";
import { claimTask, createTask, type Kernel, setPolicy } from "@switchyard/core";

/** The board's own `pnpm test` run that refused a completion (SPEC §12), as the tests of the dashboard show it. */
export const FAILED_TESTS: CheckResult = {
  command: "pnpm test",
  source: "verify",
  expected_exit: 0,
  exit_code: 1,
  duration_ms: 5300,
  output_tail: "FAIL src/parser.test.ts\n  expected 3, got 4\nTest Files  1 failed | 11 passed (12)",
  timed_out: false,
  ok: false,
};

/**
 * A board that requires `pnpm test` to pass, and a task of it claimed by alice in its own
 * directory: its completion is handed in for the board's check.
 */
export async function claimedUnderVerify(
  k: Kernel,
  dir: string = join(k.paths.workspacesRoot, "checked"),
  title = "Checked",
): Promise<{ id: string; runId: number }> {
  await setPolicy(k, { require: ["verify"], verify: "pnpm test" });
  mkdirSync(dir, { recursive: true });
  const t = (await createTask(k, { title, assignee: "alice", workspace_kind: "dir", workspace_path: dir })).task;
  const runId = (await claimTask(k, t.id))?.current_run_id;
  if (!runId) throw new Error(`${t.id} was not claimed`);
  return { id: t.id, runId };
}
