import { report, waitForGo, wallMs } from "./barrier.ts";

/** Ready tasks a worker chooses from, per worker in the fleet, and how many it takes per read. */
export const WINDOW = 16;
const PER_READ = 8;
/** Any ready tasks, in the status index's order (cheap, so the figure is the claim path, not the pick). */
export const PICK = "SELECT id FROM tasks WHERE status = 'ready' AND claim_lock IS NULL LIMIT ?";

/** One claim worker's way to the board: through the kernel, or the same writes in bare SQL. */
export interface ClaimWorker {
  pick: () => string[] | Promise<string[]>;
  /** Claims, heartbeats and completes one task; false when another worker had claimed it. */
  work: (id: string) => boolean | Promise<boolean>;
  close: () => void | Promise<void>;
}

/**
 * The claim figures' worker loop (SQLite and PostgreSQL alike): after the parent's `go`, each
 * worker reads the first ready tasks (a window a few times wider than the fleet) and works
 * through a random handful of them before reading again, as independent workers would; picks
 * still collide now and then, and the compare-and-swap settles those. Prints the report.
 */
export async function runClaimLoop(worker: ClaimWorker, index: number): Promise<void> {
  const won: string[] = [];
  let lost = 0;
  await waitForGo();
  const start = wallMs();
  const cpuBefore = process.cpuUsage();
  let seed = (index + 1) * 7919;
  for (;;) {
    const window = await worker.pick();
    if (window.length === 0) break;
    for (let n = 0; n < PER_READ && window.length > 0; n++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const [id] = window.splice(seed % window.length, 1) as [string];
      if (await worker.work(id)) won.push(id);
      else lost++;
    }
  }
  const end = wallMs();
  const cpu = process.cpuUsage(cpuBefore);
  await worker.close();
  report({ pid: process.pid, won, lost, start, end, cpu_ms: (cpu.user + cpu.system) / 1000 });
}
