import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { CreateResult, ToolError } from "@switchyard/contract";
import { claimTask, type Kernel, listEvents, recordWorkerExit, requireTask, setWorkerPid } from "@switchyard/core";
import { describe, expect, it, onTestFinished } from "vitest";
import { z } from "zod";
import { BIN, boardSnapshot, expectRefused, type TestHome, tempHome } from "./cli.ts";

/** The failure policy at the CLI (decision 013): `create --max-retries`, `retries`, `profiles`. */

/** Three tasks of `profile` whose workers die the same way: the profile is paused on the board. */
async function pauseProfile(k: Kernel, home: TestHome, profile: string): Promise<string[]> {
  const ids: string[] = [];
  for (const title of ["one", "two", "three"]) {
    const id = home.create(title, "--assignee", profile);
    const runId = (await claimTask(k, id))?.current_run_id as number;
    await setWorkerPid(k, id, runId, 5000);
    await recordWorkerExit(k, id, runId, { pid: 5000, code: 1, signal: null, lastLine: "fatal: invalid API key" });
    ids.push(id);
  }
  return ids;
}

describe("max_retries at the CLI", () => {
  it("is stored by create --max-retries and changed or cleared by retries, and show names it", async () => {
    const home = tempHome();
    const k = await home.kernel();
    const id = home.create("careful", "--max-retries", "2");
    expect((await requireTask(k, id)).max_retries).toBe(2);
    expect(home.ok(["show", id])).toMatch(/retries: +gives up after 2 failure\(s\)/);

    expect(home.ok(["retries", id, "5"])).toBe(`${id} gives up after 5 failure(s)\n`);
    expect((await requireTask(k, id)).max_retries).toBe(5);
    expect(home.ok(["retries", id, "none"])).toBe(`${id} gives up at dispatch.failure_limit failures\n`);
    expect((await requireTask(k, id)).max_retries).toBeNull();
    expect(
      (await listEvents(k, id)).filter((e) => e.kind === "max_retries_set").map((e) => e.payload.max_retries),
    ).toEqual([5, null]);
  });

  it("refuses 0, more than 100, fractions and words with exit 2 and one line, storing nothing", async () => {
    const home = tempHome();
    const id = home.create("x");
    for (const bad of ["0", "101", "1.5", "many"]) {
      await expectRefused(home, ["create", "y", "--max-retries", bad], 2, /^switchyard: .*max_retries must be/);
      await expectRefused(home, ["retries", id, bad], 2, /^switchyard: .*max_retries must be/);
    }
    await expectRefused(home, ["retries", "t_0badf00d", "3"], 1, /t_0badf00d not found/);
  });
});

describe("max_retries through MCP", () => {
  it("is taken by kanban_create, and an out-of-range value is refused with isError and stores nothing", async () => {
    const home = tempHome();
    const k = await home.kernel();
    const id = home.create("orchestrate", "--assignee", "lead");
    const run = (await claimTask(k, id))?.current_run_id as number;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, "mcp"],
      env: { ...home.env, SWITCHYARD_TASK: id, SWITCHYARD_RUN_ID: String(run), SWITCHYARD_PROFILE: "lead" },
      stderr: "pipe",
    });
    const client = new Client({ name: "switchyard-test", version: "1.0.0" });
    await client.connect(transport);
    onTestFinished(() => client.close());
    const call = async (args: Record<string, unknown>) => {
      const r = await client.callTool({ name: "kanban_create", arguments: args });
      const text = (r.content as Array<{ text: string }>)[0]?.text ?? "null";
      return { isError: r.isError === true, body: JSON.parse(text) as unknown };
    };

    const created = await call({ title: "one shot", assignee: "bob", max_retries: 1 });
    expect(created.isError).toBe(false);
    const child = CreateResult.parse(created.body).task_id;
    expect((await requireTask(k, child)).max_retries).toBe(1);

    const before = await boardSnapshot(k);
    const bad = await call({ title: "never", assignee: "bob", max_retries: 0 });
    expect(bad.isError).toBe(true);
    expect(ToolError.parse(bad.body).error).toMatch(/max_retries must be 1 or more/);
    expect(await boardSnapshot(k)).toEqual(before);
  });
});

describe("switchyard profiles", () => {
  it("lists a paused profile with its fingerprint, resumes it once, and refuses a second resume", async () => {
    const home = tempHome();
    const k = await home.kernel();
    const ids = await pauseProfile(k, home, "alice");

    const listed = home.ok(["profiles"]);
    expect(listed).toMatch(
      new RegExp(
        `^alice +PAUSED since .* after 3 identical failures \\(tripped by ${ids[2]}\\): exit 1: fatal: invalid api key$`,
        "m",
      ),
    );
    const json = z
      .object({ profiles: z.array(z.object({ name: z.string(), spawnable: z.boolean(), paused: z.unknown() })) })
      .parse(JSON.parse(home.ok(["profiles", "list", "--json"])));
    expect(json.profiles).toEqual([
      {
        name: "alice",
        spawnable: false,
        paused: expect.objectContaining({ fingerprint: "exit 1: fatal: invalid api key", failures: 3 }),
      },
    ]);

    expect(home.ok(["profiles", "resume", "alice"])).toBe(
      "Resumed alice on board default (it was paused on: exit 1: fatal: invalid api key)\n",
    );
    expect((await listEvents(k, ids[2] as string)).at(-1)).toMatchObject({
      kind: "profile_resumed",
      payload: { profile: "alice", by: "user" },
    });
    expect(home.ok(["profiles"])).toBe("(no profiles: add one under profiles in config.yaml)\n");
    await expectRefused(home, ["profiles", "resume", "alice"], 1, /profile 'alice' is not paused on this board/);
  });
});
