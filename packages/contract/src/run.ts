import * as z from "zod";
import { RunProof } from "./receipts.ts";
import { RunOutcome, RunStatus } from "./status.ts";

const ts = z.number().int();

/** One attempt at a task (`task_runs`, reference §1.3 and §3.7). */
export const Run = z.object({
  id: z.number().int(),
  task_id: z.string(),
  profile: z.string().nullable(),
  step_key: z.string().nullable(),
  status: RunStatus,
  claim_lock: z.string().nullable(),
  claim_expires: ts.nullable(),
  worker_pid: z.number().int().nullable(),
  max_runtime_seconds: z.number().int().nullable(),
  last_heartbeat_at: ts.nullable(),
  started_at: ts,
  ended_at: ts.nullable(),
  outcome: RunOutcome.nullable(),
  summary: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  /**
   * Switchyard (SPEC §12): the run's workspace facts and what its completion was checked
   * against; absent or null for a run that had nothing to prove (and in Hermes's answers).
   */
  proof: RunProof.nullable().optional(),
});
export type Run = z.infer<typeof Run>;
