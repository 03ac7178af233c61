import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createManualClock } from "../src/clock.ts";
import { openKernel } from "../src/kernel.ts";
import { boardPaths, DEFAULT_BOARD } from "../src/paths.ts";
import { createTask } from "../src/tasks.ts";
import { tempHome, testDatabaseUrl } from "./fixtures.ts";
import { invariantViolations } from "./invariants.ts";
import { reportOf, runTogether } from "./processes.ts";

const TASKS = 2_000;
const WORKERS = 4;

interface WorkerReport {
  pid: number;
  won: string[];
  lost: number;
}

describe("claiming from one board in several processes at once", () => {
  it("completes every task exactly once, and the board invariants hold at the end (SQLite file, or PostgreSQL in core-postgres)", async () => {
    const home = tempHome();
    const paths = boardPaths(home, DEFAULT_BOARD);
    const url = testDatabaseUrl();
    const pg = url ? [url, `test_${randomBytes(6).toString("hex")}`] : [];
    const k = await openKernel(paths, {
      clock: createManualClock(1_700_000_000),
      host: "seeder",
      ...(url ? { databaseUrl: url, schema: pg[1] } : {}),
    });
    const ids = await k.write(async (k) => {
      const made: string[] = [];
      for (let i = 0; i < TASKS; i++) made.push((await createTask(k, { title: `task ${i}` })).task.id);
      return made;
    });
    expect(new Set(ids).size).toBe(TASKS);

    const results = await runTogether(
      Array.from({ length: WORKERS }, () => ({ script: "claim-worker.ts", args: [home.root, ...pg] })),
    );
    const reports = results.map((r) => reportOf<WorkerReport>(r));

    // Every task was won by exactly one process.
    const won = reports.flatMap((r) => r.won);
    expect(won.length).toBe(TASKS);
    expect(new Set(won)).toEqual(new Set(ids));
    // The processes really raced: several of them won tasks.
    expect(reports.filter((r) => r.won.length > 0).length).toBeGreaterThanOrEqual(2);

    const db = k.db;
    const perTask = async (kind: string) =>
      new Map(
        (
          await db.all<{ task_id: string; n: number }>(
            "SELECT task_id, count(*) AS n FROM task_events WHERE kind = ? GROUP BY task_id",
            [kind],
          )
        ).map((r) => [r.task_id, r.n]),
      );
    const claimed = await perTask("claimed");
    const completed = await perTask("completed");
    const runs = new Map(
      (
        await db.all<{ task_id: string; n: number }>("SELECT task_id, count(*) AS n FROM task_runs GROUP BY task_id")
      ).map((r) => [r.task_id, r.n]),
    );
    const notOnce = ids.filter((id) => claimed.get(id) !== 1 || completed.get(id) !== 1 || runs.get(id) !== 1);
    expect(notOnce).toEqual([]);

    // Each run records the process that won it, and closed as a completion.
    const winner = new Map(reports.flatMap((r) => r.won.map((id) => [id, `racehost:${r.pid}`] as const)));
    const rows = await db.all<{
      task_id: string;
      claim_lock: string;
      status: string;
      outcome: string;
      ended_at: number;
    }>("SELECT task_id, claim_lock, status, outcome, ended_at FROM task_runs");
    const wrong = rows.filter(
      (r) => r.claim_lock !== winner.get(r.task_id) || r.status !== "done" || r.outcome !== "completed",
    );
    expect(wrong).toEqual([]);
    const notDone = await db.all("SELECT id, status FROM tasks WHERE status != 'done'");
    expect(notDone).toEqual([]);

    expect(await invariantViolations(db)).toEqual([]);
    await k.close();
  });
});
