import type { TestProject } from "vitest/node";
import type {} from "./fixtures.ts";
import { startTestPostgres } from "./postgres-server.ts";

/** Starts one throwaway PostgreSQL server for the `core-postgres` project, and stops it after. */
export default async function setup(project: TestProject): Promise<() => void> {
  const server = await startTestPostgres();
  project.provide("switchyardPostgresUrl", server.url);
  return () => server.stop();
}
