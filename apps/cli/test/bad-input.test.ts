import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectRefused, type TestHome, tempHome } from "./cli.ts";

function seeded(): { home: TestHome; a: string; b: string } {
  const home = tempHome();
  const a = home.create("first", "--assignee", "alice");
  const b = home.create("second", "--assignee", "alice");
  return { home, a, b };
}

describe("bad input exits non-zero with one clear line and changes nothing", () => {
  it("refuses unknown task ids (exit 1)", async () => {
    const { home } = seeded();
    const ghost = "t_deadbeef";
    const notFound = new RegExp(`task ${ghost} not found`);
    for (const args of [
      ["show", ghost],
      ["assign", ghost, "bob"],
      ["comment", ghost, "hello"],
      ["complete", ghost],
      ["block", ghost, "why"],
      ["unblock", ghost],
      ["archive", ghost],
      ["heartbeat", ghost],
      ["claim", ghost],
      ["runs", ghost],
      ["log", ghost],
      ["context", ghost],
      ["edit", ghost, "--result", "x"],
      ["notify-subscribe", ghost, "--platform", "webhook", "--chat-id", "http://x"],
      ["tail", ghost],
    ]) {
      await expectRefused(home, args, 1, notFound);
    }
    await expectRefused(home, ["link", ghost, "t_cafebabe"], 1, /unknown task\(s\): t_deadbeef, t_cafebabe/);
    await expectRefused(home, ["unlink", ghost, "t_cafebabe"], 1, /no link t_deadbeef -> t_cafebabe/);
    await expectRefused(home, ["create", "orphan", "--parent", ghost], 1, /unknown parent task\(s\): t_deadbeef/);
  });

  it("refuses bad durations and numbers (exit 2)", async () => {
    const { home, a } = seeded();
    await expectRefused(home, ["create", "x", "--max-runtime", "5x"], 2, /invalid duration '5x'/);
    await expectRefused(home, ["create", "x", "--max-runtime", "-5m"], 2, /invalid duration/);
    await expectRefused(home, ["claim", a, "--ttl", "soon"], 2, /invalid duration 'soon'/);
    await expectRefused(home, ["create", "x", "--priority", "high"], 2, /--priority must be a whole number/);
    await expectRefused(home, ["log", a, "--tail", "0"], 2, /--tail must be a whole number \(1 or more\)/);
    await expectRefused(home, ["gc", "--event-retention-days", "-1"], 2, /must be a whole number \(0 or more\)/);
    await expectRefused(home, ["tail", a, "--interval", "0"], 2, /--interval must be a positive number of seconds/);
  });

  it("refuses metadata that is not a JSON object (exit 2)", async () => {
    const { home, a } = seeded();
    for (const bad of ["[1, 2]", '"text"', "42", "null", "{not json"]) {
      await expectRefused(
        home,
        ["complete", a, "--summary", "s", "--metadata", bad],
        2,
        /metadata must be a JSON object/,
      );
    }
    await expectRefused(home, ["edit", a, "--result", "r", "--metadata", "[]"], 2, /metadata must be a JSON object/);
  });

  it("refuses a bulk complete with a handoff (exit 2), and completes none of the tasks", async () => {
    const { home, a, b } = seeded();
    const oneRun = /describe one run: complete the tasks one at a time/;
    await expectRefused(home, ["complete", a, b, "--summary", "both done"], 2, oneRun);
    await expectRefused(home, ["complete", a, b, "--metadata", '{"x":1}'], 2, oneRun);
    await expectRefused(home, ["complete", a, b, "--created-card", a], 2, oneRun);
  });

  it("refuses a dependency cycle and a self-link (exit 1)", async () => {
    const { home, a, b } = seeded();
    home.ok(["link", a, b]);
    await expectRefused(home, ["link", b, a], 1, new RegExp(`linking ${b} -> ${a} would create a cycle`));
    await expectRefused(home, ["link", a, a], 1, /a task cannot depend on itself/);
  });

  it("refuses a skill name with a comma (exit 1)", async () => {
    const { home } = seeded();
    await expectRefused(
      home,
      ["create", "x", "--skill", "review,deploy"],
      1,
      /skill name 'review,deploy' contains a comma/,
    );
  });

  it("refuses unknown verbs, options, values and missing arguments (exit 2)", async () => {
    const { home, a } = seeded();
    await expectRefused(home, ["frobnicate"], 2, /unknown command 'frobnicate'/);
    await expectRefused(home, ["list", "--colour"], 2, /unknown option '--colour'/);
    await expectRefused(home, ["show"], 2, /missing required argument 'id'/);
    await expectRefused(home, ["list", "--status", "finished"], 2, /unknown status 'finished'/);
    await expectRefused(home, ["list", "--mine", "--assignee", "bob"], 2, /cannot be used with option '--assignee/);
    await expectRefused(home, ["watch", "--kinds", "created,exploded"], 2, /unknown event kind\(s\) 'exploded'/);
    await expectRefused(home, ["edit", a], 2, /required option '--result <text>' not specified/);
    await expectRefused(
      home,
      ["notify-subscribe", a, "--platform", "pager", "--chat-id", "x"],
      2,
      /unknown platform 'pager'/,
    );
    for (const ws of ["cloud", "dir:", "worktree:/x", "dir:relative/path"]) {
      await expectRefused(home, ["create", "x", "--workspace", ws], 2, /--workspace/);
    }
  });

  it("refuses a malformed board slug (exit 2) and a board that does not exist (exit 1)", async () => {
    const { home } = seeded();
    await expectRefused(home, ["--board", "Not A Slug!", "list"], 2, /invalid board slug 'Not A Slug!'/);
    await expectRefused(
      home,
      ["--board", "nope", "list"],
      1,
      /board 'nope' does not exist; create it with: switchyard boards create nope/,
    );
    await expectRefused(home, ["boards", "switch", "nope"], 1, /board 'nope' does not exist/);
    await expectRefused(home, ["boards", "rm", "default"], 1, /the default board cannot be removed/);
  });

  it("refuses transitions the kernel does not allow (exit 1)", async () => {
    const { home, a, b } = seeded();
    await expectRefused(home, ["unblock", a], 1, new RegExp(`cannot unblock ${a}: it is ready, not blocked`));
    await expectRefused(home, ["heartbeat", a], 1, new RegExp(`could not heartbeat ${a}: it is ready, not running`));
    await expectRefused(home, ["edit", a, "--result", "r"], 1, new RegExp(`cannot edit the result of ${a}`));
    home.ok(["claim", b]);
    await expectRefused(home, ["claim", b], 1, new RegExp(`cannot claim ${b}: it is running, claimed by `));
    await expectRefused(home, ["assign", b, "bob"], 1, /currently running/);
  });

  it("refuses a config.yaml with a bad key, naming the key (exit 1)", async () => {
    const home = tempHome();
    home.ok(["init"]);
    writeFileSync(join(home.root, "config.yaml"), "dispatch:\n  failure_limt: 3\n");
    await expectRefused(home, ["init"], 1, /config\.yaml: dispatch\.failure_limt/);
  });

  it("refuses a board file that is not a SQLite database and leaves it exactly as it was", () => {
    const home = tempHome();
    home.ok(["init"]);
    const db = join(home.root, "kanban.db");
    writeFileSync(db, "these are my notes, not a database\n".repeat(10));
    const before = readFileSync(db);
    const r = home.run(["list"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^switchyard: refusing to open .*kanban\.db: it is not a SQLite database/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(readFileSync(db)).toEqual(before);
  });
});
