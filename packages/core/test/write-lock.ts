import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { onTestFinished } from "vitest";

const SQLITE_MODULE = createRequire(import.meta.url).resolve("better-sqlite3");

/**
 * Another process that holds a board's write lock (BEGIN IMMEDIATE) until released, or until
 * the test ends. Resolves once the lock is held.
 */
export async function holdWriteLock(dbPath: string): Promise<{ release(): Promise<void> }> {
  const script = `
    const Database = require(process.argv[1]);
    const db = new Database(process.argv[2]);
    db.exec("BEGIN IMMEDIATE");
    process.stdout.write("held\\n");
    process.stdin.resume();
    process.stdin.on("end", () => { db.exec("ROLLBACK"); db.close(); });
  `;
  const child = spawn(process.execPath, ["-e", script, SQLITE_MODULE, dbPath], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const release = async () => {
    child.stdin.end();
    await exited;
  };
  onTestFinished(release);
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      if (d.toString().includes("held")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the lock holder exited (${code})`)));
  });
  return { release };
}
