import { spawn } from "node:child_process";
import { CliShow } from "@switchyard/contract";
import { claimTask, setWorkerPid } from "@switchyard/core";
import { describe, expect, it, onTestFinished } from "vitest";
import { boardSnapshot, type TestHome, tempHome } from "./cli.ts";

/** A real process standing in for a worker, in its own process group like the dispatcher's workers. */
function startWorker(): { pid: number; exited: Promise<void> } {
  const child = spawn("sleep", ["300"], { detached: true, stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  if (child.pid === undefined) throw new Error("could not start a worker process");
  return { pid: child.pid, exited };
}

/** A running task whose worker is a live process on this host, as the dispatcher leaves it. */
async function runningWithWorker(home: TestHome, title: string, assignee: string) {
  const id = home.create(title, "--assignee", assignee);
  const k = await home.kernel();
  const claimed = await claimTask(k, id);
  const worker = startWorker();
  await setWorkerPid(k, id, claimed?.current_run_id as number, worker.pid);
  return { id, worker };
}

describe("reclaim", () => {
  it("puts a running task back to ready at once, closing its run as reclaimed", async () => {
    const home = tempHome();
    const id = home.create("train", "--assignee", "alice");
    home.ok(["claim", id]);
    expect(home.ok(["reclaim", id, "--reason", "worker looks stuck"])).toBe(`Reclaimed ${id}\n`);
    const show = home.json(CliShow, ["show", id, "--json"]);
    expect(show.task.status).toBe("ready");
    const k = await home.kernel();
    expect(await k.db.get("SELECT claim_lock, worker_pid FROM tasks WHERE id = ?", [id])).toEqual({
      claim_lock: null,
      worker_pid: null,
    });
    expect(show.runs).toEqual([
      expect.objectContaining({ outcome: "reclaimed", error: "manual_reclaim: worker looks stuck" }),
    ]);
    const reclaimed = show.events.filter((e) => e.kind === "reclaimed");
    expect(reclaimed).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ manual: true, reason: "worker looks stuck" }) }),
    ]);
  });

  it("refuses a task that is not running, or an unknown id, with the reference's message and changes nothing", async () => {
    const home = tempHome();
    const id = home.create("idle", "--assignee", "alice");
    const before = await boardSnapshot(await home.kernel());
    for (const target of [id, "t_00000000"]) {
      const r = home.run(["reclaim", target]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`switchyard: cannot reclaim ${target} (not running or unknown id)\n`);
      expect(r.stdout).toBe("");
    }
    expect(await boardSnapshot(await home.kernel())).toEqual(before);
  });

  it("stops the task's worker when it runs on this host", async () => {
    const home = tempHome();
    const { id, worker } = await runningWithWorker(home, "long job", "alice");
    const out = home.ok(["reclaim", id]);
    expect(out).toBe(`Reclaimed ${id}\nStopped its worker (pid ${worker.pid})\n`);
    await worker.exited;
    expect(home.json(CliShow, ["show", id, "--json"]).task.status).toBe("ready");
  });
});

describe("reassign", () => {
  it("hands a ready task to another profile, and none unassigns it", () => {
    const home = tempHome();
    const id = home.create("review", "--assignee", "alice");
    expect(home.ok(["reassign", id, "Bob"])).toBe(`Reassigned ${id} to bob\n`);
    expect(home.ok(["reassign", id, "none"])).toBe(`Reassigned ${id} to (unassigned)\n`);
    expect(home.json(CliShow, ["show", id, "--json"]).task.assignee).toBeNull();
  });

  it("refuses a running task without --reclaim, with the reference's message, and leaves it as it was", async () => {
    const home = tempHome();
    const id = home.create("busy", "--assignee", "alice");
    home.ok(["claim", id]);
    const before = await boardSnapshot(await home.kernel());
    const r = home.run(["reassign", id, "bob"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `switchyard: cannot reassign ${id}: unknown id, or still running — pass --reclaim to take it back from its worker first\n`,
    );
    expect(await boardSnapshot(await home.kernel())).toEqual(before);
    const unknown = home.run(["reassign", "t_00000000", "bob"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("cannot reassign t_00000000: unknown id, or still running");
  });

  it("with --reclaim takes a running task back first and switches the profile", () => {
    const home = tempHome();
    const id = home.create("busy", "--assignee", "alice");
    home.ok(["claim", id]);
    expect(home.ok(["reassign", id, "new-profile", "--reclaim"])).toBe(
      `Reassigned ${id} to new-profile (claim reclaimed)\n`,
    );
    const show = home.json(CliShow, ["show", id, "--json"]);
    expect(show.task).toMatchObject({ status: "ready", assignee: "new-profile" });
    expect(show.events.map((e) => e.kind).slice(-2)).toEqual(["reclaimed", "assigned"]);
    expect(show.events.at(-2)?.payload).toMatchObject({ manual: true, reason: "reassign" });
  });

  it("with --reclaim on a task that is not running just reassigns it", () => {
    const home = tempHome();
    const id = home.create("idle", "--assignee", "alice");
    expect(home.ok(["reassign", id, "bob", "--reclaim"])).toBe(`Reassigned ${id} to bob\n`);
    const show = home.json(CliShow, ["show", id, "--json"]);
    expect(show.events.map((e) => e.kind)).toEqual(["created", "assigned"]);
  });

  it("with --reclaim stops the old worker when it runs on this host", async () => {
    const home = tempHome();
    const { id, worker } = await runningWithWorker(home, "long job", "alice");
    expect(home.ok(["reassign", id, "bob", "--reclaim"])).toBe(
      `Reassigned ${id} to bob (claim reclaimed)\nStopped its worker (pid ${worker.pid})\n`,
    );
    await worker.exited;
  });
});
