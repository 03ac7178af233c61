import type { DispatchResult } from "@switchyard/contract";
import { type Clock, systemClock } from "@switchyard/core";
import { createDispatchHealth, type DispatchService, wakesDispatcher } from "@switchyard/runtime";
import type { EventHub } from "./event-hub.ts";
import type { BackgroundLoop } from "./main.ts";

/**
 * The dispatcher inside the server (SPEC §4, reference §5.3): a round over every non-archived
 * board every `intervalSeconds` (boards are listed afresh each round, so a new board is picked
 * up without a restart), plus an immediate tick of a board when its events say a task became
 * ready or a place under a cap was freed, and when one of its workers exits. A board is also
 * ticked at moments no event announces: the nearest max-runtime deadline of its running
 * workers (so a limit is enforced when it falls due, whatever the interval) and the end of the
 * first rate-limit backoff (decision 013).
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

/** A timed tick fires this long after its second begins, so the board's clock surely reads it. */
const DUE_MARGIN_MS = 25;
/** The least delay before a moment that is still due after its tick is tried again. */
const DUE_RETRY_MS = 1000;
/** setTimeout's longest delay; a moment further away is re-armed when this one fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

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
  /** Per board, the tick armed for its nearest due moment (Unix seconds). */
  const timedWakes = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  /** Per board, the due moment whose tick last fired. */
  const fired = new Map<string, number>();
  /** Per board, the latest arming asked for; an older one that answers later is dropped. */
  const armings = new Map<string, number>();
  const nowMs = () => clock.nowMs?.() ?? clock.now() * 1000;

  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn);
    chain = run.catch((err) => log(`dispatcher: ${(err as Error).message}`));
    return run;
  };

  /**
   * The board's nearest due moment: a worker's max-runtime deadline or the end of a backoff
   * after `looked` (when the last tick looked at the board: a backoff that ended since is due now).
   */
  async function nextDue(board: string, looked?: number): Promise<number | null> {
    const [retry, deadline] = await Promise.all([service.nextRetryAt(board, looked), service.nextDeadline(board)]);
    if (retry === null || deadline === null) return retry ?? deadline;
    return Math.min(retry, deadline);
  }

  function disarm(board: string): void {
    const armed = timedWakes.get(board);
    if (armed) clearTimeout(armed.timer);
    timedWakes.delete(board);
  }

  /**
   * Arms (or moves, or drops) the board's tick for its nearest due moment; called after every
   * tick of the board (with the time it started) and when another process spawns a worker on it.
   */
  async function arm(board: string, looked?: number): Promise<void> {
    const asked = (armings.get(board) ?? 0) + 1;
    armings.set(board, asked);
    let at: number | null;
    try {
      at = await nextDue(board, looked);
    } catch {
      return; // a board that cannot be read has nothing due
    }
    if (stopped || armings.get(board) !== asked || timedWakes.get(board)?.at === at) return;
    disarm(board);
    if (at === null) return;
    let delayMs = at * 1000 - nowMs() + DUE_MARGIN_MS;
    // Still due after its tick (the tick failed, or a stop did): tried again, at most once a second.
    if (fired.get(board) === at) delayMs = Math.max(delayMs, DUE_RETRY_MS);
    const due = at;
    const timer = setTimeout(
      () => {
        timedWakes.delete(board);
        fired.set(board, due);
        wake(board);
      },
      Math.min(Math.max(0, delayMs), MAX_TIMER_MS),
    );
    timedWakes.set(board, { at, timer });
  }

  async function tickBoard(board: string): Promise<DispatchResult | null> {
    // A backoff that ends while the tick runs must still be armed afterwards (nextDue).
    const looked = Math.floor(nowMs() / 1000);
    try {
      const result = await service.tick(board);
      const line = summary(board, result);
      if (line) log(line);
      return result;
    } catch (err) {
      log(`dispatcher [${board}]: tick failed: ${(err as Error).message}`);
      return null;
    } finally {
      await arm(board, looked);
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
        disarm(board);
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
              // Another process started a worker here: its deadline may be the nearest now.
              else if (message.events.some((e) => e.kind === "spawned")) void arm(board);
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
    let boards: string[];
    try {
      boards = await service.boards();
    } catch (err) {
      // The list of boards may be in a database that cannot be reached right now: next round.
      log(`dispatcher: cannot list the boards: ${(err as Error).message}`);
      return;
    }
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
      for (const board of [...timedWakes.keys()]) disarm(board);
      for (const following of subscriptions.values()) following.stop();
      subscriptions.clear();
      await chain;
    },
  };
}
