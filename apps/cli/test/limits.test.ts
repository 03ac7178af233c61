import { spawn } from "node:child_process";
import { CliShow, CliTask, ToolError } from "@switchyard/contract";
import { claimTask } from "@switchyard/core";
import { describe, expect, it, onTestFinished } from "vitest";
import { BIN, boardSnapshot, expectRefused, type TestHome, tempHome } from "./cli.ts";

/**
 * The CLI and the MCP tools take exactly what the API takes (issue 13): they parse their input
 * with the contract's schemas, so every limit is the API's, free-form JSON included.
 */

/** `{"a":{"a":…1…}}` nested `depth` deep, as text: JSON.stringify itself overflows past ~4,000. */
function deepText(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

const DEEP = deepText(5_000);

/** Refused with exit 1 or 2 (the CLI chooses by the kind of mistake). */
const refused = (home: TestHome, args: string[], message: RegExp) => expectRefused(home, args, "1 or 2", message);

describe("the CLI applies the API's limits", () => {
  it("refuses each value the API refuses, with one line naming the flag, and stores nothing", async () => {
    const home = tempHome();
    const a = home.create("first", "--assignee", "alice");
    const long = (n: number) => "x".repeat(n);
    const cases: Array<[string[], RegExp]> = [
      [["create", "x", "--priority", "1e9"], /--priority: must be a whole number from -1,000,000 to 1,000,000/],
      [["create", "x", "--priority", "-1000001"], /--priority: must be a whole number from -1,000,000/],
      [["create", long(1_001)], /<title>: must be at most 1,000 characters/],
      [["create", "x", "--tenant", long(201)], /--tenant: must be at most 200 characters/],
      [["create", "x", "--idempotency-key", long(201)], /--idempotency-key: must be at most 200 characters/],
      [["create", "x", "--assignee", long(201)], /--assignee: must be at most 200 characters/],
      [
        ["create", "x", "--max-runtime", "999d"],
        /--max-runtime: must be a whole number of seconds from 0 to 31,536,000/,
      ],
      [["create", "x", "--skill", long(201)], /--skill: must be at most 200 characters/],
      [["assign", a, long(201)], /<profile>: must be at most 200 characters/],
      [["reassign", a, long(201)], /<profile>: must be at most 200 characters/],
      [["comment", a, "hi", "--author", long(201)], /--author: must be at most 200 characters/],
      [["block", a, long(10_001)], /\[reason\]: must be at most 10,000 characters/],
      [["reclaim", a, "--reason", long(10_001)], /--reason: must be at most 10,000 characters/],
      [["heartbeat", a, "--note", long(2_001)], /--note/],
      [["link", a, long(201)], /<child>: must be at most 200 characters/],
      [
        ["notify-subscribe", a, "--platform", "webhook", "--chat-id", "not a url"],
        /--chat-id: must be an http\(s\) URL/,
      ],
      [["notify-subscribe", a, "--platform", "slack", "--chat-id", "ftp://x/y"], /--chat-id: must be an http\(s\) URL/],
      [
        ["notify-subscribe", a, "--platform", "webhook", "--chat-id", "http://x", "--thread-id", long(201)],
        /--thread-id: must be at most 200 characters/,
      ],
      [["boards", "create", "ops", "--name", long(201)], /--name: must be at most 200 characters/],
      [["boards", "create", "ops", "--icon", long(17)], /--icon: must be at most 16 characters/],
      [["boards", "rename", "default", long(201)], /<name>: must be at most 200 characters/],
    ];
    for (const [args, message] of cases) await refused(home, args, message);
    expect(home.json(CliTask.array(), ["list", "--json"]).map((t) => t.title)).toEqual(["first"]);
    expect(home.ok(["boards", "list"])).not.toContain("ops");
  });

  it("accepts the limits themselves", () => {
    const home = tempHome();
    const id = home.create(
      "x".repeat(1_000),
      "--priority",
      "1000000",
      "--tenant",
      "t".repeat(200),
      "--max-runtime",
      "365d",
    );
    const task = home.json(CliShow, ["show", id, "--json"]).task;
    expect(task).toMatchObject({ priority: 1_000_000, tenant: "t".repeat(200) });
    home.ok(["notify-subscribe", id, "--platform", "webhook", "--chat-id", "https://hooks.example/x"]);
  });
});

describe("a metadata object nested 5,000 deep", () => {
  it("is refused by complete and edit with one line naming the limit, and nothing is stored", async () => {
    const home = tempHome();
    const a = home.create("a", "--assignee", "alice");
    const done = home.create("done");
    home.ok(["complete", done, "--summary", "first"]);
    const limit = /--metadata: JSON nested more than 32 levels deep \(the limit is 32\)/;
    await refused(home, ["complete", a, "--summary", "s", "--metadata", DEEP], limit);
    await refused(home, ["edit", done, "--result", "r", "--metadata", DEEP], limit);
    const big = JSON.stringify({ blob: "x".repeat(70_000) });
    await refused(home, ["complete", a, "--metadata", big], /--metadata: JSON longer than 65,536 characters/);
  });

  it("is refused through MCP with isError, and nothing is stored", async () => {
    const home = tempHome();
    const id = home.create("work", "--assignee", "alice");
    const run = (await claimTask(await home.kernel(), id))?.current_run_id as number;
    const env = { SWITCHYARD_TASK: id, SWITCHYARD_RUN_ID: String(run), SWITCHYARD_PROFILE: "alice" };
    const mcp = rawMcp(home, env);
    // The board records the agent's connection on its run when it initializes (issue 15);
    // what follows must store nothing more.
    await mcp.ready;
    const before = await boardSnapshot(await home.kernel());
    const deep = await mcp.call("kanban_complete", `{"summary":"s","metadata":${DEEP}}`);
    expect(deep.isError).toBe(true);
    expect(ToolError.parse(deep.body).error).toBe("metadata: JSON nested more than 32 levels deep (the limit is 32)");
    const priority = await mcp.call("kanban_create", '{"title":"t","assignee":"bob","priority":1000000000}');
    expect(priority.isError).toBe(true);
    expect(ToolError.parse(priority.body).error).toMatch(/priority must be from -1000000 to 1000000/);
    const runtime = await mcp.call("kanban_create", '{"title":"t","assignee":"bob","max_runtime_seconds":86313600}');
    expect(runtime.isError).toBe(true);
    expect(ToolError.parse(runtime.body).error).toMatch(/max_runtime_seconds must be at most 31536000/);
    expect(await boardSnapshot(await home.kernel())).toEqual(before);
  });
});

describe("over-deep rows already on the board", () => {
  it("do not break show, context, list or runs for the task and its child", async () => {
    const home = tempHome();
    const parent = home.create("parent", "--assignee", "alice");
    const child = home.create("child", "--assignee", "bob", "--parent", parent);
    home.ok(["complete", parent, "--summary", "handed off", "--metadata", '{"ok": true}']);
    const k = await home.kernel();
    // As a board written before the limit (or by another tool) holds them.
    await k.write(async (k) => {
      await k.db.run("UPDATE task_runs SET metadata = ? WHERE task_id = ?", [deepText(3_500), parent]);
      await k.db.run("UPDATE tasks SET skills = ? WHERE id = ?", [`${"[".repeat(5_000)}${"]".repeat(5_000)}`, child]);
    });
    const note = /not shown: it is JSON nested more than 32 levels deep/;
    const shown = home.json(CliShow, ["show", parent, "--json"]);
    expect(JSON.stringify(shown.runs[0]?.metadata)).toMatch(note);
    expect(home.ok(["show", parent])).toContain("handed off");
    expect(home.ok(["show", child])).toContain("child");
    expect(home.json(CliShow, ["show", child, "--json"]).task.skills).toEqual([]);
    expect(home.ok(["context", parent])).toMatch(note);
    const childContext = home.ok(["context", child]);
    expect(childContext).toContain("handed off");
    expect(childContext).toMatch(note);
    expect(
      home
        .json(CliTask.array(), ["list", "--json"])
        .map((t) => t.title)
        .sort(),
    ).toEqual(["child", "parent"]);
    expect(home.ok(["list"])).toContain("child");
    expect(home.ok(["runs", parent])).toContain("completed");
  });
});

interface Called {
  isError: boolean;
  body: unknown;
}

/**
 * `switchyard mcp` spoken to over raw JSON-RPC lines: the SDK client serialises its arguments with
 * JSON.stringify, which cannot write a value nested 5,000 deep, so the request is written as text.
 */
function rawMcp(home: TestHome, env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, "mcp"], {
    env: { ...home.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  let buffered = "";
  const waiting = new Map<number, (message: Record<string, unknown>) => void>();
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    buffered += d;
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const message = JSON.parse(line) as Record<string, unknown>;
      if (typeof message.id === "number") waiting.get(message.id)?.(message);
    }
  });
  let nextId = 0;
  const request = (method: string, paramsText: string) => {
    const id = ++nextId;
    const answered = new Promise<Record<string, unknown>>((resolve, reject) => {
      waiting.set(id, resolve);
      child.once("exit", (code) => reject(new Error(`switchyard mcp exited (${code}) before answering ${method}`)));
    });
    child.stdin.write(`{"jsonrpc":"2.0","id":${id},"method":"${method}","params":${paramsText}}\n`);
    return answered;
  };
  const ready = request(
    "initialize",
    '{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}',
  ).then(() => {
    child.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
  });
  return {
    ready,
    async call(name: string, argumentsText: string): Promise<Called> {
      await ready;
      const answer = await request("tools/call", `{"name":"${name}","arguments":${argumentsText}}`);
      const result = answer.result as { isError?: boolean; content: Array<{ text: string }> };
      return { isError: result.isError === true, body: JSON.parse(result.content[0]?.text ?? "null") };
    },
  };
}
