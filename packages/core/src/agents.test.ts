import { describe, expect, it } from "vitest";
import { freshBoard } from "../test/fixtures.ts";
import { agentSessionOf, agentVerdict, recordAgentConnection, recordAgentToolCall } from "./agents.ts";
import { claimTask, setWorkerPid } from "./claims.ts";
import { completeTask } from "./completion.ts";
import { listEvents } from "./events.ts";
import { recordWorkerExit } from "./failures.ts";
import type { Kernel } from "./kernel.ts";
import { getRun } from "./runs.ts";
import { createTask, requireTask } from "./tasks.ts";

async function running(k: Kernel): Promise<{ id: string; runId: number }> {
  const id = (await createTask(k, { title: "work", assignee: "coder" })).task.id;
  const runId = (await claimTask(k, id))?.current_run_id as number;
  await setWorkerPid(k, id, runId, 4242);
  return { id, runId };
}

describe("an agent's connection to the board's tools", () => {
  it("is recorded on its open run with the client and the first call of each tool", async () => {
    const { k, clock } = await freshBoard();
    const { id, runId } = await running(k);
    expect(await agentSessionOf(k, runId)).toBeNull();
    expect(await recordAgentConnection(k, id, runId, { name: "claude-code", version: "2.1.328" })).toBe(true);
    clock.advance(5);
    expect(await recordAgentToolCall(k, id, runId, "kanban_show")).toBe(true);
    expect(await recordAgentToolCall(k, id, runId, "kanban_show")).toBe(false);
    expect(await recordAgentToolCall(k, id, runId, "kanban_heartbeat")).toBe(true);
    expect(await agentSessionOf(k, runId)).toEqual({
      client: "claude-code",
      version: "2.1.328",
      connected_at: clock.now() - 5,
      tools: ["kanban_show", "kanban_heartbeat"],
    });
    expect((await getRun(k, runId))?.metadata).toMatchObject({ agent: { client: "claude-code" } });
  });

  it("is not recorded for another task's run, or a run that has ended", async () => {
    const { k } = await freshBoard();
    const a = await running(k);
    const b = await running(k);
    expect(await recordAgentConnection(k, a.id, b.runId, { name: "x" })).toBe(false);
    await completeTask(k, a.id, { runId: a.runId, summary: "done" });
    expect(await recordAgentToolCall(k, a.id, a.runId, "kanban_show")).toBe(false);
    expect(await agentSessionOf(k, b.runId)).toBeNull();
    expect(await agentSessionOf(k, a.runId)).toBeNull();
  });

  it("keeps what a completion hands over besides it, and survives the completion when it hands over none", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await running(k);
    await recordAgentConnection(k, id, runId, { name: "codex-mcp-client", version: "0.169.0" });
    await recordAgentToolCall(k, id, runId, "kanban_complete");
    await completeTask(k, id, { runId, summary: "done" });
    expect((await getRun(k, runId))?.metadata).toMatchObject({
      agent: { client: "codex-mcp-client", tools: ["kanban_complete"] },
    });
  });
});

describe("a worker exit when its launch wired the board's tools in", () => {
  it("says the agent never connected, quoting its last log lines, when it did not", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await running(k);
    const lines = ["Error: invalid x-api-key", "  at request (client.js:10)"];
    const outcome = await recordWorkerExit(k, id, runId, {
      pid: 4242,
      code: 0,
      signal: null,
      lastLine: lines[1],
      agentExpected: true,
      logTail: lines,
    });
    expect(outcome).toMatchObject({ result: "retry", failures: 1 });
    const run = await getRun(k, runId);
    expect(run?.error).toBe(
      `worker pid 4242 exited (code 0) without completing or blocking the task: the agent never connected to the board's tools; its last log lines: "Error: invalid x-api-key" | "  at request (client.js:10)"`,
    );
    expect((await requireTask(k, id)).last_spawn_error).toBe(run?.error);
    const event = (await listEvents(k, id)).at(-1);
    expect(event).toMatchObject({
      kind: "protocol_violation",
      payload: { agent_connected: false, agent_tools: [], log_tail: lines, error: run?.error, status: "ready" },
    });
  });

  it("says what a connected agent called, on a crash too", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await running(k);
    await recordAgentConnection(k, id, runId, { name: "gemini-cli-mcp-client" });
    await recordAgentToolCall(k, id, runId, "kanban_show");
    await recordWorkerExit(k, id, runId, { pid: 4242, code: 1, signal: null, agentExpected: true, logTail: ["boom"] });
    const run = await getRun(k, runId);
    expect(run?.outcome).toBe("crashed");
    expect(run?.error).toBe(
      "worker pid 4242 died (code 1); the agent (gemini-cli-mcp-client) called kanban_show but neither kanban_complete nor kanban_block",
    );
    expect((await listEvents(k, id)).at(-1)?.payload).toMatchObject({
      agent_connected: true,
      agent_tools: ["kanban_show"],
    });
    expect((await listEvents(k, id)).at(-1)?.payload).not.toHaveProperty("log_tail");
  });

  it("gives up at the limit with the verdict in the gave_up event", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await running(k);
    await recordWorkerExit(
      k,
      id,
      runId,
      { pid: 4242, code: 0, signal: null, agentExpected: true, logTail: [] },
      { limit: 1 },
    );
    expect((await requireTask(k, id)).status).toBe("blocked");
    expect((await listEvents(k, id)).at(-1)).toMatchObject({
      kind: "gave_up",
      payload: { error: expect.stringContaining("the agent never connected to the board's tools, and logged nothing") },
    });
  });

  it("is the bare protocol violation when the launch did not wire the tools in", async () => {
    const { k } = await freshBoard();
    const { id, runId } = await running(k);
    await recordWorkerExit(k, id, runId, { pid: 4242, code: 0, signal: null, logTail: ["x"] });
    expect((await getRun(k, runId))?.error).toBe(
      "worker pid 4242 exited (code 0) without completing or blocking the task",
    );
    expect((await listEvents(k, id)).at(-1)?.payload).not.toHaveProperty("agent_connected");
  });
});

describe("agentVerdict", () => {
  it("shortens a long log line", () => {
    const text = agentVerdict(null, ["x".repeat(400)]);
    expect(text.length).toBeLessThan(250);
    expect(text).toContain("…");
  });
});
