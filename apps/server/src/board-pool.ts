import { statSync } from "node:fs";
import { boardPaths, type Home, type Kernel, type OpenKernelOptions, openKernel, requireBoard } from "@switchyard/core";

/**
 * The server's open boards: one kernel (one SQLite connection) per board, opened on first use
 * and kept for later requests. A board whose file went away or was replaced (by another
 * process) is reopened, or refused, on its next use.
 */
export interface BoardPool {
  readonly home: Home;
  /** Resolves `?board=` (or the active board when none is given); refuses a bad or unknown slug. */
  resolve(requested?: string | null): string;
  /** The open kernel of a board that exists. */
  kernel(slug: string): Kernel;
  /** Resolves and opens in one step. */
  open(requested?: string | null): { slug: string; k: Kernel };
  /** Closes a board's kernel (before it is removed). */
  forget(slug: string): void;
  close(): void;
}

/** The file's identity, so a board file that was moved, removed or replaced is noticed; null when missing. */
export function fileIdentity(path: string): string | null {
  if (path === ":memory:") return path;
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return null;
  }
}

export function createBoardPool(home: Home, options: OpenKernelOptions = {}): BoardPool {
  const open = new Map<string, { k: Kernel; file: string | null }>();
  const pool: BoardPool = {
    home,
    resolve: (requested) => requireBoard(home, requested),
    kernel(slug) {
      const cached = open.get(slug);
      if (cached?.k.db.open && cached.file !== null && fileIdentity(cached.k.paths.dbPath) === cached.file)
        return cached.k;
      cached?.k.close();
      const k = openKernel(boardPaths(home, slug), options);
      open.set(slug, { k, file: fileIdentity(k.paths.dbPath) });
      return k;
    },
    open(requested) {
      const slug = pool.resolve(requested);
      return { slug, k: pool.kernel(slug) };
    },
    forget(slug) {
      open.get(slug)?.k.close();
      open.delete(slug);
    },
    close() {
      for (const { k } of open.values()) k.close();
      open.clear();
    },
  };
  return pool;
}
