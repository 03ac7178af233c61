import { emptyDispatchResult } from "@switchyard/contract";
import { boardPaths, openKernel, systemClock, TASK_ORDER } from "@switchyard/core";
import { loadConfig } from "@switchyard/runtime";
import { createApp, createBoardPool, createEventHub } from "@switchyard/server";
import { type Figure, figure, median, p95, progress, round, sample } from "../report.ts";
import { dbPathOf, freshHome, rawOpen, seedMixedBoard } from "../seed.ts";

/**
 * Figure 2: `GET /board` latency through the real Hono app (`createApp`, called in process with
 * `app.request`, body read to the end), at 1k, 10k and 100k tasks with about five events per
 * task, links and comments; against bare better-sqlite3 reads of the same rows (the tasks in the
 * board's order, and their link and comment counts, as arrays).
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

    const boards = createBoardPool(home);
    const hub = createEventHub({ open: (slug) => openKernel(boardPaths(home, slug)) });
    const app = createApp({
      home,
      boards,
      hub,
      config: () => loadConfig(home),
      clock: systemClock,
      dispatch: async () => emptyDispatchResult(),
      dispatcherEnabled: true,
      security: { allowedHosts: [], token: null },
      webRoot: null,
      log: (message) => progress(`server: ${message}`),
    });
    let bytes = 0;
    const get = async () => {
      const res = await app.request(URL_BOARD, { headers: { host: "127.0.0.1" } });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`GET /board answered ${res.status}: ${text.slice(0, 200)}`);
      bytes = text.length;
    };
    progress(`board: GET /board at ${tasks} tasks, ${size.reps} times`);
    const api = await sample(size.reps, get, 2);
    const bareBoard = bareReads(dbPathOf(home));
    const bare = await sample(size.reps, bareBoard.read, 2);
    stepMedians.set(size.tasks, median(await sample(size.reps, bareBoard.step, 2)));
    bareBoard.close();
    await hub.close();
    await boards.close();

    medians.set(size.tasks, median(api));
    bareMedians.set(size.tasks, median(bare));
    out.push(
      figure(`get_board_${size.tasks / 1000}k`, median(api), "ms", median(bare), {
        tasks,
        p95: round(p95(api)),
        baseline_p95: round(p95(bare)),
        response_bytes: bytes,
        samples: size.reps,
        via: "createApp + app.request (in process)",
      }),
    );
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
