import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LogRecord } from "@switchyard/contract";
import { listHosts, requireTask } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { BIN, startCli, tempHome } from "./cli.ts";

/**
 * `switchyard runner` (SPEC §13): the dispatcher alone, with no HTTP, under a host id. Here on
 * the embedded SQLite board; apps/cli/test/multi-host.test.ts runs three of them on PostgreSQL.
 */

const RunnerLine = z.strictObject({ host_id: z.string(), pid: z.number().int(), home: z.string() });

describe("switchyard runner", () => {
  it("dispatches under its host id, holds a lease while it runs, logs JSON lines with --json, and leaves on SIGINT", async () => {
    const home = tempHome();
    mkdirSync(home.root, { recursive: true });
    writeFileSync(
      join(home.root, "config.yaml"),
      JSON.stringify({
        dispatch: { interval_seconds: 1 },
        profiles: { coder: { command: [process.execPath, BIN, "complete", "{task_id}", "--result", "ok"] } },
      }),
    );
    const id = home.create("work for the runner", "--assignee", "coder");

    const runner = startCli(home, ["runner", "--host-id", "worker-7", "--json"]);
    await runner.waitFor(/"host_id"/, 60_000);
    const line = RunnerLine.parse(JSON.parse(runner.output().split("\n")[0] ?? ""));
    expect(line).toEqual({ host_id: "worker-7", pid: runner.pid, home: home.root });

    const k = await home.kernel();
    const deadline = Date.now() + 60_000;
    while ((await requireTask(k, id)).status !== "done") {
      if (Date.now() > deadline) throw new Error(`the task was not done: ${runner.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const claimed = (await k.db.get<{ payload: string }>(
      "SELECT payload FROM task_events WHERE task_id = ? AND kind = 'claimed'",
      [id],
    )) as { payload: string };
    expect(JSON.parse(claimed.payload).lock).toBe(`worker-7:${runner.pid}`);
    expect((await listHosts(k)).map((h) => [h.id, h.role, h.pid, h.profiles])).toEqual([
      ["worker-7", "runner", runner.pid, ["coder"]],
    ]);

    const all = await runner.waitFor(/dispatching/);
    expect(await runner.stop()).toBe(0);
    // Every stderr line is a log record; the host has left the board.
    const logLines = all
      .split("\n")
      .filter((l) => l.startsWith("{") && !l.includes('"host_id"'))
      .map((l) => LogRecord.parse(JSON.parse(l)));
    expect(logLines.some((r) => r.message.includes("runner worker-7 dispatching"))).toBe(true);
    expect(await listHosts(k)).toEqual([]);
  });

  it("refuses a malformed host id with one line, before dispatching anything", () => {
    const home = tempHome();
    const bad = home.run(["runner", "--host-id", "no spaces allowed"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/host id/);
    const badEnv = home.run(["runner"], { env: { SWITCHYARD_HOST_ID: "../etc" } });
    expect(badEnv.code).toBe(1);
    expect(badEnv.stderr.trim().split("\n")).toHaveLength(1);
    expect(badEnv.stderr).toMatch(/SWITCHYARD_HOST_ID/);
  });
});
