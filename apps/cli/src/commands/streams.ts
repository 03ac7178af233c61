import type { EventKind, TaskEvent } from "@switchyard/contract";
import { eventsSince, getTask, type Kernel, latestEventId, listEvents, requireTask } from "@switchyard/core";
import { eventKinds, positiveSeconds } from "../args.ts";
import type { RegisterVerbs } from "../context.ts";
import { eventLine, jsonLine } from "../output.ts";

/** tail and watch (reference §10.2): poll the board's events and print the new ones until interrupted. */

const PAGE = 200;
const TAIL_BACKLOG = 20;

/** Calls `poll` every `seconds` (after the previous one ended) until SIGINT or SIGTERM; an error from `poll` ends it too. */
function follow(seconds: number, poll: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      if (err === undefined) resolve();
      else reject(err);
    };
    const stop = () => finish();
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    const tick = () => {
      poll().then(
        () => {
          if (!done) timer = setTimeout(tick, seconds * 1000);
        },
        (err: unknown) => finish(err),
      );
    };
    timer = setTimeout(tick, seconds * 1000);
  });
}

/** Every event after the cursor (in pages), advancing it. */
async function drain(k: Kernel, cursor: { id: number }, each: (e: TaskEvent) => Promise<void> | void): Promise<void> {
  for (;;) {
    const page = await eventsSince(k, cursor.id, PAGE);
    for (const e of page) {
      cursor.id = e.id;
      await each(e);
    }
    if (page.length < PAGE) return;
  }
}

const JSON_LINES = "print each event as one line of JSON (as GET /events and the live stream carry it)";

interface WatchOpts {
  assignee?: string;
  tenant?: string;
  kinds?: EventKind[];
  interval: number;
  json?: boolean;
}

export const registerStreams: RegisterVerbs = (program, cli) => {
  /** An event as a text line, or with `--json` as one JSON line. */
  const printer =
    (opts: { json?: boolean }) =>
    (e: TaskEvent): void =>
      cli.out(opts.json ? jsonLine(e) : eventLine(e));

  program
    .command("tail")
    .description("print a task's recent events, then new ones as they happen (Ctrl-C stops)")
    .argument("<id>", "the task")
    .option("--interval <seconds>", "seconds between polls", positiveSeconds("--interval"), 1)
    .option("--json", JSON_LINES)
    .action(async (id: string, opts: { interval: number; json?: boolean }) => {
      const k = await cli.kernel();
      await requireTask(k, id);
      const print = printer(opts);
      const cursor = { id: await latestEventId(k) };
      for (const e of await listEvents(k, id, TAIL_BACKLOG)) print(e);
      await follow(opts.interval, () =>
        drain(k, cursor, (e) => {
          if (e.task_id === id) print(e);
        }),
      );
    });

  program
    .command("watch")
    .description("print new events across the board as they happen (Ctrl-C stops)")
    .option("--assignee <profile>", "only tasks assigned to this profile")
    .option("--tenant <name>", "only tasks of this tenant")
    .option("--kinds <kinds>", "only these event kinds, comma-separated", eventKinds)
    .option("--interval <seconds>", "seconds between polls", positiveSeconds("--interval"), 0.5)
    .option("--json", JSON_LINES)
    .action(async (opts: WatchOpts) => {
      const k = await cli.kernel();
      const print = printer(opts);
      const cursor = { id: await latestEventId(k) };
      const assignee = opts.assignee?.trim().toLowerCase();
      cli.warn(`Watching board ${k.paths.slug} from event ${cursor.id} (Ctrl-C stops)`);
      await follow(opts.interval, () =>
        drain(k, cursor, async (e) => {
          if (opts.kinds && !opts.kinds.includes(e.kind)) return;
          if (assignee || opts.tenant) {
            const task = await getTask(k, e.task_id);
            if (assignee && task?.assignee !== assignee) return;
            if (opts.tenant && task?.tenant !== opts.tenant) return;
          }
          print(e);
        }),
      );
    });
};
