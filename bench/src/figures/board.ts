import { monitorEventLoopDelay } from "node:perf_hooks";
import { createTask, TASK_ORDER } from "@switchyard/core";
import { benchApp } from "../app.ts";
import { type Figure, figure, median, nowMs, p95, progress, round, sample, sampleTimed } from "../report.ts";
import { dbPathOf, freshHome, rawOpen, seedMixedBoard, taskId } from "../seed.ts";

/**
 * Figure 2: `GET /board` latency through the real Hono app (`createApp`, called in process with
 * `app.request`, body read to the end), at 1k, 10k and 100k tasks with about five events per
 * task, links and comments; against bare better-sqlite3 reads of the same rows (the tasks in the
 * board's order, and their link and comment counts, as arrays). The server keeps the view of an
 * unchanged board (decision 023), so `get_board_*` is a board read again unchanged, and
 * `get_board_*_after_write` one read right after a write (a task created through the kernel).
 *
 * `get_board_event_loop_stall_100k_ms`: the longest event-loop stall (`monitorEventLoopDelay`)
 * while a 100k-task GET /board is served, after a write and unchanged, with a GET /tasks/:id
 * sent 5 ms into it; baseline: how long the bare reads of the same rows hold the loop.
 */

const SIZES = [
  { tasks: 1_000, reps: 40 },
  { tasks: 10_000, reps: 15 },
  { tasks: 100_000, reps: 7 },
] as const;

const URL_BOARD = "http://127.0.0.1/api/plugins/kanban/board";

function bareReads(path: string): { read: () => void; step: () => void; close: () => void } {
  const db = rawOpen(path);
  // Rows as arrays (`raw`): the cheapest way better-sqlite3 hands rows to JavaScript.
  const tasks = db.prepare(`SELECT * FROM tasks WHERE status != 'archived' ORDER BY ${TASK_ORDER}`).raw();
  const parents = db.prepare("SELECT child_id, COUNT(*) AS n FROM task_links GROUP BY child_id").raw();
  const children = db.prepare("SELECT parent_id, COUNT(*) AS n FROM task_links GROUP BY parent_id").raw();
  const comments = db.prepare("SELECT task_id, COUNT(*) AS n FROM task_comments GROUP BY task_id").raw();
  const read = () => {
    tasks.all();
    parents.all();
    children.all();
    comments.all();
  };
  // The least any board read can do: step through the same rows without keeping them.
  const step = () => {
    for (const row of tasks.iterate()) void row;
  };
  return { read, step, close: () => db.close() };
}

type App = ReturnType<typeof benchApp>["app"];

/** GET /tasks/:id of one task, body read to the end. */
async function getTask(app: App): Promise<string> {
  const res = await app.request(`http://127.0.0.1/api/plugins/kanban/tasks/${taskId(7)}`, {
    headers: { host: "127.0.0.1" },
  });
  return res.text();
}

/** The longest event-loop stall while one GET /board is served, and a GET /tasks/:id sent 5 ms into it. */
async function stallOnce(app: App, get: () => Promise<void>): Promise<{ stall: number; taskMs: number }> {
  const monitor = monitorEventLoopDelay({ resolution: 1 });
  let taskMs = Number.NaN;
  const task = new Promise<void>((resolve, reject) => {
    setTimeout(() => {
      const t = nowMs();
      getTask(app).then(() => {
        taskMs = nowMs() - t;
        resolve();
      }, reject);
    }, 5);
  });
  monitor.enable();
  await Promise.all([get(), task]);
  monitor.disable();
  return { stall: monitor.max / 1e6, taskMs };
}

async function stallDuring(app: App, get: () => Promise<void>, write: () => Promise<unknown>) {
  progress("board: event-loop stall during GET /board at 100k tasks");
  const taskAlone = await sample(5, () => getTask(app));
  const afterWrite: Array<{ stall: number; taskMs: number }> = [];
  const unchanged: Array<{ stall: number; taskMs: number }> = [];
  for (let i = 0; i < 3; i++) {
    await write();
    afterWrite.push(await stallOnce(app, get));
    unchanged.push(await stallOnce(app, get));
  }
  const worst = (runs: Array<{ stall: number; taskMs: number }>) => ({
    stall: Math.max(...runs.map((r) => r.stall)),
    taskMs: median(runs.map((r) => r.taskMs)),
  });
  return { afterWrite: worst(afterWrite), unchanged: worst(unchanged), taskAloneMs: median(taskAlone) };
}

export async function boardFigures(quick: boolean): Promise<Figure[]> {
  const out: Figure[] = [];
  const medians = new Map<number, number>();
  const bareMedians = new Map<number, number>();
  const stepMedians = new Map<number, number>();
  for (const size of SIZES) {
    const tasks = quick ? size.tasks / 10 : size.tasks;
    progress(`board: seeding ${tasks} tasks`);
    const home = await freshHome();
    seedMixedBoard(dbPathOf(home), tasks);

    const { app, boards, close } = benchApp(home);
    let bytes = 0;
    const get = async () => {
      const res = await app.request(URL_BOARD, { headers: { host: "127.0.0.1" } });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`GET /board answered ${res.status}: ${text.slice(0, 200)}`);
      bytes = text.length;
    };
    progress(`board: GET /board at ${tasks} tasks, ${size.reps} times`);
    const api = await sample(size.reps, get, 2);
    const k = await boards.kernel("default");
    let writes = 0;
    const afterWrite = await sampleTimed(size.reps, async () => {
      await createTask(k, { title: `bench write ${writes++}` });
      const t = nowMs();
      await get();
      return nowMs() - t;
    });
    const stall = size.tasks === 100_000 ? await stallDuring(app, get, () => createTask(k, { title: "stall" })) : null;
    const bareBoard = bareReads(dbPathOf(home));
    const bare = await sample(size.reps, bareBoard.read, 2);
    stepMedians.set(size.tasks, median(await sample(size.reps, bareBoard.step, 2)));
    bareBoard.close();
    await close();

    medians.set(size.tasks, median(api));
    bareMedians.set(size.tasks, median(bare));
    out.push(
      figure(`get_board_${size.tasks / 1000}k`, median(api), "ms", median(bare), {
        tasks,
        p95: round(p95(api)),
        baseline_p95: round(p95(bare)),
        response_bytes: bytes,
        samples: size.reps,
        via: "createApp + app.request (in process), the board unchanged since the last GET (the kept view)",
      }),
      figure(`get_board_${size.tasks / 1000}k_after_write`, median(afterWrite), "ms", median(bare), {
        tasks,
        p95: round(p95(afterWrite)),
        baseline_p95: round(p95(bare)),
        samples: size.reps,
        via: "createApp + app.request (in process), each right after a task is created (the view built again)",
      }),
    );
    if (stall) {
      out.push(
        figure(
          "get_board_event_loop_stall_100k_ms",
          Math.max(stall.afterWrite.stall, stall.unchanged.stall),
          "ms",
          median(bare),
          {
            tasks,
            target: 50,
            after_write_stall_ms: round(stall.afterWrite.stall),
            unchanged_stall_ms: round(stall.unchanged.stall),
            task_get_during_board_after_write_ms: round(stall.afterWrite.taskMs),
            task_get_during_board_unchanged_ms: round(stall.unchanged.taskMs),
            task_get_alone_ms: round(stall.taskAloneMs),
            baseline_is: "the bare reads of the same rows (one synchronous call: the loop is held for all of it)",
          },
        ),
      );
    }
  }
  const t10 = medians.get(10_000);
  const t100 = medians.get(100_000);
  const b10 = bareMedians.get(10_000);
  const b100 = bareMedians.get(100_000);
  if (t10 !== undefined && t100 !== undefined && b10 !== undefined && b100 !== undefined) {
    // Linear growth from 10k to 100k tasks is a factor of 10; the baseline is how much the bare
    // reads of the same rows grew on this machine in the same run.
    out.push(figure("get_board_growth_10k_to_100k", t100 / t10, "x", b100 / b10, { linear: 10 }));
  }
  const s10 = stepMedians.get(10_000);
  const s100 = stepMedians.get(100_000);
  if (s10 !== undefined && s100 !== undefined) {
    // How much merely stepping through the board's rows (keeping nothing) grows on this machine:
    // the floor under any GET /board that returns every card.
    out.push(
      figure("bare_row_step_growth_10k_to_100k", s100 / s10, "x", null, {
        linear: 10,
        step_10k_ms: round(s10),
        step_100k_ms: round(s100),
      }),
    );
  }
  return out;
}
