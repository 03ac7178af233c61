import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BoardDocument, CliMigrate, CliTask, CliTransfer } from "@switchyard/contract";
import { describe, expect, inject, it } from "vitest";
import { z } from "zod";
import type {} from "../../../packages/core/test/fixtures.ts";
import { tempHome } from "./cli.ts";

/**
 * `switchyard export` / `import` between a SQLite home and a PostgreSQL database, and `migrate`
 * on a board in PostgreSQL (issue 17), through the real binary against the `cli-postgres`
 * project's test server.
 */

function databaseUrl(): string {
  const url = inject("switchyardPostgresUrl");
  if (!url) throw new Error("run by the cli-postgres project, which starts the server");
  return url;
}

const docOf = (text: string) => BoardDocument.parse(JSON.parse(text));

describe("a board moved between SQLite and PostgreSQL with the CLI", () => {
  it("arrives in PostgreSQL with every row, and comes back to a SQLite home as it left", () => {
    const pg = { SWITCHYARD_DATABASE_URL: databaseUrl() };
    const slug = `moved-${randomBytes(4).toString("hex")}`;

    const origin = tempHome();
    const parent = origin.create("Design", "--assignee", "architect");
    origin.create("Build", "--assignee", "coder", "--parent", parent);
    origin.ok(["comment", parent, 'ünïcödé and "quotes"']);
    origin.ok(["claim", parent]);
    origin.ok(["complete", parent, "--summary", "designed"]);
    const file = join(origin.dir, "board.json");
    origin.ok(["export", file]);
    const first = docOf(readFileSync(file, "utf8"));

    const host = tempHome();
    host.ok(["boards", "create", slug], { env: pg });
    const loaded = host.json(CliTransfer, ["import", file, "--board", slug, "--json"], { env: pg });
    expect(loaded.rows).toEqual(Object.fromEntries(Object.entries(first.tables).map(([t, v]) => [t, v.rows.length])));
    const middle = docOf(host.ok(["export", "--board", slug], { env: pg }));
    expect(middle.dialect).toBe("postgres");
    expect(middle.tables).toEqual(first.tables);
    const list = (home: typeof host, env: Record<string, string>, board: string) =>
      home.json(z.array(CliTask), ["list", "--board", board, "--json"], { env });
    expect(list(host, pg, slug)).toEqual(list(origin, {}, "default"));

    const again = host.run(["import", file, "--board", slug], { env: pg });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(new RegExp(`^switchyard: board '${slug}' is not empty`));

    const back = tempHome();
    const pgFile = join(back.dir, "from-pg.json");
    host.ok(["export", pgFile, "--board", slug], { env: pg });
    back.ok(["import", pgFile]);
    expect({ ...docOf(back.ok(["export"])), exported_at: 0 }).toEqual({ ...first, exported_at: 0 });
  });

  it("shows a PostgreSQL board's schema version by its schema, without its password", () => {
    const pg = { SWITCHYARD_DATABASE_URL: databaseUrl() };
    const slug = `mig-${randomBytes(4).toString("hex")}`;
    const home = tempHome();
    home.ok(["boards", "create", slug], { env: pg });
    const shown = home.json(CliMigrate, ["migrate", "--board", slug, "--json"], { env: pg });
    expect(shown.boards).toEqual([
      {
        board: slug,
        dialect: "postgres",
        location: expect.stringMatching(new RegExp(`#board_${slug}$`)),
        version: expect.any(Number),
        current: expect.any(Number),
        state: "up_to_date",
        migrated: false,
      },
    ]);
    expect(shown.boards[0]?.version).toBe(shown.boards[0]?.current);
    expect(shown.boards[0]?.location).not.toMatch(/:[^/@:]*@/);
  });
});
