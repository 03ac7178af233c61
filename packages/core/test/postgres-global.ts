import type { TestProject } from "vitest/node";
import type {} from "./fixtures.ts";
import { startTestPostgres, type TestPostgres } from "./postgres-server.ts";

/**
 * Starts one throwaway PostgreSQL server for the projects that run on it (`core-postgres`,
 * `cli-postgres`, `server-postgres`), and stops it after. Every such project names this file as a global setup;
 * they run in one process, so the first starts the server, the others share it, and the last
 * to finish stops it: one server per test run.
 */

const SHARED = Symbol.for("switchyard.testPostgres");

interface Shared {
  server: Promise<TestPostgres>;
  users: number;
}

export default async function setup(project: TestProject): Promise<() => void> {
  const holder = globalThis as { [SHARED]?: Shared };
  holder[SHARED] ??= { server: startTestPostgres(), users: 0 };
  const shared = holder[SHARED];
  shared.users++;
  const server = await shared.server;
  project.provide("switchyardPostgresUrl", server.url);
  return () => {
    shared.users--;
    if (shared.users > 0) return;
    delete holder[SHARED];
    server.stop();
  };
}
