import {
  Assignee,
  BoardStats,
  BoardSummary,
  CliRun,
  CliShow,
  CliTask,
  DispatchResult,
  NotifySubscription,
  WORKER_GUIDANCE,
} from "@switchyard/contract";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { tempHome } from "./cli.ts";

function verbsInHelp(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1] ?? "";
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1] as string).filter((v) => v !== "help");
}

describe("every verb on a fresh home", () => {
  it("gives sensible output for the 22 invocations of the reference's every-verb test, and dispatch --dry-run --json", () => {
    const home = tempHome();
    const outputs: Array<[string, string]> = [];
    const call = (args: string[], expectCode = 0) => {
      const r = home.run(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(expectCode);
      outputs.push([args.join(" ") || "(no arguments)", (r.stdout + r.stderr).trim()]);
      return r.stdout;
    };

    expect(call([])).toContain("Usage: switchyard");
    expect(call(["--help"])).toContain("Commands:");
    expect(call(["init"])).toMatch(/Board default: .*kanban\.db/);
    const a = /Created (t_[0-9a-f]{8})/.exec(
      call(["create", "write the schema", "--assignee", "alice"]),
    )?.[1] as string;
    const b = /Created (t_[0-9a-f]{8})/.exec(call(["create", "write the API", "--assignee", "bob"]))?.[1] as string;
    expect(call(["list"])).toContain(a);
    expect(call(["ls"])).toContain(b);
    expect(call(["show", a])).toContain("write the schema");
    expect(call(["assign", b, "carol"])).toBe(`Assigned ${b} to carol\n`);
    expect(call(["link", a, b])).toContain(`Linked ${a} -> ${b}`);
    expect(call(["unlink", a, b])).toContain(`Unlinked ${a} -> ${b}`);
    expect(call(["claim", a])).toMatch(new RegExp(`Claimed ${a}[\\s\\S]*Workspace: /`));
    expect(call(["comment", a, "halfway", "there"])).toContain(`Commented on ${a}`);
    expect(call(["complete", a, "--summary", "schema written"])).toBe(`Completed ${a}\n`);
    expect(call(["block", b, "need", "the", "API", "keys"])).toBe(`Blocked ${b}\n`);
    expect(call(["unblock", b])).toBe(`Unblocked ${b}\n`);
    expect(call(["archive", b])).toBe(`Archived ${b}\n`);
    expect(DispatchResult.parse(JSON.parse(call(["dispatch", "--dry-run", "--json"])))).toMatchObject({ spawned: [] });
    expect(BoardStats.parse(JSON.parse(call(["stats", "--json"]))).by_status).toEqual({ done: 1 });
    expect(call(["notify-list"])).toContain("(no subscriptions)");
    call(["log", a], 1);
    expect(outputs.at(-1)?.[1]).toMatch(new RegExp(`^switchyard: \\(no log for ${a} at .*${a}\\.log\\)$`));
    expect(call(["context", a])).toContain(`# Kanban task ${a}: write the schema`);
    expect(call(["gc"])).toMatch(/Removed \d+ workspace\(s\), \d+ event\(s\), \d+ log file\(s\)/);

    expect(outputs).toHaveLength(23);
    for (const [args, text] of outputs) expect(text, args).not.toBe("");
  });

  it("prints --json forms that parse against the contract schemas", async () => {
    const home = tempHome();
    const parent = home.json(CliTask, ["create", "parent", "--assignee", "alice", "--tenant", "ops", "--json"]);
    expect(Object.keys(parent).sort()).toEqual(Object.keys(CliTask.shape).sort());
    expect(parent).toMatchObject({ title: "parent", assignee: "alice", status: "ready", tenant: "ops", skills: [] });
    const child = home.json(CliTask, [
      "create",
      "child",
      "--assignee",
      "bob",
      "--parent",
      parent.id,
      "--skill",
      "review",
      "--max-runtime",
      "2h",
      "--priority",
      "5",
      "--json",
    ]);
    expect(child).toMatchObject({ status: "todo", priority: 5, skills: ["review"] });
    const k = await home.kernel();
    expect(await k.db.get("SELECT max_runtime_seconds AS m FROM tasks WHERE id = ?", [child.id])).toEqual({
      m: 7200,
    });

    home.ok(["claim", parent.id]);
    home.ok(["comment", parent.id, "a note"]);
    home.ok(["complete", parent.id, "--summary", "done it", "--metadata", '{"tests": 3}']);

    const list = home.json(z.array(CliTask), ["list", "--json"]);
    expect(list.map((t) => [t.id, t.status])).toEqual([
      [child.id, "ready"],
      [parent.id, "done"],
    ]);
    const show = home.json(CliShow, ["show", parent.id, "--json"]);
    expect(Object.keys(show).sort()).toEqual(Object.keys(CliShow.shape).sort());
    expect(show.children).toEqual([child.id]);
    expect(show.comments).toEqual([expect.objectContaining({ author: "user", body: "a note" })]);
    expect(show.events.map((e) => e.kind)).toEqual(["created", "claimed", "commented", "completed"]);
    expect(show.runs).toEqual([
      expect.objectContaining({ outcome: "completed", summary: "done it", metadata: { tests: 3 } }),
    ]);
    expect(home.json(z.array(CliRun), ["runs", parent.id, "--json"])).toEqual(show.runs);
    expect(home.json(BoardStats, ["stats", "--json"]).by_assignee).toEqual({ alice: { done: 1 }, bob: { ready: 1 } });
    expect(home.json(z.array(Assignee), ["assignees", "--json"]).map((a) => a.name)).toEqual(["alice", "bob"]);
    home.ok(["notify-subscribe", parent.id, "--platform", "webhook", "--chat-id", "http://127.0.0.1:9/hook"]);
    expect(home.json(z.array(NotifySubscription), ["notify-list", "--json"])).toEqual([
      expect.objectContaining({ task_id: parent.id, platform: "webhook", thread_id: "" }),
    ]);
    expect(home.json(z.array(BoardSummary), ["boards", "list", "--json"])).toEqual([
      expect.objectContaining({ slug: "default", is_current: true, total: 2, counts: { done: 1, ready: 1 } }),
    ]);
  });

  it("gives sensible output for the rest of the verbs", () => {
    const home = tempHome();
    const a = home.create("train the model", "--assignee", "alice");
    expect(home.ok(["claim", a, "--ttl", "10m"])).toContain(`Claimed ${a}`);
    expect(home.ok(["heartbeat", a, "--note", "epoch 3/10"])).toMatch(new RegExp(`^Heartbeat ${a} \\(claim until `));
    expect(home.ok(["reclaim", a, "--reason", "stuck"])).toBe(`Reclaimed ${a}\n`);
    expect(home.ok(["reassign", a, "bob"])).toBe(`Reassigned ${a} to bob\n`);
    expect(home.ok(["complete", a, "--result", "v1"])).toBe(`Completed ${a}\n`);
    expect(home.ok(["edit", a, "--result", "v2", "--summary", "retrained"])).toBe(`Edited ${a}\n`);
    const runs = home.ok(["runs", a]);
    expect(runs).toMatch(/#\s+OUTCOME\s+PROFILE\s+ELAPSED\s+STARTED/);
    expect(runs).toContain("reclaimed");
    expect(runs).toContain("✖ manual_reclaim: stuck");
    expect(runs).toContain("→ retrained");
    expect(home.ok(["assignees"])).toMatch(/NAME\s+SPAWNABLE\s+COUNTS\nbob\s+no\s+done 1/);
    expect(home.ok(["stats"])).toContain("By status: done 1");
    expect(home.ok(["notify-subscribe", a, "--platform", "slack", "--chat-id", "https://hooks.example/x"])).toContain(
      `Subscribed slack:https://hooks.example/x to ${a}`,
    );
    expect(home.ok(["notify-list", a])).toMatch(/TASK\s+PLATFORM\s+CHAT/);
    expect(home.ok(["notify-unsubscribe", a, "--platform", "slack", "--chat-id", "https://hooks.example/x"])).toContain(
      `Unsubscribed slack:https://hooks.example/x from ${a}`,
    );
    expect(home.ok(["guidance"])).toBe(WORKER_GUIDANCE);
    expect(home.ok(["boards", "show"])).toContain("default (Default)");
    expect(home.ok(["--version"])).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("has --help on every verb and on every boards subcommand", () => {
    const home = tempHome();
    const verbs = verbsInHelp(home.ok(["--help"]));
    expect(verbs).toEqual(
      expect.arrayContaining([
        "init",
        "boards",
        "create",
        "reclaim",
        "reassign",
        "guidance",
        "mcp",
        "dispatch",
        "serve",
      ]),
    );
    for (const verb of verbs) {
      const help = home.ok([verb, "--help"]);
      expect(help, verb).toMatch(new RegExp(`^Usage: switchyard ${verb}`));
    }
    for (const sub of ["list", "create", "rm", "switch", "show", "rename"]) {
      expect(home.ok(["boards", sub, "--help"])).toMatch(new RegExp(`^Usage: switchyard boards ${sub}`));
    }
  });

  it("prints worker guidance between 1.5 and 4 KB that uses Switchyard's names and the Hermes twins", () => {
    const text = tempHome().ok(["guidance"]);
    const bytes = Buffer.byteLength(text);
    expect(bytes).toBeGreaterThanOrEqual(1536);
    expect(bytes).toBeLessThanOrEqual(4096);
    for (const word of ["SWITCHYARD_TASK", "HERMES_KANBAN_TASK", "created_cards", "kanban_heartbeat", "kanban_block"]) {
      expect(text).toContain(word);
    }
  });
});
