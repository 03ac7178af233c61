import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { BoardDocument, CliMigrate, CliShow, CliTask, CliTransfer, CommentResult } from "@switchyard/contract";
import { SCHEMA_VERSION } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { expectRefused, type TestHome, tempHome } from "./cli.ts";

/** `switchyard export`, `import` and `migrate` (issue 17) on SQLite boards, through the real binary. */

/** A board with links, comments, a completed run, a blocked task, a policy and a subscription. */
function fill(home: TestHome): { parent: string; child: string } {
  const parent = home.create("Design the export — ünïcödé", "--assignee", "architect", "--body", 'say "hi"\nand bye');
  const child = home.create("Build it", "--assignee", "coder", "--parent", parent);
  home.ok(["comment", parent, "keep the ids"]);
  home.ok(["claim", parent]);
  home.ok(["complete", parent, "--summary", "designed"]);
  const blocked = home.create("Needs keys", "--assignee", "ops");
  home.ok(["block", blocked, "need", "the", "keys"]);
  home.ok(["policy", "set", "--base-ref", "main"]);
  home.ok(["notify-subscribe", child, "--platform", "webhook", "--chat-id", "http://127.0.0.1:9/hook"]);
  return { parent, child };
}

const docOf = (text: string) => BoardDocument.parse(JSON.parse(text));

/** The SQLite library, run in a child process: the CLI's sources and tests reach boards only through the binary. */
const SQLITE_MODULE = createRequire(import.meta.url).resolve("better-sqlite3");

/** A board file's recorded schema version, first set to `set` when given (as another Switchyard version would leave it). */
function userVersion(dbPath: string, set?: number): number {
  const r = spawnSync(
    process.execPath,
    [
      "-e",
      `const db = new (require(process.argv[1]))(process.argv[2]);
       if (process.argv[3]) db.pragma("user_version = " + Number(process.argv[3]));
       process.stdout.write(String(db.pragma("user_version", { simple: true })));
       db.close();`,
      SQLITE_MODULE,
      dbPath,
      set === undefined ? "" : String(set),
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout);
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("export and import", () => {
  it("move a board through a file into an empty board, which then reads the same", () => {
    const home = tempHome();
    const { parent } = fill(home);
    const file = join(home.dir, "board.json");

    const out = home.ok(["export", file]);
    expect(out).toMatch(
      new RegExp(
        `^Exported board default to ${file}: tasks 3, task_links 1, task_comments 2, task_runs 2, task_events \\d+, `,
      ),
    );
    const exported = docOf(readFileSync(file, "utf8"));
    expect(exported).toMatchObject({ board: "default", dialect: "sqlite", schema_version: SCHEMA_VERSION });
    for (const toStdout of [["export"], ["export", "-"]]) {
      expect({ ...docOf(home.ok(toStdout)), exported_at: 0 }).toEqual({ ...exported, exported_at: 0 });
    }

    home.ok(["boards", "create", "copy"]);
    const imported = home.ok(["import", file, "--board", "copy"]);
    expect(imported).toMatch(new RegExp(`^Imported ${file} into board copy: tasks 3, task_links 1, task_comments 2, `));
    expect(docOf(home.ok(["--board", "copy", "export"])).tables).toEqual(exported.tables);

    const list = (board: string) => home.json(z.array(CliTask), ["--board", board, "list", "--json"]);
    expect(list("copy")).toEqual(list("default"));
    const show = (board: string) => home.json(CliShow, ["--board", board, "show", parent, "--json"]);
    expect(show("copy")).toEqual(show("default"));
    // The copy goes on numbering after the largest id it was given.
    const comments = exported.tables.task_comments;
    const idAt = comments?.columns.indexOf("id") as number;
    const largest = Math.max(...(comments?.rows ?? []).map((r) => Number(r[idAt])));
    const fresh = home.json(CommentResult, ["--board", "copy", "comment", parent, "after the move", "--json"]);
    expect(fresh.comment_id).toBe(largest + 1);
  });

  it("print {board, file, rows} with --json, and read the document from stdin with '-'", () => {
    const home = tempHome();
    fill(home);
    const file = join(home.dir, "board.json");
    const exported = home.json(CliTransfer, ["export", file, "--json"]);
    expect(exported).toMatchObject({
      board: "default",
      file,
      rows: { tasks: 3, task_links: 1, kanban_notify_subs: 1 },
    });

    home.ok(["boards", "create", "copy"]);
    const r = home.run(["import", "-", "--board", "copy", "--json"], { input: readFileSync(file, "utf8") });
    expect(r.code, r.stderr).toBe(0);
    expect(CliTransfer.parse(JSON.parse(r.stdout))).toEqual({ board: "copy", file: "stdin", rows: exported.rows });
  });

  it("refuse an unreadable file, text that is not a board export, and a board that is not empty, with one line and no change", async () => {
    const home = tempHome();
    fill(home);
    const file = join(home.dir, "board.json");
    home.ok(["export", file]);
    const missing = join(home.dir, "nope.json");
    const notJson = join(home.dir, "not.json");
    writeFileSync(notJson, "{ this is not json");
    const otherFormat = join(home.dir, "trello.json");
    writeFileSync(otherFormat, JSON.stringify({ format: "trello", version: 1 }));
    const later = join(home.dir, "later.json");
    writeFileSync(later, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), version: 2 }));

    await expectRefused(home, ["import", missing], 1, new RegExp(`^switchyard: cannot read ${missing}: ENOENT`));
    await expectRefused(home, ["import", notJson], 1, /^switchyard: not a board export: the text is not JSON/);
    await expectRefused(
      home,
      ["import", otherFormat],
      1,
      /^switchyard: not a board export: its format is not 'switchyard-board'$/,
    );
    await expectRefused(
      home,
      ["import", later],
      1,
      /^switchyard: board export version 2 cannot be read by this Switchyard/,
    );
    await expectRefused(
      home,
      ["import", file],
      1,
      /^switchyard: board 'default' is not empty \(it has rows in tasks, .*\); import into a new board$/,
    );
    await expectRefused(home, ["import"], 2, /missing required argument 'file'/);
    await expectRefused(
      home,
      ["export", join(home.dir, "no", "such", "dir", "x.json")],
      1,
      /^switchyard: cannot write /,
    );
  });

  it("refuse to import into a board that does not exist, naming it", () => {
    const home = tempHome();
    fill(home);
    const file = join(home.dir, "board.json");
    home.ok(["export", file]);
    const r = home.run(["import", file, "--board", "ghost"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "switchyard: board 'ghost' does not exist; create it with: switchyard boards create ghost; `switchyard boards list` shows the boards\n",
    );
  });
});

describe("migrate", () => {
  it("shows a board without a database, then up to date, and exits 0", () => {
    const home = tempHome();
    const fresh = home.json(CliMigrate, ["migrate", "--json"]);
    expect(fresh).toEqual({
      applied: false,
      boards: [
        {
          board: "default",
          dialect: "sqlite",
          location: join(home.root, "kanban.db"),
          version: null,
          current: SCHEMA_VERSION,
          state: "absent",
          migrated: false,
        },
      ],
    });
    home.create("a task");
    expect(home.ok(["migrate"])).toMatch(
      new RegExp(
        `^BOARD +STORAGE +VERSION +THIS BUILD +STATE\\ndefault +sqlite +${SCHEMA_VERSION} +${SCHEMA_VERSION} +up to date\\n$`,
      ),
    );
  });

  it("shows a pending migration without migrating (exit 1), applies it with --apply, and covers every board with --all-boards", () => {
    const home = tempHome();
    home.create("a task");
    home.ok(["boards", "create", "ops"]);
    home.ok(["--board", "ops", "create", "another"]);
    const dbPath = join(home.root, "kanban.db");
    userVersion(dbPath, SCHEMA_VERSION - 1);
    const before = sha256(dbPath);

    const shown = home.run(["migrate", "--all-boards"]);
    expect(shown.code).toBe(1);
    expect(shown.stdout).toMatch(/^BOARD +STORAGE +VERSION +THIS BUILD +STATE\n/);
    expect(shown.stdout).toMatch(
      new RegExp(`\\ndefault +sqlite +${SCHEMA_VERSION - 1} +${SCHEMA_VERSION} +migration pending\\n`),
    );
    expect(shown.stdout).toMatch(new RegExp(`\\nops +sqlite +${SCHEMA_VERSION} +${SCHEMA_VERSION} +up to date\\n`));
    expect(shown.stderr).toBe(
      "switchyard: a migration is pending for default; run this again with --apply to migrate\n",
    );
    expect(sha256(dbPath)).toBe(before);
    expect(userVersion(dbPath)).toBe(SCHEMA_VERSION - 1);

    const applied = home.json(CliMigrate, ["migrate", "--all-boards", "--apply", "--json"]);
    expect(applied.applied).toBe(true);
    expect(applied.boards.map((b) => [b.board, b.version, b.state, b.migrated])).toEqual([
      ["default", SCHEMA_VERSION, "up_to_date", true],
      ["ops", SCHEMA_VERSION, "up_to_date", false],
    ]);
    expect(userVersion(dbPath)).toBe(SCHEMA_VERSION);
    expect(home.ok(["migrate", "--apply"])).toMatch(/\ndefault +sqlite +\d+ +\d+ +up to date\n$/);
  });

  it("reports a board written by a newer Switchyard and exits 1, with or without --apply, leaving it as it was", () => {
    const home = tempHome();
    home.ok(["boards", "create", "ops"]);
    home.ok(["--board", "ops", "create", "a task"]);
    const dbPath = join(home.root, "kanban", "boards", "ops", "kanban.db");
    userVersion(dbPath, SCHEMA_VERSION + 1);
    const before = sha256(dbPath);
    for (const args of [
      ["--board", "ops", "migrate"],
      ["--board", "ops", "migrate", "--apply"],
    ]) {
      const r = home.run(args);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        new RegExp(`\\nops +sqlite +${SCHEMA_VERSION + 1} +${SCHEMA_VERSION} +newer than this Switchyard\\n$`),
      );
      expect(r.stderr).toBe("switchyard: ops was written by a newer Switchyard; upgrade this one to use it\n");
    }
    expect(sha256(dbPath)).toBe(before);
  });
});
