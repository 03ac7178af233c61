import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BoardResult, BoardSummary, CliTask } from "@switchyard/contract";
import { describe, expect, inject, it } from "vitest";
import { z } from "zod";
import type {} from "../../../packages/core/test/fixtures.ts";
import { tempHome } from "./cli.ts";

/**
 * The real CLI with its boards in PostgreSQL (SPEC §13), against the test server of the
 * `cli-postgres` project. Two temp homes on one database stand for two hosts: what one creates,
 * the other sees. Each test's boards have slugs of their own (the catalog is the database's).
 */

function databaseUrl(): string {
  const url = inject("switchyardPostgresUrl");
  if (!url) throw new Error("run by the cli-postgres project, which starts the server");
  return url;
}

const uniqueSlug = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

describe("boards in PostgreSQL", () => {
  it("a board created on one host is listed and worked from another host's fresh home", () => {
    const env = { SWITCHYARD_DATABASE_URL: databaseUrl() };
    const slug = uniqueSlug("x");
    const here = tempHome();
    const elsewhere = tempHome();

    const created = here.ok(["boards", "create", slug], { env });
    expect(created).toContain(`Created board ${slug}`);
    expect(created).toContain(`Database: ${databaseUrl()}#board_${slug}`);
    const id = /Created (t_[0-9a-f]+)/.exec(here.ok(["create", "t", "--board", slug], { env }))?.[1];
    expect(id).toMatch(/^t_/);

    const listed = elsewhere.json(z.array(CliTask), ["list", "--board", slug, "--json"], { env });
    expect(listed.map((t) => [t.id, t.title])).toEqual([[id, "t"]]);
    const boards = elsewhere.json(z.array(BoardSummary), ["boards", "list", "--json"], { env });
    expect(boards.find((b) => b.slug === slug)).toMatchObject({ total: 1, counts: { ready: 1 } });
    // Nothing of it is on either host's disk.
    for (const home of [here, elsewhere]) {
      expect(existsSync(join(home.root, "kanban", "boards", slug, "kanban.db"))).toBe(false);
      expect(existsSync(join(home.root, "kanban.db"))).toBe(false);
    }
  });

  it("takes the database from storage.url in config.yaml when the variable is not set", () => {
    const env = { SWITCHYARD_DATABASE_URL: databaseUrl() };
    const slug = uniqueSlug("cfg");
    const here = tempHome();
    here.ok(["boards", "create", slug], { env });
    here.ok(["create", "from the variable", "--board", slug], { env });

    const configured = tempHome();
    mkdirSync(configured.root, { recursive: true });
    writeFileSync(join(configured.root, "config.yaml"), `storage:\n  url: ${databaseUrl()}\n`);
    const titles = configured.json(z.array(CliTask), ["list", "--board", slug, "--json"]).map((t) => t.title);
    expect(titles).toEqual(["from the variable"]);
  });

  it("archives a board for every host, and deletes it for good", () => {
    const env = { SWITCHYARD_DATABASE_URL: databaseUrl() };
    const slug = uniqueSlug("rm");
    const here = tempHome();
    const elsewhere = tempHome();
    here.ok(["boards", "create", slug], { env });

    expect(elsewhere.ok(["boards", "rm", slug], { env })).toContain(`Archived board ${slug}`);
    const served = here.json(z.array(BoardSummary), ["boards", "list", "--json"], { env });
    expect(served.map((b) => b.slug)).not.toContain(slug);
    const all = here.json(z.array(BoardSummary), ["boards", "list", "--all", "--json"], { env });
    expect(all.find((b) => b.slug === slug)).toMatchObject({ archived: true });

    expect(here.ok(["boards", "rm", slug, "--delete"], { env })).toContain(`Deleted board ${slug}`);
    const r = elsewhere.run(["list", "--board", slug], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^switchyard: board '${slug}' does not exist`));
  });

  it("never prints the database's password", () => {
    const withPassword = new URL(databaseUrl());
    withPassword.password = "s3cr3t-pw"; // the test server trusts every connection
    const env = { SWITCHYARD_DATABASE_URL: withPassword.toString() };
    const slug = uniqueSlug("pw");
    const home = tempHome();
    const outputs = [
      home.ok(["boards", "create", slug], { env }),
      home.ok(["boards", "list", "--json"], { env }),
      home.ok(["--board", slug, "boards", "show"], { env }),
      home.ok(["--board", slug, "init"], { env }),
    ];
    for (const out of outputs) expect(out).not.toContain("s3cr3t-pw");
    const shown = home.json(BoardResult, ["--board", slug, "boards", "show", "--json"], { env });
    expect(shown.board.db_path).toBe(`${databaseUrl()}#board_${slug}`);
  });

  it("refuses a SWITCHYARD_DATABASE_URL that is not PostgreSQL's with one line naming it", () => {
    const home = tempHome();
    const r = home.run(["list"], { env: { SWITCHYARD_DATABASE_URL: "mysql://root:s3cr3t-pw@db/fleet" } });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([
      "switchyard: SWITCHYARD_DATABASE_URL must be a PostgreSQL URL starting with postgres:// or postgresql://",
    ]);
  });
});
