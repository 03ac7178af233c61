import { blockTask } from "../src/blocking.ts";
import { claimTask, setWorkerPid } from "../src/claims.ts";
import type { ManualClock } from "../src/clock.ts";
import { addComment } from "../src/comments.ts";
import { completeTask, finishChecks } from "../src/completion.ts";
import { latestEventId } from "../src/events.ts";
import { recordWorkerExit } from "../src/failures.ts";
import type { Kernel } from "../src/kernel.ts";
import { addNotifySub, advanceNotifyCursor } from "../src/notify.ts";
import { setPolicy } from "../src/policy.ts";
import { createTask } from "../src/tasks.ts";
import { tempDir } from "./fixtures.ts";

/** What `fillBoard` made, by role. */
export interface RichBoard {
  parent: string;
  child: string;
  verified: string;
  verifiedRun: number;
  blocked: string;
}

/**
 * Fills a board through the kernel's own commands with a bit of everything a board stores: a
 * completion policy, linked tasks with comments, a claimed task whose completion passed the
 * board's checks (a closed run with its proof row: receipts and checks), a blocked task, a
 * notification subscription with a cursor, a profile paused after repeated failures, text with
 * quotes, newlines and non-ASCII characters, and NULLs.
 */
export async function fillBoard(k: Kernel, clock: ManualClock): Promise<RichBoard> {
  await setPolicy(k, { base_ref: "main", verify_timeout_seconds: 120 });
  clock.advance(5);
  const parent = (
    await createTask(k, {
      title: 'Design the "export" — ünïcödé ✓',
      body: "line one\nline two\n\ttabbed",
      assignee: "architect",
      priority: 3,
      tenant: "ops",
      skills: ["sql", "docs"],
    })
  ).task.id;
  clock.advance(7);
  const child = (await createTask(k, { title: "Build it", assignee: "coder", parents: [parent] })).task.id;
  await addComment(k, parent, "alice", "Keep ids exactly.\nAnd events.");
  clock.advance(11);
  await addComment(k, child, "bob", "waiting on the design");

  const workspace = tempDir("switchyard-ws-");
  const verified = (
    await createTask(k, {
      title: "Make it pass",
      assignee: "coder",
      workspace_kind: "dir",
      workspace_path: workspace,
      verify_command: "true",
    })
  ).task.id;
  const claimed = await claimTask(k, verified, { ttl: 60 });
  const verifiedRun = claimed?.current_run_id as number;
  await setWorkerPid(k, verified, verifiedRun, 5555);
  clock.advance(30);
  await completeTask(k, verified, { runId: verifiedRun, summary: "green", result: "all good" });
  await finishChecks(k, verified, verifiedRun, [
    {
      command: "true",
      source: "verify",
      expected_exit: 0,
      duration_ms: 3,
      timed_out: false,
      exit_code: 0,
      output_tail: "",
      ok: true,
    },
  ]);

  clock.advance(13);
  const blocked = (await createTask(k, { title: "Needs keys", assignee: "ops" })).task.id;
  await blockTask(k, blocked, { reason: "need the API keys", author: "ops" });

  const sub = { task_id: parent, platform: "slack", chat_id: "C042", thread_id: "T9" };
  await addNotifySub(k, { ...sub, user_id: "U7" });
  await advanceNotifyCursor(k, sub, await latestEventId(k));

  for (const title of ["flaky one", "flaky two", "flaky three"]) {
    clock.advance(17);
    const id = (await createTask(k, { title, assignee: "flaky" })).task.id;
    const run = (await claimTask(k, id))?.current_run_id as number;
    await setWorkerPid(k, id, run, 6000);
    await recordWorkerExit(k, id, run, { pid: 6000, code: 1, signal: null, lastLine: "fatal: bad key" });
  }
  return { parent, child, verified, verifiedRun, blocked };
}
