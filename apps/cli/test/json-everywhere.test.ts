import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  Assignee,
  BoardResult,
  BoardSummary,
  BulkResult,
  CliClaim,
  CliContext,
  CliGc,
  CliGuidance,
  CliInit,
  CliMigrate,
  CliProfiles,
  CliRun,
  CliShow,
  CliStats,
  CliTask,
  CliTransfer,
  CliUnsubscribed,
  CommentResult,
  CurrentBoardResponse,
  DeleteBoardResponse,
  DispatchResult,
  DoctorReport,
  HeartbeatResult,
  LinkResult,
  NotifySubscription,
  PolicyResponse,
  ReassignResponse,
  ReclaimResponse,
  ResumeProfileResponse,
  TaskResponse,
  WORKER_GUIDANCE,
  WorkerLog,
} from "@switchyard/contract";
import { claimTask, type Kernel, recordWorkerExit, setWorkerPid } from "@switchyard/core";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Cli } from "../src/context.ts";
import { buildProgram } from "../src/program.ts";
import { type TestHome, tempHome } from "./cli.ts";

/**
 * `--json` on every verb (issue 15 item 5): the program's verbs are walked, and each one is run
 * with `--json` on a temp home and must print JSON of its contract schema. A mutation prints the
 * API's (or the tool's) response for the same action. A new verb fails here until it has a row.
 */

/** Every verb that runs an action: `create`, `boards list`, … (not the groups, not `help`). */
function verbsOf(program: Command): string[] {
  const out: string[] = [];
  const walk = (cmd: Command, path: string[]) => {
    for (const child of cmd.commands) {
      const next = [...path, child.name()];
      if (child.commands.length > 0) walk(child, next);
      else out.push(next.join(" "));
    }
  };
  walk(program, []);
  return out.sort();
}

/** Verbs whose output is not data: the MCP protocol on stdout, a shell script. */
const NOT_DATA: Record<string, string> = {
  mcp: "its stdout is the MCP protocol (JSON-RPC); the tools' results carry structuredContent",
  completion: "it prints a shell script",
  wrap: "its output is the wrapped agent's, for the worker's log; it reports to the board itself",
};

/** Verbs that run until stopped: their JSON lines are checked by the tests named here. */
const LIVE: Record<string, string> = {
  tail: "streams.test.ts: tail --json prints each event as one JSON line",
  watch: "streams.test.ts: watch --json prints each new event as one JSON line",
  serve: "serve-log.test.ts: serve --json prints its URL and its log as JSON lines",
  runner: "runner.test.ts: runner --json prints its host id and its log as JSON lines",
};

interface Row {
  /** Sets up what the verb needs and returns its arguments (without --json). */
  args: (h: Fixture) => Promise<string[]> | string[];
  schema: z.ZodType;
  check?: (value: unknown, h: Fixture) => void;
}

interface Fixture {
  home: TestHome;
  k: Kernel;
  task(title?: string, ...flags: string[]): string;
}

/** Three tasks of `profile` whose workers die the same way: the profile is paused on the board. */
async function pauseProfile(h: Fixture, profile: string): Promise<void> {
  for (const title of ["one", "two", "three"]) {
    const id = h.task(title, "--assignee", profile);
    const runId = (await claimTask(h.k, id))?.current_run_id as number;
    await setWorkerPid(h.k, id, runId, 5000);
    await recordWorkerExit(h.k, id, runId, { pid: 5000, code: 1, signal: null, lastLine: "fatal: bad key" });
  }
}

const ok = (results: unknown) => expect(results).toEqual({ results: [expect.objectContaining({ ok: true })] });

const ROWS: Record<string, Row> = {
  init: { args: () => ["init"], schema: CliInit },
  "boards list": { args: () => ["boards", "list"], schema: z.array(BoardSummary) },
  "boards create": {
    args: () => ["boards", "create", "ops", "--name", "Ops"],
    schema: BoardResult,
    check: (v) => expect(v).toMatchObject({ board: { slug: "ops", name: "Ops" }, current: "default" }),
  },
  "boards rm": {
    args: (h) => {
      h.home.ok(["boards", "create", "old"]);
      return ["boards", "rm", "old"];
    },
    schema: DeleteBoardResponse,
    check: (v) => expect(v).toMatchObject({ result: { slug: "old", action: "archived" } }),
  },
  "boards switch": { args: () => ["boards", "switch", "default"], schema: CurrentBoardResponse },
  "boards show": { args: () => ["boards", "show"], schema: BoardResult },
  "boards rename": {
    args: () => ["boards", "rename", "default", "Main", "board"],
    schema: BoardResult,
    check: (v) => expect(v).toMatchObject({ board: { slug: "default", name: "Main board" } }),
  },
  create: { args: () => ["create", "a", "task", "--assignee", "alice"], schema: CliTask },
  list: { args: () => ["list"], schema: z.array(CliTask) },
  show: { args: (h) => ["show", h.task()], schema: CliShow },
  assign: {
    args: (h) => ["assign", h.task(), "bob"],
    schema: TaskResponse,
    check: (v) => expect(v).toMatchObject({ task: { assignee: "bob" } }),
  },
  comment: { args: (h) => ["comment", h.task(), "a", "note"], schema: CommentResult },
  claim: {
    args: (h) => ["claim", h.task()],
    schema: CliClaim,
    check: (v) => expect(v).toMatchObject({ task: { status: "running" }, workspace: expect.stringMatching(/^\//) }),
  },
  complete: {
    args: (h) => {
      const id = h.task();
      h.home.ok(["claim", id]);
      return ["complete", id, "--summary", "done"];
    },
    schema: BulkResult,
    check: ok,
  },
  block: { args: (h) => ["block", h.task(), "need", "input"], schema: BulkResult, check: ok },
  unblock: {
    args: (h) => {
      const id = h.task();
      h.home.ok(["block", id, "why"]);
      return ["unblock", id];
    },
    schema: BulkResult,
    check: ok,
  },
  archive: { args: (h) => ["archive", h.task()], schema: BulkResult, check: ok },
  heartbeat: {
    args: (h) => {
      const id = h.task();
      h.home.ok(["claim", id]);
      return ["heartbeat", id, "--note", "alive"];
    },
    schema: HeartbeatResult,
  },
  edit: {
    args: (h) => {
      const id = h.task();
      h.home.ok(["complete", id, "--result", "v1"]);
      return ["edit", id, "--result", "v2"];
    },
    schema: TaskResponse,
    check: (v) => expect(v).toMatchObject({ task: { result: "v2" } }),
  },
  reclaim: {
    args: (h) => {
      const id = h.task();
      h.home.ok(["claim", id]);
      return ["reclaim", id, "--reason", "stuck"];
    },
    schema: ReclaimResponse,
  },
  reassign: {
    args: (h) => ["reassign", h.task(), "carol"],
    schema: ReassignResponse,
    check: (v) => expect(v).toMatchObject({ ok: true, assignee: "carol" }),
  },
  link: { args: (h) => ["link", h.task(), h.task()], schema: LinkResult },
  unlink: {
    args: (h) => {
      const [a, b] = [h.task(), h.task()];
      h.home.ok(["link", a, b]);
      return ["unlink", a, b];
    },
    schema: LinkResult,
  },
  dispatch: { args: () => ["dispatch", "--dry-run"], schema: DispatchResult },
  retries: {
    args: (h) => ["retries", h.task(), "3"],
    schema: TaskResponse,
    check: (v) => expect(v).toMatchObject({ task: { max_retries: 3 } }),
  },
  "profiles list": { args: () => ["profiles", "list"], schema: CliProfiles },
  "profiles resume": {
    args: async (h) => {
      await pauseProfile(h, "paused-one");
      return ["profiles", "resume", "paused-one"];
    },
    schema: ResumeProfileResponse,
  },
  log: {
    args: (h) => {
      const id = h.task();
      mkdirSync(h.k.paths.logsDir, { recursive: true });
      writeFileSync(join(h.k.paths.logsDir, `${id}.log`), "line one\nline two\n");
      return ["log", id];
    },
    schema: WorkerLog,
    check: (v) => expect(v).toMatchObject({ exists: true, content: "line one\nline two\n" }),
  },
  runs: { args: (h) => ["runs", h.task()], schema: z.array(CliRun) },
  stats: {
    args: (h) => {
      h.task("a ready one");
      return ["stats", "--since", "2h"];
    },
    schema: CliStats,
    check: (v) => {
      const stats = CliStats.parse(v);
      expect(stats.fleet.now - stats.fleet.since).toBe(7200);
      expect(stats.fleet.queue.reduce((n, q) => n + q.ready, 0)).toBe(stats.by_status.ready);
    },
  },
  assignees: { args: () => ["assignees"], schema: z.array(Assignee) },
  context: {
    args: (h) => ["context", h.task("the context task")],
    schema: CliContext,
    check: (v) => expect((v as CliContext).worker_context).toContain("the context task"),
  },
  "notify-subscribe": {
    args: (h) => ["notify-subscribe", h.task(), "--platform", "webhook", "--chat-id", "http://127.0.0.1:9/a"],
    schema: NotifySubscription,
  },
  "notify-list": { args: () => ["notify-list"], schema: z.array(NotifySubscription) },
  "notify-unsubscribe": {
    args: (h) => {
      const id = h.task();
      h.home.ok(["notify-subscribe", id, "--platform", "slack", "--chat-id", "http://127.0.0.1:9/b"]);
      return ["notify-unsubscribe", id, "--platform", "slack", "--chat-id", "http://127.0.0.1:9/b"];
    },
    schema: CliUnsubscribed,
  },
  gc: { args: () => ["gc"], schema: CliGc },
  guidance: {
    args: () => ["guidance"],
    schema: CliGuidance,
    check: (v) => expect(v).toEqual({ guidance: WORKER_GUIDANCE }),
  },
  model: {
    args: (h) => ["model", h.task(), "opus"],
    schema: TaskResponse,
    check: (v) => expect(v).toMatchObject({ task: { model_override: "opus" } }),
  },
  waive: {
    args: (h) => {
      const id = h.task();
      h.home.ok(["claim", id]);
      return ["waive", id, "--reason", "checked by hand"];
    },
    schema: TaskResponse,
    check: (v) => expect(v).toMatchObject({ task: { status: "done" } }),
  },
  "policy show": { args: () => ["policy", "show"], schema: PolicyResponse },
  "policy set": {
    args: () => ["policy", "set", "--require", "commits"],
    schema: PolicyResponse,
    check: (v) => expect(v).toMatchObject({ policy: { require: ["commits"] } }),
  },
  doctor: {
    args: () => ["doctor"],
    schema: DoctorReport,
    check: (v) => expect(v).toEqual({ ok: true, profiles: [] }),
  },
  export: {
    args: (h) => ["export", join(h.home.dir, "exported.json")],
    schema: CliTransfer,
    check: (v, h) =>
      expect(v).toMatchObject({
        board: "default",
        file: join(h.home.dir, "exported.json"),
        rows: { tasks: expect.any(Number) },
      }),
  },
  import: {
    args: (h) => {
      const file = join(h.home.dir, "to-import.json");
      h.home.ok(["export", file]);
      h.home.ok(["boards", "create", "imported"]);
      return ["import", file, "--board", "imported"];
    },
    schema: CliTransfer,
    check: (v) => expect(v).toMatchObject({ board: "imported", rows: { tasks: expect.any(Number) } }),
  },
  migrate: {
    args: () => ["migrate", "--all-boards"],
    schema: CliMigrate,
    check: (v) => expect(CliMigrate.parse(v).boards.every((b) => b.state === "up_to_date")).toBe(true),
  },
};

describe("--json on every verb", () => {
  const program = buildProgram(() => ({}) as Cli);
  const verbs = verbsOf(program);

  it("has a row here, or a stated reason, for every verb of the program", () => {
    const covered = [...Object.keys(ROWS), ...Object.keys(NOT_DATA), ...Object.keys(LIVE)].sort();
    expect(covered, "a new verb needs a row in ROWS here (or a reason in NOT_DATA or LIVE)").toEqual(verbs);
  });

  it("is an option of every verb that prints data", () => {
    for (const verb of verbs) {
      if (verb in NOT_DATA) continue;
      let cmd: Command | undefined = program;
      for (const word of verb.split(" ")) cmd = cmd?.commands.find((c) => c.name() === word);
      expect(
        cmd?.options.some((o) => o.long === "--json"),
        verb,
      ).toBe(true);
    }
  });

  it("prints JSON of the verb's contract schema, and nothing else on stdout, for a success of each verb", async () => {
    const home = tempHome();
    const k = await home.kernel();
    let n = 0;
    const fixture: Fixture = {
      home,
      k,
      task: (title = `task ${++n}`, ...flags) => home.create(title, ...flags),
    };
    for (const [verb, row] of Object.entries(ROWS)) {
      const args = [...(await row.args(fixture)), "--json"];
      const r = home.run(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      let value: unknown;
      expect(() => {
        value = JSON.parse(r.stdout);
      }, `${verb} printed: ${r.stdout}`).not.toThrow();
      const parsed = row.schema.safeParse(value);
      expect(parsed.error?.issues ?? [], `${verb}: ${r.stdout}`).toEqual([]);
      row.check?.(value, fixture);
    }
  });

  it("prints every id's outcome of a bulk verb, exits 1 when one was refused, and says why on stderr", () => {
    const home = tempHome();
    const ready = home.create("ready one", "--assignee", "alice");
    const blocked = home.create("blocked one", "--assignee", "alice");
    home.ok(["block", blocked, "why"]);
    const r = home.run(["unblock", blocked, ready, "--json"]);
    expect(r.code).toBe(1);
    expect(BulkResult.parse(JSON.parse(r.stdout))).toEqual({
      results: [
        { id: blocked, ok: true },
        { id: ready, ok: false, error: `cannot unblock ${ready}: it is ready, not blocked` },
      ],
    });
    expect(r.stderr).toBe(`switchyard: cannot unblock ${ready}: it is ready, not blocked\n`);
  });

  it("keeps a refusal of a single verb as one line on stderr with nothing on stdout", () => {
    const home = tempHome();
    const r = home.run(["assign", "t_00000000", "bob", "--json"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
