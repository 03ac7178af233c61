import { defineProject } from "vitest/config";

/**
 * Servers on a board in PostgreSQL (SPEC §13): real `switchyard serve` processes on the test
 * server that core's global setup starts (one server per run, shared with core-postgres and
 * cli-postgres). The CLI's global setup builds its bundle once.
 */
export default defineProject({
  test: {
    name: "server-postgres",
    include: ["test/two-servers.test.ts"],
    globalSetup: ["../cli/test/global-setup.ts", "../../packages/core/test/postgres-global.ts"],
    pool: "forks",
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
