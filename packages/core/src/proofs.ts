import type { CheckResult, ReceiptVerdict, Requirements, RunProof } from "@switchyard/contract";
import type { Kernel } from "./kernel.ts";
import { jsonOrNull } from "./rows.ts";

/**
 * Run proofs (`run_proofs`, SPEC §12): what a run started from and what its completion was
 * checked against. A run with nothing to prove has no row.
 */

interface ProofRow {
  run_id: number;
  task_id: string;
  base_commit: string | null;
  branch: string | null;
  requirements: string | null;
  receipts: string | null;
  checks: string | null;
  pending: string | null;
  checking: string | null;
}

function parse<T>(text: string | null): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

function toProof(r: ProofRow): RunProof {
  return {
    base_commit: r.base_commit,
    branch: r.branch,
    requirements: parse<Requirements>(r.requirements),
    receipts: parse<ReceiptVerdict[]>(r.receipts),
    checks: parse<CheckResult[]>(r.checks),
    verifying: r.pending !== null,
  };
}

/** The completion a worker handed in, kept until the board's checks decide it. */
export interface PendingCompletion {
  result: string | null;
  summary: string | null;
  metadata: Record<string, unknown> | null;
  verified_cards: string[];
  verified: ReceiptVerdict[];
  checks: Array<{ command: string; source: "verify" | "test"; expected_exit: number }>;
  timeout_seconds: number;
}

export interface StoredProof extends RunProof {
  run_id: number;
  task_id: string;
  pending: PendingCompletion | null;
  checking: string | null;
}

export async function getProof(k: Kernel, runId: number | null): Promise<StoredProof | null> {
  if (runId === null) return null;
  const row = await k.db.get<ProofRow>("SELECT * FROM run_proofs WHERE run_id = ?", [runId]);
  return row
    ? {
        ...toProof(row),
        run_id: Number(row.run_id),
        task_id: row.task_id,
        pending: parse(row.pending),
        checking: row.checking,
      }
    : null;
}

/** The proofs of a task's runs, by run id. */
export async function proofsOf(k: Kernel, taskId: string): Promise<Map<number, RunProof>> {
  const rows = await k.db.all<ProofRow>("SELECT * FROM run_proofs WHERE task_id = ?", [taskId]);
  return new Map(rows.map((r) => [Number(r.run_id), toProof(r)]));
}

export interface ProofFields {
  base_commit?: string | null;
  branch?: string | null;
  requirements?: Requirements | null;
  receipts?: ReceiptVerdict[] | null;
  checks?: CheckResult[] | null;
  pending?: PendingCompletion | null;
  checking?: string | null;
}

const FIELDS = ["base_commit", "branch", "requirements", "receipts", "checks", "pending", "checking"] as const;
const PLAIN: ReadonlySet<string> = new Set(["base_commit", "branch", "checking"]);

/** Writes some fields of a run's proof (creating its row); fields left undefined are kept. */
export async function writeProof(k: Kernel, runId: number, taskId: string, fields: ProofFields): Promise<void> {
  const set = FIELDS.filter((f) => fields[f] !== undefined);
  const values = set.map((f) => (PLAIN.has(f) ? (fields[f] as string | null) : jsonOrNull(fields[f])));
  await k.db.run(
    `INSERT INTO run_proofs (run_id, task_id${set.map((f) => `, ${f}`).join("")})
     VALUES (?, ?${set.map(() => ", ?").join("")})
     ON CONFLICT (run_id) DO UPDATE SET task_id = excluded.task_id${set.map((f) => `, ${f} = excluded.${f}`).join("")}`,
    [runId, taskId, ...values],
  );
}

/**
 * SQL true for a task whose current run has a completion handed in and waiting for the
 * board's checks: its worker is expected to be gone, and its claim is the checker's.
 */
export const HANDED_IN_SQL = (alias: string) =>
  `EXISTS (SELECT 1 FROM run_proofs p WHERE p.run_id = ${alias}.current_run_id AND p.pending IS NOT NULL)`;

/** True when the run's completion is handed in and waiting for the board's checks. */
export async function isHandedIn(k: Kernel, runId: number): Promise<boolean> {
  return (
    (await k.db.get("SELECT 1 AS hit FROM run_proofs WHERE run_id = ? AND pending IS NOT NULL", [runId])) !== undefined
  );
}
