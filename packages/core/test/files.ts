import { existsSync, readFileSync, statSync } from "node:fs";

/** What a file looked like: its bytes and modification time, to prove nothing touched it. */
export interface FileSnapshot {
  bytes: Buffer;
  mtimeMs: number;
  size: number;
}

export function snapshotFile(path: string): FileSnapshot {
  const st = statSync(path);
  return { bytes: readFileSync(path), mtimeMs: st.mtimeMs, size: st.size };
}

/** SQLite's companion files that exist next to a database file (-wal, -shm, -journal). */
export function sidecars(dbPath: string): string[] {
  return ["-wal", "-shm", "-journal"].map((s) => `${dbPath}${s}`).filter((p) => existsSync(p));
}
