import { readdirSync, readFileSync } from "node:fs";
import {
  boardPaths,
  createBoard,
  createTask,
  type Home,
  type Kernel,
  listEvents,
  listRuns,
  openKernel,
  requireTask,
} from "@switchyard/core";
import { systemProcesses } from "@switchyard/runtime";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/main.ts";
import { tempHome, waitFor } from "./helpers.ts";

/**
 * A worker is its whole process tree (issue 13): what a worker's command leaves running goes
 * when the worker exits or is stopped, and a max runtime is enforced at its deadline. Real
 * servers on temp homes with real `/bin/sh` workers; a process belongs to a task when its
 * environment carries the task's SWITCHYARD_TASK.
 */

/** Leaves `sleep 1000` running after every exit. */
const FORK_AND_EXIT = ["/bin/sh", "-c", "sleep 1000 & exit 0"];
/** A subshell that ignores SIGTERM (and so do its `sleep 1` children) beside a leader that honours it. */
const TERM_IGNORING_CHILD = ["/bin/sh", "-c", "(trap '' TERM; while :; do sleep 1; done) & exec sleep 100000"];
/**
 * Exits as soon as the child it leaves ignores SIGTERM (the child says so by creating a file):
 * only the SIGKILL after the grace period ends that child.
 */
const EXIT_LEAVING_STUBBORN_CHILD = [
  "/bin/sh",
  "-c",
  "r=$(mktemp -u); (trap '' TERM; : > $r; exec sleep 1000) & while [ ! -e $r ]; do sleep 0.05; done; rm -f $r; exit 0",
];
/** A live worker with a child of its own. */
const KEEPS_RUNNING = ["/bin/sh", "-c", "sleep 100000 & exec sleep 100000"];

/** Pids of the live (non-zombie) processes whose environment says they work on one of `tasks`. */
function processesOf(...tasks: string[]): number[] {
  const wanted = new Set(tasks.map((id) => `SWITCHYARD_TASK=${id}`));
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`, "latin1").split("\0");
      if (env.some((entry) => wanted.has(entry))) out.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

function processGroup(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return null;
  }
}

/** Every task a test created; whatever still runs for them is killed after the test, pass or fail. */
const tasks = new Set<string>();
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  for (const pid of processesOf(...tasks)) {
    const group = processGroup(pid);
    if (group !== null && group > 1) systemProcesses.kill(-group, "SIGKILL");
    systemProcesses.kill(pid, "SIGKILL");
  }
  await waitFor("the test's processes to be gone", () => processesOf(...tasks).length === 0);
  tasks.clear();
});

interface Served {
  home: Home;
  server: RunningServer;
  k: Kernel;
  task(title: string, assignee: string, extra?: { max_runtime_seconds?: number }): Promise<string>;
}

async function serve(dispatch: Record<string, unknown>, profiles: Record<string, string[]>): Promise<Served> {
  const home = tempHome(
    JSON.stringify({
      dispatch: { max_in_progress: 10, ...dispatch },
      profiles: Object.fromEntries(Object.entries(profiles).map(([name, command]) => [name, { command }])),
    }),
  );
  await createBoard(home, "default", {}, { now: Math.floor(Date.now() / 1000) });
  const server = await startServer({ home, port: 0, webRoot: null, pollIntervalMs: 20, log: () => {} });
  const k = await openKernel(boardPaths(home, "default"));
  cleanups.push(async () => {
    await server.close();
    await k.close();
  });
  return {
    home,
    server,
    k,
    async task(title, assignee, extra = {}) {
      const id = (await createTask(k, { title, assignee, ...extra })).task.id;
      tasks.add(id);
      return id;
    },
  };
}

const status = async (k: Kernel, id: string) => (await requireTask(k, id)).status;

describe("a worker's process tree", () => {
  it("is ended on every exit and stop: after fork-and-exit retries, SIGTERM-ignoring children, gave_up and shutdown nothing of the tasks is left, while a live worker keeps running", async () => {
    const s = await serve(
      { interval_seconds: 60, stop_grace_seconds: 1, failure_limit: 3 },
      { forker: FORK_AND_EXIT, stubborn: TERM_IGNORING_CHILD, keeper: KEEPS_RUNNING },
    );
    const forked = await s.task("fork and exit", "forker");
    const stubborn = await s.task("ignore SIGTERM", "stubborn", { max_runtime_seconds: 2 });
    const live = await s.task("keep working", "keeper");

    await waitFor("both tasks to give up", async () => {
      return (await status(s.k, forked)) === "blocked" && (await status(s.k, stubborn)) === "blocked";
    });
    for (const id of [forked, stubborn]) expect((await listEvents(s.k, id)).at(-1)?.kind).toBe("gave_up");
    expect((await listRuns(s.k, forked)).map((r) => r.outcome)).toEqual([
      "protocol_violation",
      "protocol_violation",
      "gave_up",
    ]);
    // The leader (`sleep 100000`) dies of SIGTERM; the subshell is still there, so SIGKILL follows.
    const timeouts = (await listEvents(s.k, stubborn)).filter((e) => e.kind === "timed_out");
    expect(timeouts).toHaveLength(2);
    for (const e of timeouts) expect(e.payload).toMatchObject({ limit_seconds: 2, sigkill: true });
    await waitFor("nothing of the failed tasks to be left", () => processesOf(forked, stubborn).length === 0);

    // Shutdown keeps a live worker (its claim is valid, decision 007) and leaves nothing else.
    const keeper = await waitFor("the live worker and its child", () => {
      const pids = processesOf(live);
      return pids.length === 2 ? pids : undefined;
    });
    await s.server.close();
    expect(processesOf(forked, stubborn)).toEqual([]);
    expect(processesOf(live).sort()).toEqual(keeper.sort());
    expect(await status(s.k, live)).toBe("running");
  });

  it("is still being ended when the server shuts down, and the shutdown waits until it is", async () => {
    const s = await serve(
      { interval_seconds: 60, stop_grace_seconds: 3, failure_limit: 1 },
      { leaver: EXIT_LEAVING_STUBBORN_CHILD },
    );
    const id = await s.task("leave a child behind", "leaver");
    // The worker has exited (its task gave up) and its child is inside the grace period.
    await waitFor(
      "the worker's exit, with its child still alive",
      async () => (await status(s.k, id)) === "blocked" && processesOf(id).length > 0,
    );
    await s.server.close();
    expect(processesOf(id)).toEqual([]);
  });
});

describe("a max runtime", () => {
  it("stops a worker (and its SIGTERM-ignoring child) within 4 s of its start with a 2 s limit and a 60 s interval", async () => {
    const s = await serve(
      { interval_seconds: 60, stop_grace_seconds: 1, failure_limit: 1 },
      { stubborn: TERM_IGNORING_CHILD },
    );
    const id = await s.task("two seconds", "stubborn", { max_runtime_seconds: 2 });
    await waitFor("the worker to start", () => processesOf(id).length > 0, 15_000);
    const started = Date.now();
    await waitFor("the worker's whole tree to be gone", () => processesOf(id).length === 0, 15_000);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThanOrEqual(4000);
    const gaveUp = await waitFor("the timeout to be recorded", async () =>
      (await listEvents(s.k, id)).find((e) => e.kind === "gave_up"),
    );
    expect(gaveUp.payload).toMatchObject({ cause: "timed_out" });
    expect((await listRuns(s.k, id)).at(-1)).toMatchObject({ outcome: "gave_up" });
  });
});
