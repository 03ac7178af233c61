import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BoardSummary, CliTask } from "@switchyard/contract";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { tempHome } from "./cli.ts";

describe("boards", () => {
  it("lists only the default board on a fresh home, without creating its database", () => {
    const home = tempHome();
    const out = home.ok(["boards", "list"]);
    expect(out).toMatch(/SLUG\s+NAME\s+COUNTS\n\*\s+default\s+Default\s+\(empty\)/);
    expect(out).toContain("Current board: default");
    expect(home.ok(["boards"])).toBe(out);
    expect(existsSync(join(home.root, "kanban.db"))).toBe(false);
  });

  it("creates a board idempotently, switches to it, and keeps its tasks apart", () => {
    const home = tempHome();
    const created = home.ok(["boards", "create", "Atm10-Server", "--switch"]);
    expect(created).toContain("Created board atm10-server (Atm10 Server)");
    expect(created).toContain("Current board: atm10-server");
    expect(home.ok(["boards", "new", "atm10-server"])).toContain("Board already exists: atm10-server");
    expect(readFileSync(join(home.root, "kanban", "current"), "utf8").trim()).toBe("atm10-server");

    const onNew = home.create("restart the server", "--assignee", "ops");
    home.ok(["--board", "default", "create", "elsewhere"]);
    expect(home.json(z.array(CliTask), ["list", "--json"]).map((t) => t.title)).toEqual(["restart the server"]);
    expect(home.json(z.array(CliTask), ["--board", "default", "list", "--json"]).map((t) => t.title)).toEqual([
      "elsewhere",
    ]);
    expect(home.ok(["list"])).toMatch(/^Board: atm10-server \(1 other board; see boards list\)/);
    expect(home.run(["--board", "default", "show", onNew]).stderr).toBe(`switchyard: task ${onNew} not found\n`);
  });

  it("reports the counts of every board and which one is current", () => {
    const home = tempHome();
    home.ok(["boards", "create", "ops"]);
    home.create("a", "--assignee", "x");
    home.ok(["--board", "ops", "create", "b"]);
    home.ok(["--board", "ops", "create", "c", "--triage"]);
    const boards = home.json(z.array(BoardSummary), ["boards", "list", "--json"]);
    expect(boards.map((b) => [b.slug, b.is_current, b.total, b.counts])).toEqual([
      ["default", true, 1, { ready: 1 }],
      ["ops", false, 2, { ready: 1, triage: 1 }],
    ]);
  });

  it("switches, shows, renames and removes boards", () => {
    const home = tempHome();
    home.ok(["boards", "create", "research", "--description", "papers"]);
    expect(home.ok(["boards", "use", "research"])).toBe("Current board: research\n");
    expect(home.ok(["boards", "current"])).toMatch(
      /^research \(Research\)\npapers\nDatabase: .*research\/kanban\.db\n$/,
    );
    expect(home.ok(["boards", "rename", "research", "Deep", "Research"])).toBe(
      "Renamed board research to Deep Research\n",
    );
    expect(home.ok(["boards", "show"])).toMatch(/^research \(Deep Research\)/);

    const archived = home.ok(["boards", "rm", "research"]);
    expect(archived).toMatch(/^Archived board research to .*_archived\/research-\d+/);
    expect(home.ok(["boards", "show"])).toMatch(/^default \(Default\)/);
    home.ok(["boards", "create", "scratchpad"]);
    expect(home.ok(["boards", "delete", "scratchpad", "--delete"])).toBe("Deleted board scratchpad\n");
    expect(existsSync(join(home.root, "kanban", "boards", "scratchpad"))).toBe(false);
    expect(home.ok(["boards", "list"])).not.toContain("scratchpad");
  });

  it("follows SWITCHYARD_BOARD over the current file and warns when switching cannot win", () => {
    const home = tempHome();
    home.ok(["boards", "create", "one"]);
    home.ok(["boards", "create", "two"]);
    home.ok(["--board", "two", "create", "in two"]);
    const env = { SWITCHYARD_BOARD: "two" };
    expect(home.json(z.array(CliTask), ["list", "--json"], { env }).map((t) => t.title)).toEqual(["in two"]);
    const r = home.run(["boards", "switch", "one"], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("SWITCHYARD_BOARD=two is set in this environment and still wins");
  });
});
