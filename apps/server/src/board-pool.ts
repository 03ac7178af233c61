import {
  boardPaths,
  busyTimeoutFromEnv,
  type Home,
  type Kernel,
  type OpenKernelOptions,
  openKernel,
  requireBoard,
} from "@switchyard/core";
import { gitProbe } from "@switchyard/runtime";

/**
 * The server's open boards: one kernel per board, opened on first use and kept for later
 * requests. A board whose storage went stale (its file was moved, removed or replaced by
 * another process, or it was opened read-only and can now be written) is reopened, or refused,
 * on its next use. A board that cannot be written opens read-only: GET routes read it, and a
 * write is refused with `board_read_only` (decision 014). Writes wait for another process's
 * write lock for `SWITCHYARD_BUSY_TIMEOUT_SECONDS` (default 30 s) before `board_busy`.
 */
export interface BoardPool {
  readonly home: Home;
  /** Resolves `?board=` (or the active board when none is given); refuses a bad or unknown slug. */
  resolve(requested?: string | null): Promise<string>;
  /** The open kernel of a board that exists. */
  kernel(slug: string): Promise<Kernel>;
  /** Resolves and opens in one step. */
  open(requested?: string | null): Promise<{ slug: string; k: Kernel }>;
  /** Closes a board's kernel (before it is removed). */
  forget(slug: string): Promise<void>;
  close(): Promise<void>;
}

const closeQuietly = (opening: Promise<Kernel>): Promise<void> =>
  opening.then(
    (k) => k.close(),
    () => {},
  );

export function createBoardPool(home: Home, options: OpenKernelOptions = {}): BoardPool {
  // The opening is cached, not the kernel: two first requests for one board share one kernel.
  const opened = new Map<string, Promise<Kernel>>();
  // The host's git probe: completions are verified, and worktrees made, against this host's files.
  const kernelOptions: OpenKernelOptions = { busyTimeoutMs: busyTimeoutFromEnv(home.env), probe: gitProbe, ...options };

  function openFresh(slug: string): Promise<Kernel> {
    const opening = openKernel(boardPaths(home, slug), kernelOptions);
    opened.set(slug, opening);
    opening.catch(() => {
      if (opened.get(slug) === opening) opened.delete(slug);
    });
    return opening;
  }

  const pool: BoardPool = {
    home,
    resolve: (requested) => requireBoard(home, requested),
    async kernel(slug) {
      for (;;) {
        const cached = opened.get(slug);
        if (!cached) return openFresh(slug);
        const k = await cached;
        if (!k.stale()) return k;
        // The first caller to notice replaces it; the others loop and find the replacement.
        if (opened.get(slug) === cached) {
          opened.delete(slug);
          await k.close();
        }
      }
    },
    async open(requested) {
      const slug = await pool.resolve(requested);
      return { slug, k: await pool.kernel(slug) };
    },
    async forget(slug) {
      const cached = opened.get(slug);
      opened.delete(slug);
      if (cached) await closeQuietly(cached);
    },
    async close() {
      const all = [...opened.values()];
      opened.clear();
      await Promise.all(all.map(closeQuietly));
    },
  };
  return pool;
}
