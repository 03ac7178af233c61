import { TaskDetail, TaskResponse } from "@switchyard/contract";
import { claimTask, recordAgentConnection, recordWorkerExit, setWorkerPid } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { harness, refused } from "./helpers.ts";

/** Agents as workers over REST (SPEC §14): a task's own model, and what the board knows of its agent. */

describe("a task's model_override over REST", () => {
  it("is taken by POST /tasks and PATCH /tasks/:id (null goes back to the profile's model), and refused when it is not a model name", async () => {
    const h = harness();
    const created = TaskResponse.parse(
      await (await h.request("POST", "/tasks", { json: { title: "big job", model_override: "opus" } })).json(),
    );
    expect(created.task.model_override).toBe("opus");
    const id = created.task.id;
    const patched = TaskResponse.parse(
      await (await h.request("PATCH", `/tasks/${id}`, { json: { model_override: "openai/gpt-5" } })).json(),
    );
    expect(patched.task.model_override).toBe("openai/gpt-5");
    const detail = TaskDetail.parse(await (await h.request("GET", `/tasks/${id}`)).json());
    expect(detail.task.model_override).toBe("openai/gpt-5");
    expect(detail.events.at(-1)).toMatchObject({ kind: "edited", payload: { fields: ["model_override"] } });
    const cleared = TaskResponse.parse(
      await (await h.request("PATCH", `/tasks/${id}`, { json: { model_override: null } })).json(),
    );
    expect(cleared.task.model_override).toBeNull();
    const bad = await refused(
      h.request("PATCH", `/tasks/${id}`, { json: { model_override: "two words" } }),
      400,
      "invalid_input",
    );
    expect(bad.detail).toContain("model");
  });
});

describe("a worker whose agent never connected, in GET /tasks/:id", () => {
  it("shows the verdict and the agent's last lines in the run's error, the task's last error and the event", async () => {
    const h = harness();
    const k = await h.k;
    const id = TaskResponse.parse(
      await (await h.request("POST", "/tasks", { json: { title: "t", assignee: "coder" } })).json(),
    ).task.id;
    const runId = (await claimTask(k, id))?.current_run_id as number;
    await setWorkerPid(k, id, runId, 999);
    await recordWorkerExit(k, id, runId, {
      pid: 999,
      code: 0,
      signal: null,
      agentExpected: true,
      logTail: ["Error: no API key"],
    });
    const detail = TaskDetail.parse(await (await h.request("GET", `/tasks/${id}`)).json());
    const error = `worker pid 999 exited (code 0) without completing or blocking the task: the agent never connected to the board's tools; its last log lines: "Error: no API key"`;
    expect(detail.runs.at(-1)).toMatchObject({ outcome: "protocol_violation", error });
    expect(detail.task.last_spawn_error).toBe(error);
    expect(detail.events.at(-1)).toMatchObject({
      kind: "protocol_violation",
      payload: { agent_connected: false, log_tail: ["Error: no API key"], error },
    });
  });

  it("shows a connected agent's client and tools on its open run", async () => {
    const h = harness();
    const k = await h.k;
    const id = TaskResponse.parse(
      await (await h.request("POST", "/tasks", { json: { title: "t", assignee: "coder" } })).json(),
    ).task.id;
    const runId = (await claimTask(k, id))?.current_run_id as number;
    await recordAgentConnection(k, id, runId, { name: "opencode", version: "1.18.33" });
    const detail = TaskDetail.parse(await (await h.request("GET", `/tasks/${id}`)).json());
    expect(detail.runs.at(-1)?.metadata).toMatchObject({
      agent: { client: "opencode", version: "1.18.33", tools: [] },
    });
  });
});
