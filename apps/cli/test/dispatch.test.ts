import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DispatchResult } from "@switchyard/contract";
import { type Kernel, listEvents, listRuns, requireTask } from "@switchyard/core";
import { systemProcesses, workerLogPath } from "@switchyard/runtime";
import { describe, expect, it, onTestFinished } from "vitest";
import { stringify } from "yaml";
import { type TestHome, tempHome } from "./cli.ts";

/**
 * `switchyard dispatch` with real workers: the fake agent (e2e/fake-agent) is each profile's
 * command, and it drives the board through this same CLI.
 */

const FAKE_AGENT = fileURLToPath(new URL("../../../e2e/fake-agent/fake-agent.mjs", import.meta.url));

interface Trace {
  pid: number;
  task: string;
  run: number | null;
  step: string;
  [key: string]: unknown;
}

interface Fleet {
  home: TestHome;
  k: Kernel;
  trace(): Trace[];
}

/** A home whose profiles run the fake agent with these arguments; workers left behind are killed. */
async function fleet(profiles: Record<string, string[]>, dispatch: Record<string, unknown> = {}): Promise<Fleet> {
  const home = tempHome();
  const tracePath = join(home.dir, "trace.jsonl");
  mkdirSync(home.env.SWITCHYARD_HOME as string, { recursive: true });
  writeFileSync(
    join(home.env.SWITCHYARD_HOME as string, "config.yaml"),
    stringify({
      dispatch: { stop_grace_seconds: 2, ...dispatch },
      profiles: Object.fromEntries(
        Object.entries(profiles).map(([name, args]) => [
          name,
          { command: [process.execPath, FAKE_AGENT, "--trace", tracePath, ...args] },
        ]),
      ),
    }),
  );
  const trace = () =>
    existsSync(tracePath)
      ? readFileSync(tracePath, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Trace)
      : [];
  const k = await home.kernel();
  onTestFinished(async () => {
    // Every worker a run recorded, and every one that wrote to the trace (a worker may be
    // recorded before it traces, or trace before its pid is recorded).
    const recorded = (
      await k.db.all<{ worker_pid: number }>("SELECT worker_pid FROM task_runs WHERE worker_pid IS NOT NULL", [])
    ).map((r) => r.worker_pid);
    for (const pid of new Set([...recorded, ...trace().map((t) => t.pid)])) systemProcesses.kill(-pid, "SIGKILL");
  });
  return { home, k, trace };
}

async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const dispatchJson = (f: Fleet, ...flags: string[]) => f.home.json(DispatchResult, ["dispatch", "--json", ...flags]);

describe("switchyard dispatch", () => {
  it("starts a worker that completes through the CLI, with its run, events, handoff and log recorded", async () => {
    const f = await fleet({ coder: ["--mode", "complete", "--summary", "wrote the parser"] });
    const id = f.home.create("write the parser", "--assignee", "coder");
    const result = dispatchJson(f);
    expect(result.spawned).toEqual([
      {
        task_id: id,
        assignee: "coder",
        workspace: join(f.home.env.SWITCHYARD_HOME as string, "kanban", "workspaces", id),
      },
    ]);
    await until("the task to be done", async () => (await requireTask(f.k, id)).status === "done");

    const [run, ...others] = await listRuns(f.k, id);
    expect(others).toEqual([]);
    expect(run).toMatchObject({ outcome: "completed", status: "done", profile: "coder", summary: "wrote the parser" });
    expect(run?.metadata).toMatchObject({ agent: "fake", mode: "complete" });
    expect((await listEvents(f.k, id)).map((e) => e.kind)).toEqual([
      "created",
      "claimed",
      "spawned",
      "heartbeat",
      "completed",
    ]);
    expect((await requireTask(f.k, id)).result).toContain("done by the fake agent");

    const start = f.trace().find((t) => t.step === "start");
    expect(start).toMatchObject({ task: id, run: run?.id, cwd: result.spawned[0]?.workspace });
    expect(readFileSync(workerLogPath(f.k.paths, id), "utf8")).toContain("starting:");
  });

  it("lets a worker create child cards and list them in created_cards", async () => {
    const f = await fleet({ lead: ["--mode", "children", "--count", "2"] });
    const id = f.home.create("plan the release", "--assignee", "lead");
    dispatchJson(f);
    await until("the task to be done", async () => (await requireTask(f.k, id)).status === "done");
    const created = f.trace().find((t) => t.step === "created")?.ids as string[];
    expect(created).toHaveLength(2);
    expect((await listEvents(f.k, id)).at(-1)).toMatchObject({
      kind: "completed",
      payload: { verified_cards: created },
    });
    for (const child of created) expect((await requireTask(f.k, child)).title).toContain(`of ${id}`);
  });

  it("refuses a made-up card in created_cards and accepts the honest retry", async () => {
    const f = await fleet({ liar: ["--mode", "phantom", "--after-refusal", "retry"] });
    const id = f.home.create("claim too much", "--assignee", "liar");
    dispatchJson(f);
    await until("the task to be done", async () => (await requireTask(f.k, id)).status === "done");
    expect(f.trace().find((t) => t.step === "phantom-complete")).toMatchObject({ code: 1 });
    const kinds = (await listEvents(f.k, id)).map((e) => e.kind);
    expect(kinds.indexOf("completion_blocked_hallucination")).toBeLessThan(kinds.indexOf("completed"));
    expect((await listRuns(f.k, id)).map((r) => r.outcome)).toEqual(["completed"]);
  });

  it("records a heartbeating worker's heartbeats on its run until it completes", async () => {
    const f = await fleet({ steady: ["--mode", "heartbeat", "--every", "0.2", "--for", "1"] });
    const id = f.home.create("long haul", "--assignee", "steady");
    dispatchJson(f);
    await until("the task to be done", async () => (await requireTask(f.k, id)).status === "done");
    const events = await listEvents(f.k, id);
    const beats = events.filter((e) => e.kind === "heartbeat");
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats[0]?.payload).toEqual({ note: "still working" });
    expect(events.map((e) => e.kind).filter((k) => k !== "heartbeat")).toEqual([
      "created",
      "claimed",
      "spawned",
      "completed",
    ]);
    expect((await listRuns(f.k, id)).map((r) => r.outcome)).toEqual(["completed"]);
  });

  it("lets a worker block its task with a reason", async () => {
    const f = await fleet({ asker: ["--mode", "block", "--reason", "which database?"] });
    const id = f.home.create("pick a database", "--assignee", "asker");
    dispatchJson(f);
    await until("the task to be blocked", async () => (await requireTask(f.k, id)).status === "blocked");
    expect((await listEvents(f.k, id)).find((e) => e.kind === "blocked")).toMatchObject({
      payload: { reason: "which database?" },
    });
  });

  it("after a reclaim, the old worker is stopped, its late complete is refused and the task is respawned", async () => {
    // A long grace: the worker's last words (a CLI call) must finish before any SIGKILL on a slow machine.
    const f = await fleet({ slow: ["--mode", "hang", "--on-term", "complete"] }, { stop_grace_seconds: 20 });
    const id = f.home.create("long job", "--assignee", "slow");
    dispatchJson(f);
    const first = await requireTask(f.k, id);
    await until("the worker to start", () => f.trace().some((t) => t.step === "hanging"));

    expect(f.home.ok(["reclaim", id])).toContain(`Reclaimed ${id}`);
    const late = await until("the late complete", () => f.trace().find((t) => t.step === "late-complete"));
    expect(late.code).toBe(1);
    expect(String(late.stderr)).toContain("no longer the task's current run");
    expect((await requireTask(f.k, id)).status).toBe("ready");
    await until("the old worker to be gone", () => !systemProcesses.isAlive(first.worker_pid as number));

    const again = dispatchJson(f);
    expect(again.spawned.map((s) => s.task_id)).toEqual([id]);
    const second = await requireTask(f.k, id);
    expect(second.current_run_id).not.toBe(first.current_run_id);
    expect(second.spawn_failures).toBe(0);
  });

  it("detects a dead worker on the next tick and blocks the task at --failure-limit", async () => {
    const f = await fleet({ crasher: ["--mode", "crash", "--code", "7"] });
    const id = f.home.create("doomed", "--assignee", "crasher");
    expect(dispatchJson(f).spawned).toHaveLength(1);
    const pid = (await requireTask(f.k, id)).worker_pid as number;
    await until("the worker to exit", () => !systemProcesses.isAlive(pid));
    const result = dispatchJson(f, "--failure-limit", "1");
    expect(result.crashed).toEqual([id]);
    expect(result.auto_blocked).toEqual([id]);
    expect((await requireTask(f.k, id)).status).toBe("blocked");
  });

  it("with --dry-run claims and starts nothing", async () => {
    const f = await fleet({ coder: ["--mode", "complete"] });
    const id = f.home.create("later", "--assignee", "coder");
    const unassigned = f.home.create("nobody's");
    const manual = f.home.create("a person's", "--assignee", "alice");
    const result = dispatchJson(f, "--dry-run");
    expect(result.spawned).toEqual([{ task_id: id, assignee: "coder", workspace: "" }]);
    expect(result.skipped_unassigned).toEqual([unassigned]);
    expect(result.skipped_nonspawnable).toEqual([manual]);
    expect(await requireTask(f.k, id)).toMatchObject({ status: "ready", current_run_id: null });
    expect(f.trace()).toEqual([]);
  });

  it("says which tasks could not start, rather than that there was nothing to do", async () => {
    const f = await fleet({});
    writeFileSync(
      join(f.home.env.SWITCHYARD_HOME as string, "config.yaml"),
      stringify({ profiles: { ghost: { command: ["/nonexistent/agent-binary"] } } }),
    );
    const id = f.home.create("haunt", "--assignee", "ghost");
    const out = f.home.ok(["dispatch"]);
    expect(out).toContain(`Could not start: ${id}`);
    expect(out).not.toContain("Nothing to dispatch");
    expect(await requireTask(f.k, id)).toMatchObject({ status: "ready", spawn_failures: 1 });
  });

  it("prints what it did as text, and respects --max", async () => {
    const f = await fleet({ coder: ["--mode", "complete"] });
    const a = f.home.create("a", "--assignee", "coder", "--priority", "5");
    const b = f.home.create("b", "--assignee", "coder");
    const out = f.home.ok(["dispatch", "--max", "1"]);
    expect(out).toMatch(new RegExp(`^Spawned ${a} \\(coder\\) in `, "m"));
    expect(out).not.toContain(b);
    await until("the task to be done", async () => (await requireTask(f.k, a)).status === "done");
    expect(f.home.ok(["dispatch", "--max", "0"])).toBe("Nothing to dispatch\n");
  });

  it("refuses a bad --max or --failure-limit with exit 2, and a bad config.yaml with exit 1 naming the key", async () => {
    const f = await fleet({ coder: ["--mode", "complete"] });
    for (const flags of [
      ["--max", "-1"],
      ["--max", "two"],
      ["--failure-limit", "0"],
    ]) {
      const r = f.home.run(["dispatch", ...flags]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    writeFileSync(join(f.home.env.SWITCHYARD_HOME as string, "config.yaml"), "dispatch:\n  max_in_progres: 2\n");
    const r = f.home.run(["dispatch"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("dispatch.max_in_progres");
  });
});
