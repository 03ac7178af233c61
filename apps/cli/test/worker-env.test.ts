import { CliShow, CliTask } from "@switchyard/contract";
import { claimTask, reclaimTask } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { boardSnapshot, type TestHome, tempHome } from "./cli.ts";

/** A task claimed twice: run `stale` was reclaimed, run `current` is the task's run now. */
async function supersededTask(home: TestHome): Promise<{ id: string; stale: number; current: number }> {
  const id = home.create("flaky job", "--assignee", "alice");
  const k = await home.kernel();
  const stale = (await claimTask(k, id))?.current_run_id as number;
  await reclaimTask(k, id, { reason: "stuck" });
  const current = (await claimTask(k, id))?.current_run_id as number;
  return { id, stale, current };
}

describe("the CLI inside a worker's environment", () => {
  it("refuses complete, block and heartbeat from a superseded run, and changes nothing", async () => {
    const home = tempHome();
    const { id, stale } = await supersededTask(home);
    const env = { SWITCHYARD_TASK: id, SWITCHYARD_RUN_ID: String(stale) };
    const before = await boardSnapshot(await home.kernel());
    for (const args of [
      ["complete", id, "--summary", "late"],
      ["block", id, "late"],
      ["heartbeat", id],
    ]) {
      const r = home.run(args, { env });
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`run ${stale} is no longer the task's current run.*stop working on it`));
    }
    expect(await boardSnapshot(await home.kernel())).toEqual(before);
  });

  it("lets the current run complete its task", async () => {
    const home = tempHome();
    const { id, current } = await supersededTask(home);
    const env = { SWITCHYARD_TASK: id, SWITCHYARD_RUN_ID: String(current) };
    expect(home.ok(["heartbeat", id, "--note", "almost"], { env })).toContain(`Heartbeat ${id}`);
    expect(home.ok(["complete", id, "--summary", "finished"], { env })).toBe(`Completed ${id}\n`);
    expect(home.json(CliShow, ["show", id, "--json"]).runs.map((r) => r.outcome)).toEqual(["reclaimed", "completed"]);
  });

  it("honours the Hermes twins HERMES_KANBAN_TASK and HERMES_KANBAN_RUN_ID", async () => {
    const home = tempHome();
    const { id, stale } = await supersededTask(home);
    const r = home.run(["complete", id, "--result", "late"], {
      env: { HERMES_KANBAN_TASK: id, HERMES_KANBAN_RUN_ID: String(stale) },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is no longer the task's current run");
  });

  it("refuses to complete, block or heartbeat another task than the worker's own", async () => {
    const home = tempHome();
    const own = home.create("mine", "--assignee", "alice");
    const other = home.create("theirs", "--assignee", "bob");
    home.ok(["claim", other]);
    const before = await boardSnapshot(await home.kernel());
    for (const args of [
      ["complete", other, "--result", "x"],
      ["block", other, "x"],
      ["heartbeat", other],
    ]) {
      const r = home.run(args, { env: { SWITCHYARD_TASK: own } });
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toBe(
        `switchyard: this worker is scoped to task ${own}; refusing to mutate ${other}. ` +
          "Use kanban_comment (switchyard comment) to leave a note on it, or kanban_create (switchyard create) for follow-up work.\n",
      );
    }
    expect(await boardSnapshot(await home.kernel())).toEqual(before);
    expect(home.ok(["comment", other, "found a bug in your input"], { env: { SWITCHYARD_TASK: own } })).toContain(
      `Commented on ${other}`,
    );
  });

  it("extends the claim by SWITCHYARD_CLAIM_TTL_SECONDS on a heartbeat", async () => {
    const home = tempHome();
    const id = home.create("long", "--assignee", "alice");
    home.ok(["claim", id, "--ttl", "60"]);
    home.ok(["heartbeat", id], { env: { SWITCHYARD_TASK: id, SWITCHYARD_CLAIM_TTL_SECONDS: "3600" } });
    const k = await home.kernel();
    const row = await k.db.get<{ claim_expires: number; last_heartbeat_at: number }>(
      "SELECT claim_expires, last_heartbeat_at FROM tasks WHERE id = ?",
      [id],
    );
    if (!row) throw new Error(`no task ${id}`);
    expect(row.claim_expires - row.last_heartbeat_at).toBe(3600);
  });

  it("refuses a malformed run id in the environment (exit 2)", () => {
    const home = tempHome();
    const id = home.create("x", "--assignee", "alice");
    const r = home.run(["complete", id, "--result", "x"], { env: { SWITCHYARD_TASK: id, SWITCHYARD_RUN_ID: "abc" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("switchyard: SWITCHYARD_RUN_ID must be a positive whole number, got 'abc'\n");
  });

  it("uses the worker's profile as the default author, created_by and --mine", () => {
    const home = tempHome();
    const asAlice = { SWITCHYARD_PROFILE: "alice", HERMES_PROFILE: "ignored" };
    const mine = home.json(CliTask, ["create", "by alice", "--assignee", "alice", "--json"], { env: asAlice });
    expect(mine.created_by).toBe("alice");
    expect(
      home.json(CliTask, ["create", "by hermes", "--json"], { env: { HERMES_PROFILE: "hermes-bot" } }).created_by,
    ).toBe("hermes-bot");
    expect(home.json(CliTask, ["create", "by a person", "--assignee", "bob", "--json"]).created_by).toBe("user");
    home.ok(["comment", mine.id, "noted"], { env: asAlice });
    expect(home.json(CliShow, ["show", mine.id, "--json"]).comments[0]?.author).toBe("alice");
    expect(home.json(z.array(CliTask), ["list", "--mine", "--json"], { env: asAlice }).map((t) => t.id)).toEqual([
      mine.id,
    ]);
  });

  it("posts a block's reason as a comment by the worker's profile", () => {
    const home = tempHome();
    const id = home.create("deploy", "--assignee", "ops");
    home.ok(["block", id, "need", "prod", "credentials"], { env: { SWITCHYARD_PROFILE: "ops" } });
    const show = home.json(CliShow, ["show", id, "--json"]);
    expect(show.task.status).toBe("blocked");
    expect(show.comments).toEqual([expect.objectContaining({ author: "ops", body: "BLOCKED: need prod credentials" })]);
  });
});
