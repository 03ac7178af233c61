import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { claimTask, listRuns, requireTask } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { type TestHome, tempHome } from "./cli.ts";

/**
 * `switchyard wrap` (SPEC §14, the aider preset): runs an agent without MCP as a task's worker,
 * hands it the task in a message file and reports its exit to the board.
 */

async function claimed(h: TestHome): Promise<{ id: string; env: Record<string, string> }> {
  const id = h.create("fix the parser", "--assignee", "coder", "--body", "The parser drops the last line.");
  const k = await h.kernel();
  const runId = (await claimTask(k, id))?.current_run_id as number;
  return { id, env: { SWITCHYARD_TASK: id, SWITCHYARD_RUN_ID: String(runId), SWITCHYARD_PROFILE: "coder" } };
}

/** An "agent" (a script in the test's directory): prints the first line of the message file it was given, then runs `tail`. */
function agent(h: TestHome, tail: string): string[] {
  const path = join(h.dir, "agent.cjs");
  writeFileSync(
    path,
    [
      "const i = process.argv.indexOf('--message-file');",
      "const text = require('fs').readFileSync(process.argv[i + 1], 'utf8');",
      "console.log('got: ' + text.split('\\n')[0]);",
      "console.log(text.includes('## How to work') && text.includes('drops the last line') ? 'briefed' : 'not briefed');",
      tail,
    ].join("\n"),
  );
  return [process.execPath, path];
}

describe("switchyard wrap", () => {
  it("gives the agent the task, and completes the task with its last lines when it exits 0", async () => {
    const h = tempHome();
    const { id, env } = await claimed(h);
    const r = h.run(["wrap", "--message-flag=--message-file", "--", ...agent(h, "console.log('changed 2 files')")], {
      env,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`got: # Kanban task ${id}: fix the parser`);
    const k = await h.kernel();
    expect((await requireTask(k, id)).status).toBe("done");
    expect((await listRuns(k, id)).at(-1)).toMatchObject({
      outcome: "completed",
      summary: `got: # Kanban task ${id}: fix the parser\nbriefed\nchanged 2 files`,
    });
  });

  it("blocks the task with the exit code and the last line when the agent fails", async () => {
    const h = tempHome();
    const { id, env } = await claimed(h);
    const r = h.run(
      [
        "wrap",
        "--message-flag",
        "--message-file",
        "--",
        ...agent(h, "console.error('fatal: no model'); process.exit(3)"),
      ],
      {
        env,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const k = await h.kernel();
    expect((await requireTask(k, id)).status).toBe("blocked");
    expect((await listRuns(k, id)).at(-1)?.summary).toBe(`${process.execPath} exited with code 3: fatal: no model`);
  });

  it("passes a rate limit (exit 75) on to the dispatcher without reporting", async () => {
    const h = tempHome();
    const { id, env } = await claimed(h);
    const r = h.run(["wrap", "--message-flag=--message-file", "--", ...agent(h, "process.exit(75)")], { env });
    expect(r.code).toBe(75);
    expect((await requireTask(await h.kernel(), id)).status).toBe("running");
  });

  it("blocks the task when the agent cannot start", async () => {
    const h = tempHome();
    const { id, env } = await claimed(h);
    expect(h.run(["wrap", "--", "switchyard-no-such-agent", "--yes-always"], { env }).code).toBe(0);
    expect((await listRuns(await h.kernel(), id)).at(-1)?.summary).toBe(
      "switchyard-no-such-agent could not start: `switchyard-no-such-agent` was not found",
    );
  });

  it("refuses to run outside a worker's environment", () => {
    const h = tempHome();
    const r = h.run(["wrap", "--", "aider"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "switchyard: switchyard wrap runs a worker's agent: set SWITCHYARD_TASK and SWITCHYARD_RUN_ID (the dispatcher does)\n",
    );
  });
});
