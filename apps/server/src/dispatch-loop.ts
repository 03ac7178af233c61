import type { DispatchResult } from "@switchyard/contract";
import { type Clock, systemClock } from "@switchyard/core";
import { createDispatchHealth, type DispatchService, wakesDispatcher } from "@switchyard/runtime";
import type { EventHub } from "./event-hub.ts";
import type { BackgroundLoop } from "./main.ts";

/**
 * The dispatcher inside the server (SPEC §4, reference §5.3): a round over every non-archived
 * board every `intervalSeconds` (boards are listed afresh each round, so a new board is picked
 * up without a restart), plus an immediate tick of a board when its events say a task became
 * ready or a place under a cap was freed, and when one of its workers exits.
 *
 * Ticks run one at a time (the service queues them too), and a wake that arrives while its
 * board is queued is merged with it. Stopping the loop waits for the tick in flight; running
 * workers are left running: they are detached, and the next server's ticks find them by pid.
 */

export interface DispatchLoopOptions {
  service: DispatchService;
  hub: Pick<EventHub, "subscribe">;
  intervalSeconds: number;
  clock?: Clock;
  log?: (message: string) => void;
}

export interface DispatchLoop extends BackgroundLoop {
  /** Ticks a board as soon as the ticks before it are done. */
  wake(board: string): void;
  /** Resolves when every tick queued so far has run (for tests). */
  idle(): Promise<void>;
}

/** A board whose events the loop follows. */
interface Following {
  stop(): void;
}

function summary(board: string, r: DispatchResult): string | null {
  const parts: string[] = [];
  if (r.spawned.length > 0) parts.push(`spawned ${r.spawned.map((s) => `${s.task_id} (${s.assignee})`).join(", ")}`);
  if (r.crashed.length > 0) parts.push(`crashed ${r.crashed.join(", ")}`);
  if (r.timed_out.length > 0) parts.push(`timed out ${r.timed_out.join(", ")}`);
  if (r.auto_blocked.length > 0) parts.push(`gave up on ${r.auto_blocked.join(", ")}`);
  if (r.reclaimed > 0) parts.push(`released ${r.reclaimed} stale claim(s)`);
  return parts.length > 0 ? `dispatcher [${board}]: ${parts.join("; ")}` : null;
}

export function startDispatchLoop(options: DispatchLoopOptions): DispatchLoop {
  const { service, hub } = options;
  const log = options.log ?? (() => {});
  const clock = options.clock ?? systemClock;
  const health = createDispatchHealth();
  const subscriptions = new Map<string, Following>();
  const queued = new Set<string>();
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn);
    chain = run.catch((err) => log(`dispatcher: ${(err as Error).message}`));
    return run;
  };

  async function tickBoard(board: string): Promise<DispatchResult | null> {
    try {
      const result = await service.tick(board);
      const line = summary(board, result);
      if (line) log(line);
      return result;
    } catch (err) {
      log(`dispatcher [${board}]: tick failed: ${(err as Error).message}`);
      return null;
    }
  }

  function wake(board: string): void {
    if (stopped || queued.has(board)) return;
    queued.add(board);
    void exclusive(async () => {
      queued.delete(board);
      if (!stopped) await tickBoard(board);
    });
  }

  /** Listens to every served board's events; forgets boards that are gone. */
  async function follow(boards: readonly string[]): Promise<void> {
    for (const [board, following] of subscriptions) {
      if (!boards.includes(board)) {
        following.stop();
        subscriptions.delete(board);
      }
    }
    const joining = boards
      .filter((board) => !subscriptions.has(board))
      .map(async (board) => {
        // Holds the board's place while the subscription is made; a stop in the meantime cancels it.
        let cancelled = false;
        const following: Following = {
          stop: () => {
            cancelled = true;
          },
        };
        subscriptions.set(board, following);
        const forget = () => {
          if (subscriptions.get(board) === following) subscriptions.delete(board);
        };
        try {
          const unsubscribe = await hub.subscribe(
            board,
            (message) => {
              if (message.events.some(wakesDispatcher)) wake(board);
            },
            { onEnd: forget },
          );
          if (cancelled) unsubscribe();
          else following.stop = unsubscribe;
        } catch (err) {
          forget();
          log(`dispatcher [${board}]: cannot follow its events: ${(err as Error).message}`);
        }
      });
    await Promise.all(joining);
  }

  async function spawnableReadyAnywhere(boards: readonly string[]): Promise<boolean> {
    for (const board of boards) {
      try {
        if (await service.hasSpawnableReady(board)) return true;
      } catch {
        // A board that cannot be read has nothing to start.
      }
    }
    return false;
  }

  async function round(): Promise<void> {
    if (stopped) return;
    const boards = service.boards();
    await follow(boards);
    let spawned = 0;
    let atCapacity = false;
    for (const board of boards) {
      if (stopped) return;
      const result = await tickBoard(board);
      spawned += result?.spawned.length ?? 0;
      atCapacity ||= (result?.skipped_capacity.length ?? 0) > 0;
    }
    const spawnableReady = await spawnableReadyAnywhere(boards);
    const warning = health.record({ spawnableReady, spawned, atCapacity }, clock.now());
    if (warning) log(`WARN ${warning}`);
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void exclusive(round).finally(() => schedule(options.intervalSeconds * 1000));
    }, delayMs);
  }

  schedule(0);

  return {
    wake,
    idle: async () => {
      for (;;) {
        const seen = chain;
        await seen;
        if (seen === chain) return;
      }
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      for (const following of subscriptions.values()) following.stop();
      subscriptions.clear();
      await chain;
    },
  };
}
