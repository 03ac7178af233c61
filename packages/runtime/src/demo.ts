import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Config } from "@switchyard/contract";
import {
  CoreError,
  createTask,
  type Env,
  type Home,
  type Kernel,
  listBoards,
  localWorkers,
  type NewTask,
  openBoard,
  supersededWorkers,
} from "@switchyard/core";
import { stringify as toYaml } from "yaml";
import type { z } from "zod";
import { configPath } from "./config.ts";
import { type ProcessControl, stopProcess, systemProcesses } from "./process.ts";

/**
 * `switchyard serve --demo`: a throwaway home seeded with the tutorial's stories and profiles
 * that run the fake agent (e2e/fake-agent), so a newcomer sees a fleet at work at once.
 */

/** The file that marks a directory as a demo home; only such a directory is ever removed. */
export const DEMO_MARKER = ".switchyard-demo";

/** The question the demo's implementer blocks with on its first run. */
export const DEMO_QUESTION = "Which database should the importer write to: Postgres or SQLite?";

/** Pins that would point the demo's server or workers at another board: never inherited. */
const PINS = /^(SWITCHYARD_(HOME|DB|DATABASE_URL|BOARD|WORKSPACES_ROOT|TASK|RUN_ID)|HERMES_KANBAN_\w+)$/;

const FAKE_AGENT = join("e2e", "fake-agent", "fake-agent.mjs");

/** The fake agent of the checkout that holds one of `starts` (searched upwards), or null. */
export function locateFakeAgent(starts: readonly string[]): string | null {
  for (const start of starts) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, FAKE_AGENT);
      if (existsSync(candidate)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  return null;
}

/** The demo's config.yaml: short ticks, a modest cap, and one fake-agent profile per role. */
export function demoConfig(agent: readonly string[]): z.input<typeof Config> {
  const run = (...options: string[]) => ({ command: [...agent, ...options] });
  // Heartbeating for a few seconds keeps each card in In Progress long enough to watch.
  const work = (seconds: number, ...options: string[]) =>
    run(...options, "--mode", "heartbeat", "--every", "1", "--for", String(seconds));
  return {
    dispatch: { interval_seconds: 2, max_in_progress: 6, failure_limit: 3, stop_grace_seconds: 2 },
    profiles: {
      coder: work(6, "--print-context"),
      pm: work(4, "--summary", "Spec: read CSV files, validate each row, write them to the orders table"),
      implementer: run(
        "--print-context",
        "--mode",
        "block",
        "--reason",
        DEMO_QUESTION,
        "--delay",
        "3",
        "--times",
        "1",
        "--later",
        "heartbeat",
        "--for",
        "5",
      ),
      reviewer: work(4, "--print-context", "--summary", "Reviewed: approved"),
      translator: { ...work(4), max_in_progress: 1 },
      transcriber: { ...work(5), max_in_progress: 1 },
      copywriter: { ...work(6), max_in_progress: 1 },
      // Killed on its first run, as by the OOM killer; the retry completes.
      cruncher: run("--mode", "crash", "--signal", "SIGKILL", "--delay", "3", "--times", "1", "--later", "heartbeat"),
      // Its binary is not installed, so every spawn fails until the breaker blocks the task.
      deployer: { command: ["/nonexistent/bin/deploy-agent", "--task", "{task_id}"] },
      // Claims it created a card that does not exist, is refused, and sits on the task.
      drafter: run("--mode", "phantom", "--delay", "3", "--after-refusal", "hang"),
      editor: work(3, "--summary", "Release notes drafted; no follow-up cards"),
    },
  };
}

const FLEET: ReadonlyArray<readonly [string, string]> = [
  ["translator", "Translate the landing page into German"],
  ["transcriber", "Transcribe the customer interview"],
  ["copywriter", "Write the launch email"],
  ["translator", "Translate the pricing page into French"],
  ["transcriber", "Transcribe the podcast episode"],
  ["copywriter", "Write three ad headlines"],
  ["translator", "Translate the FAQ into Spanish"],
  ["transcriber", "Transcribe the webinar"],
  ["copywriter", "Write the product page blurb"],
  ["translator", "Translate the release notes into Japanese"],
  ["transcriber", "Transcribe the support call"],
  ["copywriter", "Write the newsletter intro"],
];

/** Creates the demo's tasks on a board: the tutorial's stories. Returns how many. */
export async function seedDemoBoard(k: Kernel): Promise<number> {
  let count = 0;
  const add = async (input: NewTask) => {
    count++;
    return (await createTask(k, { created_by: "demo", ...input })).task.id;
  };
  const chain = async (
    titles: readonly string[],
    assignees: readonly string[],
    priority: number,
    bodies: string[] = [],
  ) => {
    let parent: string | null = null;
    for (const [i, title] of titles.entries()) {
      parent = await add({
        title,
        assignee: assignees[i] ?? assignees[0],
        priority,
        parents: parent ? [parent] : [],
        body: bodies[i] ?? null,
      });
    }
  };

  await chain(["Design the schema", "Build the API", "Write the API tests"], ["coder"], 3, [
    "Solo dev: only this task starts ready; its children wait in Todo until it is done.",
    "Open this task's **Worker log** once it has run: the context its worker read holds the parent's handoff.",
  ]);
  await chain(
    ["Spec the CSV importer", "Implement the CSV importer", "Review the CSV importer"],
    ["pm", "implementer", "reviewer"],
    3,
    [
      "Role pipeline: spec, implementation, review.",
      "The implementer blocks with a question on its first run. Answer it in a comment, then press " +
        "**Unblock**: the second run reads the first run's reason and your answer in its context.",
    ],
  );
  await add({
    title: "Crunch the quarterly numbers",
    assignee: "cruncher",
    priority: 2,
    body: "Crash recovery: the first worker is killed; the dispatcher retries and the run history shows both runs.",
  });
  await add({
    title: "Deploy to staging",
    assignee: "deployer",
    priority: 2,
    body: "Circuit breaker: the deploy agent is not installed, so after 3 failed spawns the task is blocked (gave_up).",
  });
  await add({
    title: "Draft the release notes",
    assignee: "drafter",
    priority: 2,
    body:
      "Hallucination recovery: the drafter claims a card that does not exist. Open **Recovery**, pick " +
      "`editor`, keep **Reclaim first** checked and press **Reassign**.",
  });
  for (const [assignee, title] of FLEET) await add({ title, assignee, tenant: "content-ops", priority: 1 });
  await add({
    title: "Review the pricing page copy",
    assignee: "alice",
    body: "Assigned to a person: `alice` is not a profile, so she pulls it with `switchyard claim`.",
  });
  for (const title of ["Idea: export the board as CSV", "Idea: dark mode for the docs", "Idea: weekly digest email"]) {
    await add({
      title,
      triage: true,
      body: "Triage: drag it to Ready (or press Space, then the arrows) when it is specified.",
    });
  }
  return count;
}

/** The environment a demo server and its workers get: this one without board pins, plus the home. */
function demoEnv(base: Env, root: string): Env {
  const env: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(base)) if (!PINS.test(name)) env[name] = value;
  return { ...env, SWITCHYARD_HOME: root };
}

export interface DemoHomeOptions {
  /** The argv that starts the fake agent, e.g. `[process.execPath, locateFakeAgent(…)]`. */
  agent: readonly string[];
  /** The environment to start from (the server's and the workers'); default `process.env`. */
  env?: Env;
  /** Where the home is made; default the system's temp directory. */
  parent?: string;
}

/** Makes a throwaway home in a temp directory, with the demo's config.yaml and tasks. */
export async function createDemoHome(options: DemoHomeOptions): Promise<Home> {
  const root = mkdtempSync(join(options.parent ?? tmpdir(), "switchyard-demo-"));
  // Its boards are its own SQLite files, whatever database the caller's environment names.
  const home: Home = { root, env: demoEnv(options.env ?? process.env, root), databaseUrl: null };
  writeFileSync(join(root, DEMO_MARKER), `${Math.floor(Date.now() / 1000)}\n`);
  writeFileSync(
    configPath(home),
    `# The demo's profiles run the fake agent (e2e/fake-agent/README.md).\n${toYaml(demoConfig(options.agent))}`,
  );
  const k = await openBoard(home, null);
  try {
    await seedDemoBoard(k);
  } finally {
    await k.close();
  }
  return home;
}

/**
 * Whether a process is gone for good, zombie included. A worker this process started is
 * reaped (and its exit recorded on the board) just before it stops existing.
 */
function reaped(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** When the demo home was made (Unix seconds), or null when `root` is not a demo home. */
function demoCreatedAt(root: string): number | null {
  try {
    const seconds = Number(readFileSync(join(root, DEMO_MARKER), "utf8").trim());
    return Number.isInteger(seconds) ? seconds : null;
  } catch {
    return null;
  }
}

/**
 * Ends a demo: stops the process group of every worker its boards still list (running, or
 * ended), then deletes the home. A group is stopped whole, and also when its worker has exited
 * and left children running. Workers normally outlive a server (decision 007), but these
 * belong to a home that is about to go. Only a process that started after the home was made is
 * signalled (a pid may have been reused), and a directory without the demo marker is refused
 * untouched.
 */
export async function removeDemoHome(
  home: Home,
  options: { proc?: ProcessControl; graceMs?: number; reaped?: (pid: number) => boolean } = {},
): Promise<void> {
  const since = demoCreatedAt(home.root);
  if (since === null) {
    throw new CoreError("invalid_input", `${home.root} is not a demo home (no ${DEMO_MARKER}); not removing it`);
  }
  const proc = options.proc ?? systemProcesses;
  const pids = new Set<number>();
  for (const board of await listBoards(home, { includeArchived: true })) {
    const k = await openBoard(home, board.slug);
    try {
      for (const w of [...(await localWorkers(k)), ...(await supersededWorkers(k, k.clock.now() - since + 60))]) {
        if (w.pid !== null) pids.add(w.pid);
      }
    } finally {
      await k.close();
    }
  }
  const ours = [...pids].filter((pid) => {
    const started = proc.startedAt(pid);
    return started === null || started >= since - 1;
  });
  await Promise.all(ours.map((pid) => stopProcess(proc, pid, options.graceMs ?? 2000, { group: true })));
  // A server still running in this process records its workers' exits on the board when it
  // reaps them; the home must not be deleted before that write (it would recreate the file).
  const gone = options.reaped ?? reaped;
  for (let waited = 0; waited < 5000 && !ours.every(gone); waited += 50) await proc.sleep(50);
  rmSync(home.root, { recursive: true, force: true, maxRetries: 3 });
}
