import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTask, type Kernel, listEvents, listRuns, openBoard, requireTask } from "@switchyard/core";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../../core/test/fixtures.ts";
import { repoRoot, waitFor, workerHome } from "../test/workers.ts";
import { loadConfig } from "./config.ts";
import { createDispatchService, type DispatchService } from "./dispatch-service.ts";

/**
 * Whether a worker's agent reached the board (SPEC §14): a real `claude-code` preset launch with a
 * stand-in `claude` on PATH (test/fake-claude.mjs) that reads the run's MCP configuration and
 * starts `switchyard mcp` from it, or ignores it. The board records the connection on the run,
 * and a worker that exits without finishing is reported by what its agent did.
 */

const FAKE_CLAUDE = join(repoRoot, "packages", "runtime", "test", "fake-claude.mjs");

/** A directory with a `claude` that runs the stand-in. */
function fakeClaudeBin(): string {
  const dir = tempDir("switchyard-bin-");
  const path = join(dir, "claude");
  writeFileSync(path, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_CLAUDE}" "$@"\n`);
  chmodSync(path, 0o755);
  return dir;
}

const services: DispatchService[] = [];
const kernels: Kernel[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.settle();
  for (const k of kernels.splice(0)) await k.close();
});

async function runOnce(mode: string): Promise<{ k: Kernel; id: string }> {
  const wh = await workerHome(() => ({
    dispatch: { failure_limit: 5, stop_grace_seconds: 1 },
    profiles: { coder: { preset: "claude-code" } },
  }));
  const workspace = tempDir("switchyard-ws-");
  mkdirSync(workspace, { recursive: true });
  const s = createDispatchService({
    home: wh.home,
    config: loadConfig(wh.home),
    watchWorkers: true,
    baseEnv: { ...process.env, PATH: `${fakeClaudeBin()}:${process.env.PATH ?? ""}`, FAKE_CLAUDE_MODE: mode },
  });
  services.push(s);
  const k = await openBoard(wh.home, "default");
  kernels.push(k);
  const { task } = await createTask(k, {
    title: "fix the bug",
    assignee: "coder",
    workspace_kind: "dir",
    workspace_path: workspace,
  });
  expect((await s.tick("default")).spawned.map((x) => x.task_id)).toEqual([task.id]);
  await waitFor("the worker's exit to be recorded", async () => {
    const t = await requireTask(k, task.id);
    return t.status !== "running" && (await listRuns(k, task.id)).at(-1)?.ended_at !== null;
  });
  await s.settle();
  return { k, id: task.id };
}

describe("a preset worker whose agent never connected to the board's tools", () => {
  it("is recorded as such, with the agent's last log lines, in the run, the task and the event", async () => {
    const { k, id } = await runOnce("ignore");
    const run = (await listRuns(k, id)).at(-1);
    expect(run?.outcome).toBe("protocol_violation");
    expect(run?.error).toContain("exited (code 0) without completing or blocking the task");
    expect(run?.error).toContain("the agent never connected to the board's tools; its last log lines:");
    expect(run?.error).toContain('"fake-claude: no MCP servers loaded"');
    expect(run?.error).toContain('"fake-claude: nothing to do without tools"');
    expect(run?.error).not.toContain("starting: [");
    const task = await requireTask(k, id);
    expect(task).toMatchObject({ status: "ready", spawn_failures: 1 });
    expect(task.last_spawn_error).toContain("never connected to the board's tools");
    const event = (await listEvents(k, id)).find((e) => e.kind === "protocol_violation");
    expect(event?.payload).toMatchObject({
      agent_connected: false,
      agent_tools: [],
      log_tail: [
        "fake-claude: starting",
        "fake-claude: no MCP servers loaded",
        "fake-claude: nothing to do without tools",
      ],
      error: run?.error,
    });
  });
});

describe("a preset worker whose agent connected", () => {
  it("but called no tool is reported so, not as never connected", async () => {
    const { k, id } = await runOnce("connect");
    const run = (await listRuns(k, id)).at(-1);
    expect(run?.outcome).toBe("protocol_violation");
    expect(run?.error).toContain("the agent connected to the board's tools (fake-claude) but called none of them");
    const event = (await listEvents(k, id)).find((e) => e.kind === "protocol_violation");
    expect(event?.payload).toMatchObject({ agent_connected: true, agent_tools: [] });
    expect(event?.payload).not.toHaveProperty("log_tail");
  });

  it("and completed the task leaves the connection and its tools on the run", async () => {
    const { k, id } = await runOnce("complete");
    expect(await requireTask(k, id)).toMatchObject({ status: "done" });
    const run = (await listRuns(k, id)).at(-1);
    expect(run).toMatchObject({ outcome: "completed", summary: "done by fake-claude" });
    expect(run?.metadata).toMatchObject({
      // A call is recorded once it worked; the last one, kanban_complete, ended the run (its outcome says so).
      agent: { client: "fake-claude", version: "9.9.9", tools: ["kanban_show"] },
    });
  });
});
